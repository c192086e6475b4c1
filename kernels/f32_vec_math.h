// Vector f32 math written once over a vector type V of V::kWidth floats, instantiated by each
// ISA translation unit with its own V (kernels/x86/avx2/f32_vec_avx2.h,
// kernels/x86/avx512/f32_vec_avx512.h, kernels/arm/neon/f32_vec_neon.h): the exponential used
// by the attention softmax (kernels/attention_head.h) and the activation family of
// kernels/elementwise.h (tanh, sigmoid, gelu, gelu_tanh, silu).
//
//   vec_exp(x):      Cody-Waite range reduction x = n ln2 + r (n = round(x / ln2), ln2 split in
//                    a high part exact in 9 bits and a low part), |r| <= ln2 / 2,
//                    exp(r) ~ 1 + r + r^2 p(r) with p of degree 5 (the Cephes expf
//                    coefficients, ~1 ulp), times 2^n built in the exponent bits. x < -87.33
//                    (where expf leaves the normal range) gives 0, x > 88 is clamped to 88 (a
//                    finite 1.65e38), NaN gives 0: callers that can see NaN keep it themselves.
//   vec_sigmoid(x):  e = exp(-|x|), r = 1 / (1 + e); x >= 0 ? r : e * r. No cancellation on
//                    either side, so the error is relative (a few ulp) for every x.
//   vec_tanh(x):     |x| < 0.625: x + x s P(s), s = x^2, the odd Cephes tanhf polynomial
//                    (relative error ~1 ulp, no cancellation near 0); otherwise
//                    sign(x) (1 - e) / (1 + e), e = exp(-2|x|) <= 0.287.
//   vec_gelu(x):     0.5 x erfc(-x / sqrt 2) with erfc(z) for z = |x| / sqrt 2 from the Chebyshev
//                    fit of Numerical Recipes (erfcc: t = 1 / (1 + z / 2),
//                    erfc(z) = t exp(-z^2 + P9(t)), relative error < 1.2e-7 for every z >= 0):
//                    x < 0 ? x h : x (1 - h), h = erfc(z) / 2 <= 1/2. The value is relative-
//                    accurate for negative x too, where the reference 0.5 x (1 + erf(x / sqrt 2))
//                    cancels (its own error there is ~|x| ulp(1) / 2).
//   vec_gelu_tanh(x): x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the same function as
//                    0.5 x (1 + tanh u) (0.5 (1 + tanh u) = sigmoid(2u)) without its
//                    cancellation for x << 0.
//   vec_silu(x):     x sigmoid(x).
// The activations keep NaN (NaN in, NaN out) and give the reference's values at +-inf
// (x * 0 = NaN where the reference computes -inf * 0 too: silu, gelu and gelu_tanh at -inf).
//
// f32_unary_vec<V, F>(n, x, y) applies F to x[0..n) -> y[0..n), kWidth at a time, the tail of
// n % kWidth values through the same F on a zero-padded vector (so every element sees the
// same operations whatever its position). x and y may be the same array.
//
// V provides: V (vector type), kWidth, zero(), set1(f), load(const float*), store(float*, v),
// add, sub, mul, div, min, max, fmadd(a, b, c) = a * b + c, abs, with_sign_of(mag, s) (mag with
// the sign bit of s), select_lt(x, y, a, b) = x < y ? a : b (false for NaN), keep_nan(v, x) (x
// where x is NaN, else v), round(v) (to nearest even), pow2(n) (2^n for integral n in
// [-126, 127]), zero_below(v, x, lo) (v where x >= lo, else 0).
//
// Internal linkage on purpose (anonymous namespace; see kernels/col2im_row.h). Include only from
// kernel sources.
#pragma once

#include <cstddef>

namespace mint {
namespace {

template <typename V>
inline typename V::V vec_exp(typename V::V x) {
  using VT = typename V::V;
  const VT lo = V::set1(-87.336544f), hi = V::set1(88.0f);
  const VT xm = V::min(V::max(x, lo), hi);
  const VT n = V::round(V::mul(xm, V::set1(1.44269504088896341f)));
  VT r = V::fmadd(n, V::set1(-0.693359375f), xm);
  r = V::fmadd(n, V::set1(2.12194440e-4f), r);
  VT p = V::set1(1.9875691500e-4f);
  p = V::fmadd(p, r, V::set1(1.3981999507e-3f));
  p = V::fmadd(p, r, V::set1(8.3334519073e-3f));
  p = V::fmadd(p, r, V::set1(4.1665795894e-2f));
  p = V::fmadd(p, r, V::set1(1.6666665459e-1f));
  p = V::fmadd(p, r, V::set1(5.0000001201e-1f));
  const VT e = V::add(V::fmadd(V::mul(p, r), r, r), V::set1(1.0f));
  return V::zero_below(V::mul(e, V::pow2(n)), x, lo);
}

template <typename V>
inline typename V::V vec_sigmoid(typename V::V x) {
  using VT = typename V::V;
  const VT e = vec_exp<V>(V::sub(V::zero(), V::abs(x)));
  const VT r = V::div(V::set1(1.0f), V::add(V::set1(1.0f), e));
  return V::keep_nan(V::select_lt(x, V::zero(), V::mul(e, r), r), x);
}

template <typename V>
inline typename V::V vec_tanh(typename V::V x) {
  using VT = typename V::V;
  const VT a = V::abs(x);
  const VT s = V::mul(x, x);
  VT p = V::set1(-5.70498872745e-3f);
  p = V::fmadd(p, s, V::set1(2.06390887954e-2f));
  p = V::fmadd(p, s, V::set1(-5.37397155531e-2f));
  p = V::fmadd(p, s, V::set1(1.33314422036e-1f));
  p = V::fmadd(p, s, V::set1(-3.33332819422e-1f));
  const VT small = V::fmadd(V::mul(p, s), x, x);
  const VT e = vec_exp<V>(V::mul(a, V::set1(-2.0f)));
  const VT one = V::set1(1.0f);
  const VT large = V::with_sign_of(V::div(V::sub(one, e), V::add(one, e)), x);
  return V::keep_nan(V::select_lt(a, V::set1(0.625f), small, large), x);
}

template <typename V>
inline typename V::V vec_gelu(typename V::V x) {
  using VT = typename V::V;
  const VT z = V::mul(V::abs(x), V::set1(0.70710678118654752f));
  const VT one = V::set1(1.0f);
  const VT t = V::div(one, V::fmadd(z, V::set1(0.5f), one));
  VT p = V::set1(0.17087277f);
  p = V::fmadd(p, t, V::set1(-0.82215223f));
  p = V::fmadd(p, t, V::set1(1.48851587f));
  p = V::fmadd(p, t, V::set1(-1.13520398f));
  p = V::fmadd(p, t, V::set1(0.27886807f));
  p = V::fmadd(p, t, V::set1(-0.18628806f));
  p = V::fmadd(p, t, V::set1(0.09678418f));
  p = V::fmadd(p, t, V::set1(0.37409196f));
  p = V::fmadd(p, t, V::set1(1.00002368f));
  p = V::fmadd(p, t, V::set1(-1.26551223f));
  const VT h = V::mul(V::mul(t, V::set1(0.5f)), vec_exp<V>(V::sub(p, V::mul(z, z))));
  return V::keep_nan(V::mul(x, V::select_lt(x, V::zero(), h, V::sub(one, h))), x);
}

template <typename V>
inline typename V::V vec_gelu_tanh(typename V::V x) {
  // 2 sqrt(2/pi) and 2 sqrt(2/pi) 0.044715
  const typename V::V u2 =
      V::mul(x, V::fmadd(V::mul(x, x), V::set1(0.0713548162726f), V::set1(1.59576912161f)));
  return V::keep_nan(V::mul(x, vec_sigmoid<V>(u2)), x);
}

template <typename V>
inline typename V::V vec_silu(typename V::V x) {
  return V::mul(x, vec_sigmoid<V>(x));
}

template <typename V, typename V::V (*F)(typename V::V)>
inline void f32_unary_vec(size_t n, const float* x, float* y) {
  constexpr size_t W = V::kWidth;
  size_t i = 0;
  for (; i + W <= n; i += W) V::store(y + i, F(V::load(x + i)));
  if (i < n) {
    float pad[W] = {};
    for (size_t t = 0; i + t < n; ++t) pad[t] = x[i + t];
    V::store(pad, F(V::load(pad)));
    for (size_t t = 0; i + t < n; ++t) y[i + t] = pad[t];
  }
}

}  // namespace
}  // namespace mint
