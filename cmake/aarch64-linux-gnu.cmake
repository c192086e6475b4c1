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
  set(MINT_DEPS_ROOT "${MINT_DEPS_ROOT}" CACHE PATH "Root of unpacked dependency packages (cross builds)")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MINT_DEPS_ROOT MINT_CROSS_PREFIX)
set(_mint_deps_libdir "${MINT_DEPS_ROOT}/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")

# mint's kernel contracts (kernels/gemm.h, kernels/qs8_requant.h) specify unfused float
# operations, and the scalar references are the oracles of bit-exact tests. GCC's default for
# C++ is -ffp-contract=fast, which on AArch64 (where FMA is baseline) turns `x * s + b` in the
# references into FMADD; keep every expression as written.
set(CMAKE_C_FLAGS_INIT "-ffp-contract=off")
set(CMAKE_CXX_FLAGS_INIT "-ffp-contract=off")

# Target libraries and headers only from the target roots; programs only from the host.
set(CMAKE_FIND_ROOT_PATH ${MINT_CROSS_PREFIX} ${MINT_DEPS_ROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Linking: the sysroot's libraries need each other (libXNNPACK.so.0 -> libcpuinfo.so.0,
# libpthreadpool.so.0), which -rpath-link resolves at link time. At run time the loader must
# find them too: -rpath with --disable-new-dtags writes DT_RPATH, which (unlike DT_RUNPATH) also
# applies to the dependencies of dependencies. qemu's -L prefix only redirects paths that exist
# under it, so the absolute sysroot path is used as is.
set(_mint_cross_link_flags
    "-Wl,-rpath-link,${_mint_deps_libdir} -Wl,-rpath,${_mint_deps_libdir} -Wl,--disable-new-dtags")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_mint_cross_link_flags}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_mint_cross_link_flags}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${_mint_cross_link_flags}")

find_program(MINT_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(MINT_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${MINT_QEMU_AARCH64};-L;${MINT_CROSS_PREFIX}")
endif()
