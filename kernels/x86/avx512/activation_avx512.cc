// f32 activation kernels of kernels/elementwise.h compiled with the avx512 flags of this folder:
// the functions of kernels/f32_vec_math.h over 16-float AVX-512 vectors.

#include "kernels/elementwise.h"
#include "kernels/f32_vec_math.h"
#include "kernels/x86/avx512/f32_vec_avx512.h"

namespace mint {

void f32_tanh_avx512(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx512Vec, vec_tanh<Avx512Vec>>(n, x, y);
}

void f32_sigmoid_avx512(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx512Vec, vec_sigmoid<Avx512Vec>>(n, x, y);
}

void f32_gelu_avx512(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx512Vec, vec_gelu<Avx512Vec>>(n, x, y);
}

void f32_gelu_tanh_avx512(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx512Vec, vec_gelu_tanh<Avx512Vec>>(n, x, y);
}

void f32_silu_avx512(size_t n, const float* x, float* y, const F32UnaryParams*) {
  f32_unary_vec<Avx512Vec, vec_silu<Avx512Vec>>(n, x, y);
}

}  // namespace mint
