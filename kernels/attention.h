// Kernels of decoder-only text models: rotary position embedding, KV cache rows and one
// attention head over a KV cache. Pure, single-threaded, no allocation; the operators
// (runtime/ops/attention.cc) tile them over rows and heads.
//
//   f32_rope_scalar(rows, heads, head_dim, rotary_dim, positions, inv_freq, x, y):
//     for every row r, head h, i < rotary_dim / 2, with a = x[r, h*head_dim + i],
//     b = x[r, h*head_dim + i + rotary_dim/2], angle = float(positions[r]) * inv_freq[i]
//     (an f32 product, as PyTorch's position * inv_freq), c = cos(angle), s = sin(angle):
//       y[.. + i]                  = a * c - b * s
//       y[.. + i + rotary_dim / 2] = b * c + a * s        (the rotate_half convention)
//     features at and beyond rotary_dim are copied. x and y may be the same array.
//     inv_freq[i] = 1 / theta^(2i / rotary_dim), computed once by rope_inv_freq; c and s are
//     computed (in double, rounded to f32) once per row and frequency, for all heads.
//
//   KV cache rows: one row is head_dim values of one position and one KV head.
//     kv_store_row_{f32,f16,qs8}(d, x, dst, scale): stores x[0..d) as f32, f16 (round to
//     nearest even) or symmetric int8 with *scale = max|x| / 127 (1 for an all-zero row) and
//     dst[i] = clamp(round_half_even(x[i] / *scale), -127, 127); scale is unused for f32/f16.
//
//   f32_attention_head_{f32,f16,qs8}kv_scalar(len, d, q, k, v, stride, k_scale, v_scale,
//                                              scale_stride, scale, scores, y):
//     one query row q[0..d) against cache rows j < len at k + j*stride, v + j*stride
//     (element strides; int8 rows dequantized with k_scale[j*scale_stride] and
//     v_scale[j*scale_stride]):
//       s_j = scale * sum_i q[i] k_j[i]     (accumulated in f32, in i order)
//       w_j = exp(s_j - max s) / sum exp(s - max s)
//       y[i] = sum_j w_j v_j[i]
//     scores is scratch for len floats. len >= 1; any d >= 1 and stride >= d.
//
//   The ISA variants f32_attention_head_{f32,f16,qs8}kv_<isa> (list kernels/attention.inc,
//   loops in kernels/attention_head.h; selected once by select_attention_head) compute the same
//   function with reassociated sums: q . k_j over d in vector lanes, then a horizontal sum; exp
//   by Cody-Waite reduction and a degree-5 polynomial (about 1 ulp; exp(x) = 0 below -87.33,
//   where expf is subnormal); the max and the sum of the exps in vector lanes; y += w_j v_j with
//   fused multiply-adds, j in order per lane. They read the same elements and write only
//   scores[0, len) and y[0, d). Inputs are finite. Bound against the scalar reference, with
//   eps = 2^-23, A[i] = sum_j w_j |v_j[i]| (dequantized v) and S = max_j scale * sum_i
//   |q[i] k_j[i]| (dequantized k):
//       |y[i] - ref[i]| <= eps * (4 + 2 * S) * A[i]
//   (the S term: score errors ~ eps * S shift the weights by that relative amount). Measured,
//   not proven: over random caches (len 1..1000, d 1..128, S up to 36) the largest error is
//   0.47 of this bound on AVX2 / AVX-512, 0.41 on NEON (tests/attention_kernel_test.cc prints
//   it); adversarial inputs may exceed it by the worst-case growth of float sums with d and len.
//
//   f32_attention_rows_{f32,f16,qs8}kv_<isa>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
//                                             v_scale, scale_stride, scale, scores, y, y_stride):
//     causal prefill of one head: query row r < rows (q + r * q_stride) attends cache rows
//     j < len0 + r into y + r * y_stride; the same as f32_attention_head_*_<isa>(len0 + r, d,
//     q + r * q_stride, k, v, stride, k_scale, v_scale, scale_stride, scale, scores,
//     y + r * y_stride) for each r, bit for bit (the vector ones run four rows per pass over K and
//     V, with every score and lane in the per-row order). scores is scratch for
//     4 * (len0 + rows + 2) floats. rows >= 1, len0 >= 1.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/registry.h"  // MINT_ARCH_*, Isa, IsaMask

namespace mint {

void rope_inv_freq(size_t rotary_dim, float theta, float* inv_freq);
void f32_rope_scalar(size_t rows, size_t heads, size_t head_dim, size_t rotary_dim,
                     const int32_t* positions, const float* inv_freq, const float* x, float* y);

using KvStoreRowFn = void (*)(size_t d, const float* x, void* dst, float* scale);
void kv_store_row_f32(size_t d, const float* x, void* dst, float* scale);
void kv_store_row_f16(size_t d, const float* x, void* dst, float* scale);
void kv_store_row_qs8(size_t d, const float* x, void* dst, float* scale);

using F32AttentionHeadFn = void (*)(size_t len, size_t d, const float* q, const void* k,
                                    const void* v, size_t stride, const float* k_scale,
                                    const float* v_scale, size_t scale_stride, float scale,
                                    float* scores, float* y);
void f32_attention_head_f32kv_scalar(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y);
void f32_attention_head_f16kv_scalar(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y);
void f32_attention_head_qs8kv_scalar(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y);

using F32AttentionRowsFn = void (*)(size_t rows, size_t len0, size_t d, const float* q,
                                    size_t q_stride, const void* k, const void* v, size_t stride,
                                    const float* k_scale, const float* v_scale,
                                    size_t scale_stride, float scale, float* scores, float* y,
                                    size_t y_stride);

#define MINT_ATTENTION_ROWS_DECL(name)                                                       \
  void name(size_t rows, size_t len0, size_t d, const float* q, size_t q_stride, const void* k, \
            const void* v, size_t stride, const float* k_scale, const float* v_scale,          \
            size_t scale_stride, float scale, float* scores, float* y, size_t y_stride);

#define MINT_KERNEL(isa, suffix)                                                               \
  void f32_attention_head_f32kv_##suffix(size_t len, size_t d, const float* q, const void* k,   \
                                         const void* v, size_t stride, const float* k_scale,    \
                                         const float* v_scale, size_t scale_stride, float scale, \
                                         float* scores, float* y);                              \
  void f32_attention_head_f16kv_##suffix(size_t len, size_t d, const float* q, const void* k,   \
                                         const void* v, size_t stride, const float* k_scale,    \
                                         const float* v_scale, size_t scale_stride, float scale, \
                                         float* scores, float* y);                              \
  void f32_attention_head_qs8kv_##suffix(size_t len, size_t d, const float* q, const void* k,   \
                                         const void* v, size_t stride, const float* k_scale,    \
                                         const float* v_scale, size_t scale_stride, float scale, \
                                         float* scores, float* y);                              \
  MINT_ATTENTION_ROWS_DECL(f32_attention_rows_f32kv_##suffix)                                  \
  MINT_ATTENTION_ROWS_DECL(f32_attention_rows_f16kv_##suffix)                                  \
  MINT_ATTENTION_ROWS_DECL(f32_attention_rows_qs8kv_##suffix)
#include "kernels/attention.inc"
#undef MINT_KERNEL
#undef MINT_ATTENTION_ROWS_DECL

struct AttentionHeadKernel {
  const char* name;  // ISA suffix, e.g. "avx512"
  Isa isa;
  F32AttentionHeadFn f32kv, f16kv, qs8kv;
  F32AttentionRowsFn rows_f32kv, rows_f16kv, rows_qs8kv;
};
// Every entry of kernels/attention.inc (the scalar reference first).
const AttentionHeadKernel* attention_head_kernels(size_t* count);
// The entry of the best ISA in `mask` (the scalar reference if none); never null.
const AttentionHeadKernel* select_attention_head(IsaMask mask);

}  // namespace mint
