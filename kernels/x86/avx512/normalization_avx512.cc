// Normalization kernels (kernels/normalization.h) compiled with the avx512 flags of this folder:
// kernels/normalization_vec.h over 16-float AVX-512 vectors.

#include "kernels/normalization.h"
#include "kernels/normalization_vec.h"
#include "kernels/x86/avx512/f32_vec_avx512.h"

namespace mint {

void f32_layer_norm_avx512(size_t rows, size_t d, const float* x, const float* gamma,
                           const float* beta, float epsilon, float* y) {
  f32_layer_norm_vec<Avx512Vec>(rows, d, x, gamma, beta, epsilon, y);
}

void f32_rms_norm_avx512(size_t rows, size_t d, const float* x, const float* gamma, float epsilon,
                         float* y) {
  f32_rms_norm_vec<Avx512Vec>(rows, d, x, gamma, epsilon, y);
}

}  // namespace mint
