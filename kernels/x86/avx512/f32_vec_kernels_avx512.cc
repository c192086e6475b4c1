// The activation, row-quantization and normalization kernels compiled with the avx512 flags of
// this folder: kernels/f32_vec_kernels_impl.inc over 16-float AVX-512 vectors (Avx512Vec).
#include "kernels/x86/avx512/f32_vec_avx512.h"

#define MINT_VEC Avx512Vec
#define MINT_VEC_SUFFIX avx512
#include "kernels/f32_vec_kernels_impl.inc"
