// Normalization kernels (kernels/normalization.h) compiled with the neon flags of this folder:
// kernels/normalization_vec.h over 4-float NEON vectors.

#include "kernels/arm/neon/f32_vec_neon.h"
#include "kernels/normalization.h"
#include "kernels/normalization_vec.h"

namespace mint {

void f32_layer_norm_neon(size_t rows, size_t d, const float* x, const float* gamma,
                         const float* beta, float epsilon, float* y) {
  f32_layer_norm_vec<NeonVec>(rows, d, x, gamma, beta, epsilon, y);
}

void f32_rms_norm_neon(size_t rows, size_t d, const float* x, const float* gamma, float epsilon,
                       float* y) {
  f32_rms_norm_vec<NeonVec>(rows, d, x, gamma, epsilon, y);
}

}  // namespace mint
