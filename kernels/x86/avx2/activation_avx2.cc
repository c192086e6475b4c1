// f32 activation kernels of kernels/elementwise.h compiled with the avx2 flags of this folder:
// the functions of kernels/f32_vec_math.h over 8-float AVX2 vectors.

#include "kernels/elementwise.h"
#include "kernels/f32_vec_math.h"
#include "kernels/x86/avx2/f32_vec_avx2.h"

namespace mint {

void f32_tanh_avx2(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx2Vec, vec_tanh<Avx2Vec>>(n, x, y);
}

void f32_sigmoid_avx2(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx2Vec, vec_sigmoid<Avx2Vec>>(n, x, y);
}

void f32_gelu_avx2(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx2Vec, vec_gelu<Avx2Vec>>(n, x, y);
}

void f32_gelu_tanh_avx2(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx2Vec, vec_gelu_tanh<Avx2Vec>>(n, x, y);
}

void f32_silu_avx2(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx2Vec, vec_silu<Avx2Vec>>(n, x, y);
}

}  // namespace mint
