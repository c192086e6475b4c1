// f32 activation kernels of kernels/elementwise.h compiled with the neon flags of this folder:
// the functions of kernels/f32_vec_math.h over 4-float NEON vectors.

#include "kernels/elementwise.h"
#include "kernels/f32_vec_math.h"
#include "kernels/arm/neon/f32_vec_neon.h"

namespace mint {

void f32_tanh_neon(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<NeonVec, vec_tanh<NeonVec>>(n, x, y);
}

void f32_sigmoid_neon(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<NeonVec, vec_sigmoid<NeonVec>>(n, x, y);
}

void f32_gelu_neon(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<NeonVec, vec_gelu<NeonVec>>(n, x, y);
}

void f32_gelu_tanh_neon(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<NeonVec, vec_gelu_tanh<NeonVec>>(n, x, y);
}

void f32_silu_neon(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<NeonVec, vec_silu<NeonVec>>(n, x, y);
}

}  // namespace mint
