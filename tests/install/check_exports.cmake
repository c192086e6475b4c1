# The `shared_library_exports` test: libmint.so must export the C ABI of include/mint/mint.h and
# nothing else (cmake/libmint.map makes it so). Run by CTest as
#   cmake -DNM=<nm> -DLIBRARY=<libmint.so> -DHEADER=<mint.h> -P check_exports.cmake
# Fails when a defined dynamic symbol is not mint_* (the linker's own markers aside), or when a
# function the header declares with MINT_API is not exported.
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND ${NM} -D --defined-only ${LIBRARY} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${LIBRARY} failed (exit ${rc}): ${err}")
endif()

# Lines are "<address> <type> <name>[@version]".
string(REPLACE "\n" ";" lines "${out}")
set(exported)
set(foreign)
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^[0-9a-fA-F]* *[A-Za-z] ([^@ ]+)")
    continue()
  endif()
  set(name ${CMAKE_MATCH_1})
  if(name MATCHES "^mint_")
    list(APPEND exported ${name})
  elseif(NOT name MATCHES "^(_init|_fini|_edata|_end|__end__|__bss_start__?|_?_bss_end__)$")
    list(APPEND foreign ${name})
  endif()
endforeach()
list(LENGTH exported exported_count)
message(STATUS "${LIBRARY}: ${exported_count} mint_* symbols exported")
if(foreign)
  list(JOIN foreign "\n  " shown)
  message(FATAL_ERROR "libmint.so exports symbols outside the C ABI:\n  ${shown}")
endif()

file(STRINGS ${HEADER} declarations REGEX "^MINT_API ")
set(missing)
foreach(declaration IN LISTS declarations)
  if(declaration MATCHES "(mint_[a-z0-9_]+)\\(")
    if(NOT CMAKE_MATCH_1 IN_LIST exported)
      list(APPEND missing ${CMAKE_MATCH_1})
    endif()
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "libmint.so does not export these functions of mint.h: ${missing}")
endif()
