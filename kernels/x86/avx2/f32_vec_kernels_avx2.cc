// The activation, row-quantization and normalization kernels compiled with the avx2 flags of
// this folder: kernels/f32_vec_kernels_impl.inc over 8-float AVX2 vectors (Avx2Vec).
#include "kernels/x86/avx2/f32_vec_avx2.h"

#define MINT_VEC Avx2Vec
#define MINT_VEC_SUFFIX avx2
#include "kernels/f32_vec_kernels_impl.inc"
