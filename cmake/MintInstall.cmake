# Installation: `cmake --install <build> [--prefix <dir>]` lays out
#
#   include/mint/mint.h                the public C header
#   <libdir>/libmint.a                 static library (mint::mint): runtime + kernels
#   <libdir>/libmint.so[.0[.0.1.0]]    shared library (mint::mint_shared): exports mint_* only
#   bin/mint                           the command-line tool (compile, inspect, run)
#   <libdir>/cmake/mint/               CMake package: find_package(mint [0.1] REQUIRED)
#   <libdir>/pkgconfig/mint.pc         pkg-config: pkg-config --cflags --libs mint
#
# libmint.a holds the objects of the internal object libraries (mint_runtime, mint_kernels), so
# only mint_static and mint_shared are exported; their dependencies (XNNPACK, pthreadpool,
# cpuinfo, Threads) are found again by mintConfig.cmake the way cmake/MintDeps.cmake finds them.
# tests/install checks the installed tree with a consumer project and with pkg-config.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MINT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/mint CACHE STRING
    "Where the CMake package files are installed, relative to the prefix")
mark_as_advanced(MINT_INSTALL_CMAKEDIR)

install(FILES ${PROJECT_SOURCE_DIR}/include/mint/mint.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mint COMPONENT mint_development)

install(TARGETS mint_static mint_shared EXPORT mintTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT mint_development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT mint_runtime
          NAMELINK_COMPONENT mint_development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT mint_runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})  # on the targets' include path

install(TARGETS mint_tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT mint_tools)

# CMake package: mintTargets.cmake (the imported targets mint::mint and mint::mint_shared),
# mintConfig.cmake (finds the dependencies, then includes the targets) and the version file.
install(EXPORT mintTargets NAMESPACE mint:: DESTINATION ${MINT_INSTALL_CMAKEDIR}
        FILE mintTargets.cmake COMPONENT mint_development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/mintConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/mintConfig.cmake
  INSTALL_DESTINATION ${MINT_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# 0.x releases make no compatibility promise between minor versions; from 1.0 on, the same
# major version is compatible.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_mint_compat SameMinorVersion)
else()
  set(_mint_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/mintConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${_mint_compat})
install(FILES ${PROJECT_BINARY_DIR}/package/mintConfig.cmake
              ${PROJECT_BINARY_DIR}/package/mintConfigVersion.cmake
        DESTINATION ${MINT_INSTALL_CMAKEDIR} COMPONENT mint_development)

# pkg-config. Libs.private lists what static linking (pkg-config --static) needs besides
# libmint.a: the dependencies and the C++ runtime, since libmint is written in C++. The prefix
# is written relative to the .pc file's folder (${pcfiledir}), so the file stays right whatever
# `cmake --install --prefix` says and wherever the installed tree is moved.
set(MINT_PC_LIBS_PRIVATE "-lXNNPACK -lpthreadpool -lcpuinfo -lstdc++ -lm -pthread")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(MINT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")  # not relocatable
else()
  file(RELATIVE_PATH _mint_up /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
  string(REGEX REPLACE "/$" "" _mint_up "${_mint_up}")
  set(MINT_PC_PREFIX "\${pcfiledir}/${_mint_up}")
endif()
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(MINT_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(MINT_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/mint.pc.in ${PROJECT_BINARY_DIR}/package/mint.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/mint.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT mint_development)
