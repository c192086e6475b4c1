// The dynamic row quantization of kernels/quantize.h (qs8_quantize_rows_<isa>, list
// kernels/quantize_rows.inc), written once: the per-row parameters and the per-value rounding
// as scalar helpers that the scalar reference uses too, and the loop over a vector type V of
// V::kWidth floats (kernels/x86/avx2/f32_vec_avx2.h, ...) that each ISA folder instantiates.
//
// Every step is the reference's, so every variant equals it bit for bit
// (tests/quantize_rows_kernel_test.cc):
//   lo / hi: lane-wise lo = (x < lo) ? x : lo and hi = (hi < x) ? x : hi from 0 (std::min /
//            std::max; NaN is skipped, -0 never replaces 0), the lanes then the k % kWidth tail
//            combined the same way: min and max are exact, so the order does not matter;
//   q:       round-half-even(x * inv_scale) + zp in f32, then (-128 < v) ? v : -128 and
//            (v < 127) ? v : 127 (so NaN gives -128), converted exactly.
//
// V provides (beyond kernels/f32_vec_math.h's list): store_qs8(int8_t*, v) for v integral in
// [-128, 127].
//
// Internal linkage on purpose (anonymous namespace; see kernels/col2im_row.h). Include only from
// kernel sources.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/gemm.h"  // Qs8RowQuant

namespace mint {
namespace {

// The quantization of a row whose values lie in [lo, hi] (lo <= 0 <= hi).
struct Qs8RowParams {
  Qs8RowQuant quant;
  float zp;         // quant.zero_point as f32
  float inv_scale;  // 1 / quant.scale
};

inline Qs8RowParams qs8_row_params(float lo, float hi) {
  const float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
  const float zp = std::min(127.0f, std::max(-128.0f, std::nearbyint(-128.0f - lo / scale)));
  return {{static_cast<int32_t>(zp), scale}, zp, 1.0f / scale};
}

inline int8_t qs8_row_value(float x, const Qs8RowParams& p) {
  // Clamped in float so that NaN or huge values never reach an out-of-range conversion.
  const float v = std::nearbyint(x * p.inv_scale) + p.zp;
  return static_cast<int8_t>(std::min(127.0f, std::max(-128.0f, v)));
}

template <typename V>
inline void qs8_quantize_rows_vec(size_t m, size_t k, const float* x, size_t x_stride, int8_t* q,
                                  size_t q_stride, Qs8RowQuant* quant) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  const VT vmin = V::set1(-128.0f), vmax = V::set1(127.0f);
  for (size_t i = 0; i < m; ++i) {
    const float* row = x + i * x_stride;
    VT vlo = V::zero(), vhi = V::zero();
    size_t j = 0;
    for (; j + W <= k; j += W) {
      const VT v = V::load(row + j);
      vlo = V::select_lt(v, vlo, v, vlo);
      vhi = V::select_lt(vhi, v, v, vhi);
    }
    float lanes_lo[W], lanes_hi[W];
    V::store(lanes_lo, vlo);
    V::store(lanes_hi, vhi);
    float lo = 0.0f, hi = 0.0f;
    for (size_t l = 0; l < W; ++l) {
      lo = std::min(lo, lanes_lo[l]);
      hi = std::max(hi, lanes_hi[l]);
    }
    for (; j < k; ++j) {
      lo = std::min(lo, row[j]);
      hi = std::max(hi, row[j]);
    }
    const Qs8RowParams p = qs8_row_params(lo, hi);
    const VT vinv = V::set1(p.inv_scale), vzp = V::set1(p.zp);
    int8_t* out = q + i * q_stride;
    for (j = 0; j + W <= k; j += W) {
      VT v = V::add(V::round(V::mul(V::load(row + j), vinv)), vzp);
      v = V::select_lt(vmin, v, v, vmin);
      v = V::select_lt(v, vmax, v, vmax);
      V::store_qs8(out + j, v);
    }
    for (; j < k; ++j) out[j] = qs8_row_value(row[j], p);
    for (j = k; j < q_stride; ++j) out[j] = 0;
    quant[i] = p.quant;
  }
}

}  // namespace
}  // namespace mint
