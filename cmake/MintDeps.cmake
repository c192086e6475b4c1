# Finds mint's dependencies, all from Debian packages.
#   cpuinfo:     pkg-config (Debian's CMake config for cpuinfo is broken).
#   XNNPACK, pthreadpool: no CMake or pkg-config files: find_library + find_path.
#   FlatBuffers: headers and the flatc compiler (code is generated at build time).
# Each becomes an IMPORTED target: mint::cpuinfo, mint::xnnpack, mint::pthreadpool.
find_package(Threads REQUIRED)

# When cross-compiling, Debian's arm64 packages are unpacked into a sysroot folder
# (cmake/fetch-arm64-sysroot.sh) and MINT_DEPS_ROOT points at it; everything the target links
# (cpuinfo, XNNPACK, pthreadpool, GoogleTest, Google Benchmark) is then taken from there and
# only from there. The searches name their folders explicitly and opt out of the toolchain's
# CMAKE_FIND_ROOT_PATH, so they mean the same with or without cmake/aarch64-linux-gnu.cmake.
set(MINT_DEPS_ROOT "" CACHE PATH "Root of unpacked dependency packages (cross builds)")

if(MINT_DEPS_ROOT)
  if(NOT EXISTS "${MINT_DEPS_ROOT}/usr/include/xnnpack.h")
    message(FATAL_ERROR "MINT_DEPS_ROOT=${MINT_DEPS_ROOT} holds no unpacked packages: "
                        "run cmake/fetch-arm64-sysroot.sh first")
  endif()
  set(_mint_libdir "${MINT_DEPS_ROOT}/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
  set(_mint_search PATHS ${_mint_libdir} NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  set(_mint_isearch PATHS ${MINT_DEPS_ROOT}/usr/include NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  set(_mint_psearch CONFIG PATHS ${_mint_libdir}/cmake NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  find_library(MINT_CPUINFO_LIBRARY NAMES cpuinfo libcpuinfo.so.0 ${_mint_search} REQUIRED)
  find_path(MINT_CPUINFO_INCLUDE cpuinfo.h ${_mint_isearch} REQUIRED)
  add_library(mint::cpuinfo UNKNOWN IMPORTED)
  set_target_properties(mint::cpuinfo PROPERTIES IMPORTED_LOCATION ${MINT_CPUINFO_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${MINT_CPUINFO_INCLUDE})
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(MINT_CPUINFO REQUIRED IMPORTED_TARGET libcpuinfo)
  add_library(mint::cpuinfo ALIAS PkgConfig::MINT_CPUINFO)
  set(_mint_search)
  set(_mint_isearch)
  set(_mint_psearch)
endif()

find_library(MINT_XNNPACK_LIBRARY NAMES XNNPACK ${_mint_search} REQUIRED)
find_path(MINT_XNNPACK_INCLUDE xnnpack.h ${_mint_isearch} REQUIRED)
add_library(mint::xnnpack UNKNOWN IMPORTED)
set_target_properties(mint::xnnpack PROPERTIES IMPORTED_LOCATION ${MINT_XNNPACK_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${MINT_XNNPACK_INCLUDE})

find_library(MINT_PTHREADPOOL_LIBRARY NAMES pthreadpool ${_mint_search} REQUIRED)
find_path(MINT_PTHREADPOOL_INCLUDE pthreadpool.h ${_mint_isearch} REQUIRED)
add_library(mint::pthreadpool UNKNOWN IMPORTED)
set_target_properties(mint::pthreadpool PROPERTIES IMPORTED_LOCATION ${MINT_PTHREADPOOL_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${MINT_PTHREADPOOL_INCLUDE})

# flatc runs on the build machine; the headers are architecture independent.
find_program(MINT_FLATC flatc REQUIRED)
if(CMAKE_CROSSCOMPILING)
  # The host's headers, but never the host's whole /usr/include on a cross compiler's include
  # path (its C library headers would shadow the target's): only flatbuffers/ is linked into
  # the build tree, and that folder goes on the include path.
  find_path(MINT_HOST_FLATBUFFERS_INCLUDE flatbuffers/flatbuffers.h
            NO_CMAKE_FIND_ROOT_PATH REQUIRED)
  set(MINT_FLATBUFFERS_INCLUDE ${CMAKE_BINARY_DIR}/host-include)
  file(MAKE_DIRECTORY ${MINT_FLATBUFFERS_INCLUDE})
  file(CREATE_LINK ${MINT_HOST_FLATBUFFERS_INCLUDE}/flatbuffers
       ${MINT_FLATBUFFERS_INCLUDE}/flatbuffers SYMBOLIC)
else()
  find_path(MINT_FLATBUFFERS_INCLUDE flatbuffers/flatbuffers.h REQUIRED)
endif()

if(MINT_BUILD_TESTS)
  find_package(GTest ${_mint_psearch} REQUIRED)
endif()
if(MINT_BUILD_BENCHMARKS)
  find_package(benchmark ${_mint_psearch} REQUIRED)
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(MINT_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(MINT_ARCH arm)
else()
  set(MINT_ARCH none)
endif()
message(STATUS "mint: kernel architecture folder: ${MINT_ARCH}")
