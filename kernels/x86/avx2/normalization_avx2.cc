// Normalization kernels (kernels/normalization.h) compiled with the avx2 flags of this folder:
// kernels/normalization_vec.h over 8-float AVX2 vectors.

#include "kernels/normalization.h"
#include "kernels/normalization_vec.h"
#include "kernels/x86/avx2/f32_vec_avx2.h"

namespace mint {

void f32_layer_norm_avx2(size_t rows, size_t d, const float* x, const float* gamma,
                         const float* beta, float epsilon, float* y) {
  f32_layer_norm_vec<Avx2Vec>(rows, d, x, gamma, beta, epsilon, y);
}

void f32_rms_norm_avx2(size_t rows, size_t d, const float* x, const float* gamma, float epsilon,
                       float* y) {
  f32_rms_norm_vec<Avx2Vec>(rows, d, x, gamma, epsilon, y);
}

}  // namespace mint
