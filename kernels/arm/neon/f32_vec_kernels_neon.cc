// The activation, row-quantization and normalization kernels compiled with the neon flags of
// this folder: kernels/f32_vec_kernels_impl.inc over 4-float NEON vectors (NeonVec).
#include "kernels/arm/neon/f32_vec_neon.h"

#define MINT_VEC NeonVec
#define MINT_VEC_SUFFIX neon
#include "kernels/f32_vec_kernels_impl.inc"
