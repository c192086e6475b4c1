// The loops of the vectorized attention kernels (kernels/attention.h:
// f32_attention_head_{f32,f16,qs8}kv_<isa> and f32_attention_rows_*), written once over a vector
// type V of V::kWidth floats; each ISA translation unit (kernels/x86/avx2, kernels/x86/avx512,
// kernels/arm/neon) instantiates them with its own V (templates per ISA TU, not generated code).
//
//   scores:  K rows four at a time, each q . k_j over d in vectors (one accumulator per row, the
//            four horizontal sums together, then the d % kWidth tail in order), then
//            (* k_scale) * scale as the reference;
//   softmax: a vector max, e_j = exp(s_j - max) by vec_exp (kernels/f32_vec_math.h, ~1 ulp;
//            attention only passes s - max <= 0), a vector sum,
//            w_j = e_j * (1 / sum);
//   y:       d in blocks of up to kBlock vectors held in registers across all j,
//            y += w_j v_j (fused multiply-add, j in order per lane), the d % kWidth tail in order.
//   rows:    four query rows per pass over K and V (attention_rows4_impl), every score and lane
//            computed as above, so bit-identical to the head loop row by row.
//
// V provides: V (vector type), kWidth, kBlock (vectors of y in registers for one row),
// kRowBlock (the same for four rows), zero(), set1(f), load(const float*),
// load(const uint16_t* f16), load(const int8_t*), store(float*, v), add, sub, mul, min, max,
// fmadd(a, b, c) = a * b + c, reduce_add4(a, b, c, d, out[4]) (four horizontal sums at once),
// reduce_add(v) (the first sum of reduce_add4(v, v, v, v): the same tree), reduce_max(v),
// round(v) (to nearest even), pow2(n) (2^n for integral n in [-126, 127]),
// zero_below(v, x, lo) (v where x >= lo, else 0).
//
// Internal linkage on purpose (anonymous namespace; see kernels/col2im_row.h). Include only from
// kernel sources.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/f32_vec_math.h"
#include "kernels/fp16.h"

namespace mint {
namespace {

inline float attention_elem(float x) { return x; }
inline float attention_elem(uint16_t h) { return f16_to_f32(h); }
inline float attention_elem(int8_t x) { return static_cast<float>(x); }

// scores[j] <- softmax weights of scores[0..len) (len >= 1).
template <typename V>
inline void attention_softmax(size_t len, float* scores) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  size_t j = 0;
  float max_s = scores[0];
  if (len >= W) {
    VT m = V::load(scores);
    for (j = W; j + W <= len; j += W) m = V::max(m, V::load(scores + j));
    max_s = V::reduce_max(m);
  }
  for (; j < len; ++j) max_s = scores[j] > max_s ? scores[j] : max_s;
  const VT vmax = V::set1(max_s);
  VT sum = V::zero();
  for (j = 0; j + W <= len; j += W) {
    const VT e = vec_exp<V>(V::sub(V::load(scores + j), vmax));
    V::store(scores + j, e);
    sum = V::add(sum, e);
  }
  float total = V::reduce_add(sum);
  if (j < len) {  // the tail through the same exp, padded with a value it maps to 0
    float pad[V::kWidth];
    for (size_t t = 0; t < W; ++t) pad[t] = j + t < len ? scores[j + t] - max_s : -1000.0f;
    V::store(pad, vec_exp<V>(V::load(pad)));
    for (size_t t = 0; j + t < len; ++t) {
      scores[j + t] = pad[t];
      total += pad[t];
    }
  }
  const float inv = 1.0f / total;
  const VT vinv = V::set1(inv);
  for (j = 0; j + W <= len; j += W) V::store(scores + j, V::mul(V::load(scores + j), vinv));
  for (; j < len; ++j) scores[j] *= inv;
}

// acc[b] += w * row[i0 + b * W ...] over j for NB vectors starting at column i0.
template <typename V, typename T, size_t NB, bool kScaled>
inline void attention_v_block(size_t len, size_t i0, const T* v, size_t stride,
                              const float* v_scale, size_t scale_stride, const float* w, float* y) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  VT acc[NB];
  for (size_t b = 0; b < NB; ++b) acc[b] = V::zero();
  for (size_t j = 0; j < len; ++j) {
    const T* row = v + j * stride + i0;
    const VT wj = V::set1(kScaled ? w[j] * v_scale[j * scale_stride] : w[j]);
    for (size_t b = 0; b < NB; ++b) acc[b] = V::fmadd(wj, V::load(row + b * W), acc[b]);
  }
  for (size_t b = 0; b < NB; ++b) V::store(y + i0 + b * W, acc[b]);
}

template <typename V, typename T, size_t NB, bool kScaled>
inline void attention_v_rest(size_t nb, size_t len, size_t i0, const T* v, size_t stride,
                             const float* v_scale, size_t scale_stride, const float* w, float* y) {
  if constexpr (NB > 0) {
    if (nb == NB) {
      attention_v_block<V, T, NB, kScaled>(len, i0, v, stride, v_scale, scale_stride, w, y);
    } else {
      attention_v_rest<V, T, NB - 1, kScaled>(nb, len, i0, v, stride, v_scale, scale_stride, w, y);
    }
  }
}

template <typename T>
inline float attention_dot_tail(size_t i0, size_t d, const float* q, const T* k) {
  float s = 0.0f;
  for (size_t i = i0; i < d; ++i) s += q[i] * attention_elem(k[i]);
  return s;
}

template <typename V, typename T, bool kScaled>
inline void attention_head_impl(size_t len, size_t d, const float* q, const void* k_base,
                                const void* v_base, size_t stride, const float* k_scale,
                                const float* v_scale, size_t scale_stride, float scale,
                                float* scores, float* y) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  const T* k = static_cast<const T*>(k_base);
  const T* v = static_cast<const T*>(v_base);
  const size_t dv = d / W * W;
  size_t j = 0;
  for (; j + 4 <= len; j += 4) {
    const T* k0 = k + j * stride;
    const T* k1 = k0 + stride;
    const T* k2 = k1 + stride;
    const T* k3 = k2 + stride;
    VT a0 = V::zero(), a1 = V::zero(), a2 = V::zero(), a3 = V::zero();
    for (size_t i = 0; i < dv; i += W) {
      const VT qv = V::load(q + i);
      a0 = V::fmadd(qv, V::load(k0 + i), a0);
      a1 = V::fmadd(qv, V::load(k1 + i), a1);
      a2 = V::fmadd(qv, V::load(k2 + i), a2);
      a3 = V::fmadd(qv, V::load(k3 + i), a3);
    }
    float dot[4];
    V::reduce_add4(a0, a1, a2, a3, dot);
    const T* rows[4] = {k0, k1, k2, k3};
    for (size_t r = 0; r < 4; ++r) {
      float s = dot[r] + attention_dot_tail(dv, d, q, rows[r]);
      if (kScaled) s *= k_scale[(j + r) * scale_stride];
      scores[j + r] = s * scale;
    }
  }
  for (; j < len; ++j) {
    const T* kr = k + j * stride;
    VT a = V::zero();
    for (size_t i = 0; i < dv; i += W) a = V::fmadd(V::load(q + i), V::load(kr + i), a);
    float s = V::reduce_add(a) + attention_dot_tail(dv, d, q, kr);
    if (kScaled) s *= k_scale[j * scale_stride];
    scores[j] = s * scale;
  }
  attention_softmax<V>(len, scores);
  constexpr size_t B = V::kBlock;
  size_t i0 = 0;
  for (; i0 + B * W <= dv; i0 += B * W) {
    attention_v_block<V, T, B, kScaled>(len, i0, v, stride, v_scale, scale_stride, scores, y);
  }
  if (i0 < dv) {
    attention_v_rest<V, T, B - 1, kScaled>((dv - i0) / W, len, i0, v, stride, v_scale, scale_stride,
                                           scores, y);
  }
  for (size_t i = dv; i < d; ++i) {
    float acc = 0.0f;
    for (size_t jj = 0; jj < len; ++jj) {
      const float w = kScaled ? scores[jj] * v_scale[jj * scale_stride] : scores[jj];
      acc += w * attention_elem(v[jj * stride + i]);
    }
    y[i] = acc;
  }
}

// ---- several query rows per pass over K and V (kernels/attention.h: f32_attention_rows_*) ----
// Four query rows of lengths len, len + 1, len + 2, len + 3 share each K and V load (head dims
// up to kAttentionRowsMaxD; larger ones run row by row). Every
// (row, j) score and every output lane goes through exactly the operations of
// attention_head_impl, in the same order (the same reduce_add4 tree for every dot, j in order per
// lane), so the result equals four calls of it bit for bit.

constexpr size_t kAttentionRowsMaxD = 256;

// y_r[i0 + b W ...] = sum_j w_rj v_j over NB vectors from column i0, for the four rows.
template <typename V, typename T, size_t NB, bool kScaled>
inline void attention_v_block4(size_t len, size_t i0, const T* v, size_t stride,
                               const float* v_scale, size_t scale_stride, const float* w,
                               size_t w_stride, float* y, size_t y_stride) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  VT acc[4][NB];
  for (size_t r = 0; r < 4; ++r) {
    for (size_t b = 0; b < NB; ++b) acc[r][b] = V::zero();
  }
  for (size_t j = 0; j < len; ++j) {
    const T* row = v + j * stride + i0;
    const float vs = kScaled ? v_scale[j * scale_stride] : 1.0f;
    VT wj[4];
    for (size_t r = 0; r < 4; ++r)
      wj[r] = V::set1(kScaled ? w[r * w_stride + j] * vs : w[r * w_stride + j]);
    for (size_t b = 0; b < NB; ++b) {
      const VT x = V::load(row + b * W);
      for (size_t r = 0; r < 4; ++r) acc[r][b] = V::fmadd(wj[r], x, acc[r][b]);
    }
  }
  for (size_t e = 0; e < 3; ++e) {  // positions len + e: rows e + 1.. only
    const size_t j = len + e;
    const T* row = v + j * stride + i0;
    for (size_t r = e + 1; r < 4; ++r) {
      const float wr =
          kScaled ? w[r * w_stride + j] * v_scale[j * scale_stride] : w[r * w_stride + j];
      const VT wv = V::set1(wr);
      for (size_t b = 0; b < NB; ++b) acc[r][b] = V::fmadd(wv, V::load(row + b * W), acc[r][b]);
    }
  }
  for (size_t r = 0; r < 4; ++r) {
    for (size_t b = 0; b < NB; ++b) V::store(y + r * y_stride + i0 + b * W, acc[r][b]);
  }
}

template <typename V, typename T, size_t NB, bool kScaled>
inline void attention_v_rest4(size_t nb, size_t len, size_t i0, const T* v, size_t stride,
                              const float* v_scale, size_t scale_stride, const float* w,
                              size_t w_stride, float* y, size_t y_stride) {
  if constexpr (NB > 0) {
    if (nb == NB) {
      attention_v_block4<V, T, NB, kScaled>(len, i0, v, stride, v_scale, scale_stride, w, w_stride,
                                            y, y_stride);
    } else {
      attention_v_rest4<V, T, NB - 1, kScaled>(nb, len, i0, v, stride, v_scale, scale_stride, w,
                                               w_stride, y, y_stride);
    }
  }
}

// Rows q + r * q_stride (r < 4) over cache rows j < len + r; scores holds 4 rows of len + 3.
template <typename V, typename T, bool kScaled>
inline void attention_rows4_impl(size_t len, size_t d, const float* q, size_t q_stride, const T* k,
                                 const T* v, size_t stride, const float* k_scale,
                                 const float* v_scale, size_t scale_stride, float scale,
                                 float* scores, float* y, size_t y_stride) {
  using VT = typename V::V;
  constexpr size_t W = V::kWidth;
  const size_t dv = d / W * W, ss = len + 3;
  // The four rows side by side at fixed offsets: their addresses in the loops below then need
  // no registers of their own (with pointers the compiler spills them inside the dot loop).
  alignas(64) float qb[4][kAttentionRowsMaxD];
  for (size_t r = 0; r < 4; ++r) {
    for (size_t i = 0; i < d; ++i) qb[r][i] = q[r * q_stride + i];
  }
  const float* qr[4] = {qb[0], qb[1], qb[2], qb[3]};
  const auto finish = [&](float dot, size_t r, size_t j, const T* kr) {
    float s = dot + attention_dot_tail(dv, d, qr[r], kr);
    if (kScaled) s *= k_scale[j * scale_stride];
    scores[r * ss + j] = s * scale;
  };
  for (size_t j = 0; j < len; ++j) {
    const T* kr = k + j * stride;
    VT a0 = V::zero(), a1 = V::zero(), a2 = V::zero(), a3 = V::zero();
    for (size_t i = 0; i < dv; i += W) {
      const VT kv = V::load(kr + i);
      a0 = V::fmadd(V::load(qb[0] + i), kv, a0);
      a1 = V::fmadd(V::load(qb[1] + i), kv, a1);
      a2 = V::fmadd(V::load(qb[2] + i), kv, a2);
      a3 = V::fmadd(V::load(qb[3] + i), kv, a3);
    }
    float dot[4];
    V::reduce_add4(a0, a1, a2, a3, dot);
    for (size_t r = 0; r < 4; ++r) finish(dot[r], r, j, kr);
  }
  for (size_t e = 0; e < 3; ++e) {
    const size_t j = len + e;
    const T* kr = k + j * stride;
    for (size_t r = e + 1; r < 4; ++r) {
      VT a = V::zero();
      for (size_t i = 0; i < dv; i += W) a = V::fmadd(V::load(qr[r] + i), V::load(kr + i), a);
      finish(V::reduce_add(a), r, j, kr);
    }
  }
  for (size_t r = 0; r < 4; ++r) attention_softmax<V>(len + r, scores + r * ss);
  constexpr size_t B = V::kRowBlock;
  size_t i0 = 0;
  for (; i0 + B * W <= dv; i0 += B * W) {
    attention_v_block4<V, T, B, kScaled>(len, i0, v, stride, v_scale, scale_stride, scores, ss, y,
                                         y_stride);
  }
  if (i0 < dv) {
    attention_v_rest4<V, T, B - 1, kScaled>((dv - i0) / W, len, i0, v, stride, v_scale,
                                            scale_stride, scores, ss, y, y_stride);
  }
  for (size_t r = 0; r < 4; ++r) {
    const float* w = scores + r * ss;
    for (size_t i = dv; i < d; ++i) {
      float acc = 0.0f;
      for (size_t jj = 0; jj < len + r; ++jj) {
        const float wj = kScaled ? w[jj] * v_scale[jj * scale_stride] : w[jj];
        acc += wj * attention_elem(v[jj * stride + i]);
      }
      y[r * y_stride + i] = acc;
    }
  }
}

template <typename V, typename T, bool kScaled>
inline void attention_rows_impl(size_t rows, size_t len0, size_t d, const float* q, size_t q_stride,
                                const void* k_base, const void* v_base, size_t stride,
                                const float* k_scale, const float* v_scale, size_t scale_stride,
                                float scale, float* scores, float* y, size_t y_stride) {
  const T* k = static_cast<const T*>(k_base);
  const T* v = static_cast<const T*>(v_base);
  size_t r = 0;
  for (; d <= kAttentionRowsMaxD && r + 4 <= rows; r += 4) {
    attention_rows4_impl<V, T, kScaled>(len0 + r, d, q + r * q_stride, q_stride, k, v, stride,
                                        k_scale, v_scale, scale_stride, scale, scores,
                                        y + r * y_stride, y_stride);
  }
  for (; r < rows; ++r) {
    attention_head_impl<V, T, kScaled>(len0 + r, d, q + r * q_stride, k, v, stride, k_scale,
                                       v_scale, scale_stride, scale, scores, y + r * y_stride);
  }
}

}  // namespace
}  // namespace mint
