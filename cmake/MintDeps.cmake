# Finds mint's dependencies, all from Debian packages.
#   cpuinfo:     pkg-config (Debian's CMake config for cpuinfo is broken).
#   XNNPACK, pthreadpool: no CMake or pkg-config files: find_library + find_path.
#   FlatBuffers: headers and the flatc compiler (code is generated at build time).
# Each becomes an IMPORTED target: mint::cpuinfo, mint::xnnpack, mint::pthreadpool.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# When cross-compiling, Debian's arm64 packages are unpacked into a sysroot folder
# (cmake/fetch-arm64-sysroot.sh) and MINT_DEPS_ROOT points at it.
set(MINT_DEPS_ROOT "" CACHE PATH "Root of unpacked dependency packages (cross builds)")

if(MINT_DEPS_ROOT)
  set(_mint_libdir "${MINT_DEPS_ROOT}/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
  find_library(MINT_CPUINFO_LIBRARY NAMES cpuinfo libcpuinfo.so.0 PATHS ${_mint_libdir} NO_DEFAULT_PATH REQUIRED)
  find_path(MINT_CPUINFO_INCLUDE cpuinfo.h PATHS ${MINT_DEPS_ROOT}/usr/include NO_DEFAULT_PATH REQUIRED)
  add_library(mint::cpuinfo UNKNOWN IMPORTED)
  set_target_properties(mint::cpuinfo PROPERTIES IMPORTED_LOCATION ${MINT_CPUINFO_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${MINT_CPUINFO_INCLUDE})
  set(_mint_search PATHS ${_mint_libdir} NO_DEFAULT_PATH)
  set(_mint_isearch PATHS ${MINT_DEPS_ROOT}/usr/include NO_DEFAULT_PATH)
else()
  pkg_check_modules(MINT_CPUINFO REQUIRED IMPORTED_TARGET libcpuinfo)
  add_library(mint::cpuinfo ALIAS PkgConfig::MINT_CPUINFO)
  set(_mint_search)
  set(_mint_isearch)
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
find_path(MINT_FLATBUFFERS_INCLUDE flatbuffers/flatbuffers.h REQUIRED)

if(MINT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MINT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(MINT_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(MINT_ARCH arm)
else()
  set(MINT_ARCH none)
endif()
message(STATUS "mint: kernel architecture folder: ${MINT_ARCH}")
