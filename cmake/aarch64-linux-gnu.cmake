# CMake toolchain file: cross-compile mint for AArch64 Linux with Debian's cross toolchain
# (g++-aarch64-linux-gnu) and run what it builds under qemu-user.
#
#   cmake/fetch-arm64-sysroot.sh                      # arm64 deps unpacked into .sysroot/arm64
#   cmake --preset aarch64 && cmake --build --preset aarch64 && ctest --preset aarch64
#
# Libraries: the C library, libstdc++ and libgcc come with the cross toolchain
# (/usr/aarch64-linux-gnu); XNNPACK, pthreadpool, cpuinfo, GoogleTest and Google Benchmark come
# from MINT_DEPS_ROOT, a folder of unpacked arm64 .debs (cmake/MintDeps.cmake looks there).
# Programs (flatc) and the architecture-independent FlatBuffers headers come from the host.
#
# Running: CMAKE_CROSSCOMPILING_EMULATOR makes ctest and gtest_discover_tests run every test
# binary under qemu-aarch64, with the cross toolchain's folder as the ELF interpreter prefix.
# QEMU_CPU in the environment picks the emulated CPU (max: dotprod, fp16, i8mm; cortex-a53:
# plain ARMv8.0 NEON); see the test presets in CMakePresets.json.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(MINT_CROSS_TRIPLE aarch64-linux-gnu)
set(MINT_CROSS_PREFIX /usr/${MINT_CROSS_TRIPLE} CACHE PATH "The cross toolchain's target root")
set(CMAKE_C_COMPILER ${MINT_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MINT_CROSS_TRIPLE}-g++)

# The dependency root; defaults to where cmake/fetch-arm64-sysroot.sh unpacks. try_compile
# projects re-read this file, so pass the value on to them.
if(NOT MINT_DEPS_ROOT)
  get_filename_component(MINT_DEPS_ROOT "${CMAKE_CURRENT_LIST_DIR}/../.sysroot/arm64" ABSOLUTE)
  set(MINT_DEPS_ROOT "${MINT_DEPS_ROOT}" CACHE PATH
      "Root of unpacked dependency packages (cross builds)")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MINT_DEPS_ROOT MINT_CROSS_PREFIX)
set(_mint_deps_libdir "${MINT_DEPS_ROOT}/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")

# Target libraries and headers only from the target roots; programs only from the host.
set(CMAKE_FIND_ROOT_PATH ${MINT_CROSS_PREFIX} ${MINT_DEPS_ROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Linking: the sysroot's libraries need each other (libXNNPACK.so.0 -> libcpuinfo.so.0,
# libpthreadpool.so.0), which -rpath-link resolves at link time. The build tree's binaries also
# get the sysroot in their RPATH (CMAKE_BUILD_RPATH; CMake drops it on install).
set(_mint_cross_link_flags "-Wl,-rpath-link,${_mint_deps_libdir}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_mint_cross_link_flags}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_mint_cross_link_flags}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${_mint_cross_link_flags}")
set(CMAKE_BUILD_RPATH "${_mint_deps_libdir}")

# Running: qemu-aarch64 -L makes the guest's absolute paths resolve under the cross root first,
# but only for files that exist there. The guest's dynamic loader then reads the HOST's
# /etc/ld.so.cache, and on a host with any arm64 multiarch package installed (libc6:arm64
# comes with them) that cache sends it to /lib/aarch64-linux-gnu/libc.so.6: a different glibc
# build than the cross root's ld-linux-aarch64.so.1, and the mix hangs in pthread_create. So
# the emulator sets LD_LIBRARY_PATH, which the loader searches before its cache: the cross
# toolchain's C and C++ runtime first, then the sysroot's libraries (also the dependencies of
# dependencies, which DT_RUNPATH would not cover). To run a test binary by hand:
#   lib=<repo>/.sysroot/arm64/usr/lib/aarch64-linux-gnu
#   qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib:$lib \
#     build/aarch64/tests/gemm_kernel_test
find_program(MINT_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(MINT_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MINT_QEMU_AARCH64} -L ${MINT_CROSS_PREFIX}
      -E "LD_LIBRARY_PATH=${MINT_CROSS_PREFIX}/lib:${_mint_deps_libdir}")
endif()
