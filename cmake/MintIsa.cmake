# ISA flags by folder: every source under kernels/<arch>/<isa>/ is compiled with the flags of
# that ISA and nothing else is. ISA-specific code lives only there, so no translation unit mixes
# instruction sets (see ruy/path.h on the One Definition Rule hazard).
#
#   mint_isa_sources(<out-var>)  appends the kernel sources of the target architecture to
#                                <out-var>, each with its folder's compile flags.
set(MINT_ISA_FLAGS_avx2        -mavx2 -mfma -mf16c)
set(MINT_ISA_FLAGS_avx512      -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -mf16c)
set(MINT_ISA_FLAGS_avx512vnni  -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni -mfma -mf16c)
set(MINT_ISA_FLAGS_neon        -march=armv8-a)
set(MINT_ISA_FLAGS_neondot     -march=armv8.2-a+dotprod)
set(MINT_ISA_FLAGS_neonfp16    -march=armv8.2-a+fp16)
set(MINT_ISA_FLAGS_neoni8mm    -march=armv8.2-a+dotprod+i8mm)

set(MINT_ISAS_x86 avx2 avx512 avx512vnni)
set(MINT_ISAS_arm neon neondot neonfp16 neoni8mm)

function(mint_isa_sources out_var)
  set(sources ${${out_var}})
  foreach(isa IN LISTS MINT_ISAS_${MINT_ARCH})
    file(GLOB isa_sources CONFIGURE_DEPENDS
         ${PROJECT_SOURCE_DIR}/kernels/${MINT_ARCH}/${isa}/*.cc)
    if(isa_sources)
      set_source_files_properties(${isa_sources} PROPERTIES COMPILE_OPTIONS "${MINT_ISA_FLAGS_${isa}}")
      list(APPEND sources ${isa_sources})
    endif()
  endforeach()
  set(${out_var} ${sources} PARENT_SCOPE)
endfunction()
