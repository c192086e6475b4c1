// Attention-head kernels of kernels/attention.h compiled with the avx512 flags of this folder:
// the loops of kernels/attention_head.h over 16-float AVX-512 vectors.

#include "kernels/attention.h"
#include "kernels/attention_head.h"
#include "kernels/x86/avx512/f32_vec_avx512.h"

namespace mint {
namespace {

// Avx512Vec plus the register blocking of the attention loops.
struct Avx512Attention : Avx512Vec {
  static constexpr size_t kBlock = 8;     // 128 columns in 8 of 32 zmm registers
  static constexpr size_t kRowBlock = 4;  // 4 x 4 rows = 16 accumulators
};

}  // namespace

void f32_attention_head_f32kv_avx512(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head_impl<Avx512Attention, float, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                     scale_stride, scale, scores, y);
}

void f32_attention_head_f16kv_avx512(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head_impl<Avx512Attention, uint16_t, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                        scale_stride, scale, scores, y);
}

void f32_attention_head_qs8kv_avx512(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head_impl<Avx512Attention, int8_t, true>(len, d, q, k, v, stride, k_scale, v_scale,
                                                     scale_stride, scale, scores, y);
}

void f32_attention_rows_f32kv_avx512(size_t rows, size_t len0, size_t d, const float* q,
                                     size_t q_stride, const void* k, const void* v, size_t stride,
                                     const float* k_scale, const float* v_scale,
                                     size_t scale_stride, float scale, float* scores, float* y,
                                     size_t y_stride) {
  attention_rows_impl<Avx512Attention, float, false>(rows, len0, d, q, q_stride, k, v, stride,
                                                     k_scale, v_scale, scale_stride, scale, scores,
                                                     y, y_stride);
}

void f32_attention_rows_f16kv_avx512(size_t rows, size_t len0, size_t d, const float* q,
                                     size_t q_stride, const void* k, const void* v, size_t stride,
                                     const float* k_scale, const float* v_scale,
                                     size_t scale_stride, float scale, float* scores, float* y,
                                     size_t y_stride) {
  attention_rows_impl<Avx512Attention, uint16_t, false>(rows, len0, d, q, q_stride, k, v, stride,
                                                        k_scale, v_scale, scale_stride, scale,
                                                        scores, y, y_stride);
}

void f32_attention_rows_qs8kv_avx512(size_t rows, size_t len0, size_t d, const float* q,
                                     size_t q_stride, const void* k, const void* v, size_t stride,
                                     const float* k_scale, const float* v_scale,
                                     size_t scale_stride, float scale, float* scores, float* y,
                                     size_t y_stride) {
  attention_rows_impl<Avx512Attention, int8_t, true>(rows, len0, d, q, q_stride, k, v, stride,
                                                     k_scale, v_scale, scale_stride, scale, scores,
                                                     y, y_stride);
}

}  // namespace mint
