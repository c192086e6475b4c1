# The `install` test: installs a built mint into a fresh prefix and uses it from outside, the
# way an application would. Run by CTest (see tests/install/CMakeLists.txt) as
#   cmake -DMINT_BUILD_DIR=... -DWORK_DIR=... [...] -P install_test.cmake
#
#   1. cmake --install MINT_BUILD_DIR --prefix WORK_DIR/prefix; the expected files are there.
#   2. The consumer project (tests/install/consumer) finds it with find_package(mint), links
#      mint::mint and mint::mint_shared, and runs; once as a C-only project, once with CXX.
#   3. pkg-config --cflags --libs mint compiles and links a C program against libmint.so, and
#      pkg-config --static --libs mint links one against libmint.a.
# Every step prints what it runs; the first failure stops the test with FATAL_ERROR.
cmake_minimum_required(VERSION 3.25)

foreach(var MINT_BUILD_DIR WORK_DIR CONSUMER_DIR GENERATOR C_COMPILER LIBDIR VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake: -D${var}=... is required")
  endif()
endforeach()
set(prefix ${WORK_DIR}/prefix)

# run(<name> COMMAND ... [EXPECT <regex>]): runs a command, fails the test unless it exits 0
# and (when given) its output matches <regex>.
function(run name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "EXPECT" "COMMAND")
  list(JOIN arg_COMMAND " " shown)
  message(STATUS "${name}: ${shown}")
  execute_process(COMMAND ${arg_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (exit ${rc}):\n${out}")
  endif()
  if(DEFINED arg_EXPECT AND NOT out MATCHES "${arg_EXPECT}")
    message(FATAL_ERROR "${name}: output does not match '${arg_EXPECT}':\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
run(install COMMAND ${CMAKE_COMMAND} --install ${MINT_BUILD_DIR} --prefix ${prefix} ${config_args})

set(expected
  include/mint/mint.h
  ${LIBDIR}/libmint.a
  ${LIBDIR}/libmint.so
  ${LIBDIR}/libmint.so.${VERSION}
  bin/mint
  ${LIBDIR}/cmake/mint/mintConfig.cmake
  ${LIBDIR}/cmake/mint/mintConfigVersion.cmake
  ${LIBDIR}/cmake/mint/mintTargets.cmake
  ${LIBDIR}/pkgconfig/mint.pc)
foreach(file IN LISTS expected)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install: ${prefix}/${file} is missing")
  endif()
endforeach()
string(REGEX MATCH "^[0-9]+" major "${VERSION}")
if(NOT IS_SYMLINK ${prefix}/${LIBDIR}/libmint.so.${major})
  message(FATAL_ERROR "install: the soname link ${prefix}/${LIBDIR}/libmint.so.${major} is missing")
endif()
file(GLOB leaked ${prefix}/${LIBDIR}/*mint_* ${prefix}/include/*)
list(REMOVE_ITEM leaked ${prefix}/include/mint)
if(leaked)
  message(FATAL_ERROR "install: internal files were installed: ${leaked}")
endif()
execute_process(COMMAND ${prefix}/bin/mint RESULT_VARIABLE rc ERROR_VARIABLE out)
if(NOT out MATCHES "usage:")
  message(FATAL_ERROR "install: bin/mint without arguments printed no usage (exit ${rc}):\n${out}")
endif()

# 2. CMake package.
foreach(flavour c cxx)
  set(build ${WORK_DIR}/consumer-${flavour})
  set(args -S ${CONSUMER_DIR} -B ${build} -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix}
           -DCMAKE_C_COMPILER=${C_COMPILER})
  if(MAKE_PROGRAM)
    list(APPEND args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
  endif()
  if(CONFIG)
    list(APPEND args -DCMAKE_BUILD_TYPE=${CONFIG})
  endif()
  if(LINK_FLAGS)
    list(APPEND args "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}")
  endif()
  if(flavour STREQUAL "cxx")
    list(APPEND args -DCONSUMER_ENABLE_CXX=ON -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  endif()
  run(configure-${flavour} COMMAND ${CMAKE_COMMAND} ${args})
  run(build-${flavour} COMMAND ${CMAKE_COMMAND} --build ${build} ${config_args})
  foreach(exe consumer_static consumer_shared)
    set(exe_path ${build}/${exe})
    if(CONFIG AND EXISTS ${build}/${CONFIG}/${exe})  # multi-config generators
      set(exe_path ${build}/${CONFIG}/${exe})
    endif()
    run(${exe}-${flavour} COMMAND ${exe_path} EXPECT "consumer ok")
  endforeach()
endforeach()

# 3. pkg-config.
if(NOT PKG_CONFIG)
  message(STATUS "pkg-config: not found, skipping its checks")
  return()
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
run(pkg-config-version COMMAND ${PKG_CONFIG} --modversion mint EXPECT "^${VERSION}")
run(pkg-config-flags COMMAND ${PKG_CONFIG} --cflags --libs mint EXPECT "-lmint")
separate_arguments(flags UNIX_COMMAND "${run_output}")
separate_arguments(link_flags UNIX_COMMAND "${LINK_FLAGS}")
run(pkg-config-link-shared COMMAND ${C_COMPILER} ${CONSUMER_DIR}/main.c ${flags} ${link_flags}
                                   -o ${WORK_DIR}/pc_consumer_shared)
set(ENV{LD_LIBRARY_PATH} ${prefix}/${LIBDIR})
run(pc_consumer_shared COMMAND ${WORK_DIR}/pc_consumer_shared EXPECT "consumer ok")
unset(ENV{LD_LIBRARY_PATH})

# --static adds Libs.private; -lmint is replaced by the archive itself, since the linker would
# otherwise take libmint.so from the same folder.
run(pkg-config-static COMMAND ${PKG_CONFIG} --static --cflags --libs mint EXPECT "-lXNNPACK")
separate_arguments(flags UNIX_COMMAND "${run_output}")
list(TRANSFORM flags REPLACE "^-lmint$" "${prefix}/${LIBDIR}/libmint.a")
run(pkg-config-link-static COMMAND ${C_COMPILER} ${CONSUMER_DIR}/main.c ${flags} ${link_flags}
                                   -o ${WORK_DIR}/pc_consumer_static)
run(pc_consumer_static COMMAND ${WORK_DIR}/pc_consumer_static EXPECT "consumer ok")

message(STATUS "install test passed")
