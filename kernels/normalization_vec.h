// The loops of the vectorized normalization kernels (kernels/normalization.h:
// f32_layer_norm_<isa>, f32_rms_norm_<isa>, list kernels/normalization.inc), written once over a
// vector type V of V::kWidth floats that each ISA folder instantiates.
//
// The row statistics are the reference's sums in double, reassociated: kWidth double lanes
// (V::F64Acc) then the d % kWidth tail, so the f32 mean m and inverse deviation s that they
// round to are the reference's or an adjacent float. The output is the reference's expression
// with those m and s, in the same operations (no fused multiply-add), the tail through the same
// vector code on a zero-padded copy:
//   layer norm: y = ((x - m) * s) * gamma + (beta or 0)
//   RMS norm:   y = (x * s) * gamma
// So, row by row, a variant equals the reference evaluated with (m', s') each within one f32
// ulp of the reference's (tests/normalization_kernel_test.cc checks exactly that).
//
// V provides (beyond kernels/f32_vec_math.h's list): F64Acc, f64_zero(), f64_add(acc, v)
// (acc += (double)v), f64_add_sq_diff(acc, v, c) (acc += ((double)v - c)^2), f64_sum(acc).
//
// Internal linkage on purpose (anonymous namespace; see kernels/col2im_row.h). Include only from
// kernel sources.
#pragma once

#include <cmath>
#include <cstddef>

namespace mint {
namespace {

// y[0..n) = f(x[0..n), gamma, beta) for n < kWidth through a zero-padded vector.
template <typename V, typename F>
inline void norm_tail(size_t n, const float* x, const float* gamma, const float* beta, float* y,
                      F&& f) {
  constexpr size_t W = V::kWidth;
  float px[W] = {}, pg[W] = {}, pb[W] = {};
  for (size_t t = 0; t < n; ++t) {
    px[t] = x[t];
    pg[t] = gamma[t];
    pb[t] = beta ? beta[t] : 0.0f;
  }
  V::store(px, f(V::load(px), V::load(pg), V::load(pb)));
  for (size_t t = 0; t < n; ++t) y[t] = px[t];
}

template <typename V>
inline void f32_layer_norm_vec(size_t rows, size_t d, const float* x, const float* gamma,
                               const float* beta, float epsilon, float* y) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    typename V::F64Acc acc = V::f64_zero();
    size_t j = 0;
    for (; j + W <= d; j += W) V::f64_add(acc, V::load(xr + j));
    double sum = V::f64_sum(acc);
    for (; j < d; ++j) sum += xr[j];
    const double mean = sum / static_cast<double>(d);
    acc = V::f64_zero();
    for (j = 0; j + W <= d; j += W) V::f64_add_sq_diff(acc, V::load(xr + j), mean);
    double sq = V::f64_sum(acc);
    for (; j < d; ++j) {
      const double c = xr[j] - mean;
      sq += c * c;
    }
    const double inv_std = 1.0 / std::sqrt(sq / static_cast<double>(d) + epsilon);
    const VT m = V::set1(static_cast<float>(mean)), s = V::set1(static_cast<float>(inv_std));
    const auto f = [&](VT xv, VT g, VT b) {
      return V::add(V::mul(V::mul(V::sub(xv, m), s), g), b);
    };
    for (j = 0; j + W <= d; j += W) {
      V::store(yr + j,
               f(V::load(xr + j), V::load(gamma + j), beta ? V::load(beta + j) : V::zero()));
    }
    if (j < d) norm_tail<V>(d - j, xr + j, gamma + j, beta ? beta + j : nullptr, yr + j, f);
  }
}

template <typename V>
inline void f32_rms_norm_vec(size_t rows, size_t d, const float* x, const float* gamma,
                             float epsilon, float* y) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    typename V::F64Acc acc = V::f64_zero();
    size_t j = 0;
    for (; j + W <= d; j += W) V::f64_add_sq_diff(acc, V::load(xr + j), 0.0);
    double sq = V::f64_sum(acc);
    for (; j < d; ++j) sq += static_cast<double>(xr[j]) * xr[j];
    const VT s =
        V::set1(static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(d) + epsilon)));
    const auto f = [&](VT xv, VT g, VT) { return V::mul(V::mul(xv, s), g); };
    for (j = 0; j + W <= d; j += W) V::store(yr + j, f(V::load(xr + j), V::load(gamma + j), s));
    if (j < d) norm_tail<V>(d - j, xr + j, gamma + j, nullptr, yr + j, f);
  }
}

}  // namespace
}  // namespace mint
