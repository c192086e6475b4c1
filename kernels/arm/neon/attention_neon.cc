// Attention-head kernels of kernels/attention.h compiled with the neon flags of this folder
// (baseline ARMv8-A, e.g. Cortex-A53): the loops of kernels/attention_head.h over 4-float NEON
// vectors. f16 cache rows are widened with FCVTL (vcvt_f32_f16), which baseline AArch64 has.

#include "kernels/arm/neon/f32_vec_neon.h"
#include "kernels/attention.h"
#include "kernels/attention_head.h"

namespace mint {
namespace {

// NeonVec plus the register blocking of the attention loops.
struct NeonAttention : NeonVec {
  static constexpr size_t kBlock = 16;    // 64 columns in 16 of 32 q registers
  static constexpr size_t kRowBlock = 4;  // 4 x 4 rows = 16 accumulators
};

}  // namespace

void f32_attention_head_f32kv_neon(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<NeonAttention, float, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                   scale_stride, scale, scores, y);
}

void f32_attention_head_f16kv_neon(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<NeonAttention, uint16_t, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                      scale_stride, scale, scores, y);
}

void f32_attention_head_qs8kv_neon(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<NeonAttention, int8_t, true>(len, d, q, k, v, stride, k_scale, v_scale,
                                                   scale_stride, scale, scores, y);
}

void f32_attention_rows_f32kv_neon(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<NeonAttention, float, false>(rows, len0, d, q, q_stride, k, v, stride,
                                                   k_scale, v_scale, scale_stride, scale, scores, y,
                                                   y_stride);
}

void f32_attention_rows_f16kv_neon(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<NeonAttention, uint16_t, false>(rows, len0, d, q, q_stride, k, v, stride,
                                                      k_scale, v_scale, scale_stride, scale, scores,
                                                      y, y_stride);
}

void f32_attention_rows_qs8kv_neon(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<NeonAttention, int8_t, true>(rows, len0, d, q, q_stride, k, v, stride,
                                                   k_scale, v_scale, scale_stride, scale, scores, y,
                                                   y_stride);
}

}  // namespace mint
