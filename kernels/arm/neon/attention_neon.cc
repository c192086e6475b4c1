// Attention-head kernels of kernels/attention.h compiled with the neon flags of this folder
// (baseline ARMv8-A, e.g. Cortex-A53): the loops of kernels/attention_head.h over 4-float NEON
// vectors. f16 cache rows are widened with FCVTL (vcvt_f32_f16), which baseline AArch64 has.
#include <arm_neon.h>

#include <cstring>

#include "kernels/attention.h"
#include "kernels/attention_head.h"

namespace mint {
namespace {

struct NeonVec {
  static constexpr size_t kWidth = 4;
  static constexpr size_t kBlock = 16;    // 64 columns in 16 of 32 q registers
  static constexpr size_t kRowBlock = 4;  // 4 x 4 rows = 16 accumulators
  using V = float32x4_t;
  static V zero() { return vdupq_n_f32(0.0f); }
  static V set1(float f) { return vdupq_n_f32(f); }
  static V load(const float* p) { return vld1q_f32(p); }
  static V load(const uint16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
  static V load(const int8_t* p) {
    uint32_t bytes;
    std::memcpy(&bytes, p, 4);
    const int16x8_t h = vmovl_s8(vreinterpret_s8_u32(vdup_n_u32(bytes)));
    return vcvtq_f32_s32(vmovl_s16(vget_low_s16(h)));
  }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V fmadd(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static float reduce_add(V v) {  // the tree of reduce_add4
    float out[4];
    reduce_add4(v, v, v, v, out);
    return out[0];
  }
  static void reduce_add4(V a, V b, V c, V d, float* out) {
    vst1q_f32(out, vpaddq_f32(vpaddq_f32(a, b), vpaddq_f32(c, d)));
  }
  static float reduce_max(V v) { return vmaxvq_f32(v); }
  static V round(V v) { return vrndnq_f32(v); }
  static V pow2(V n) {
    const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
    return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
  }
  static V zero_below(V v, V x, V lo) {
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vcgeq_f32(x, lo)));
  }
};

}  // namespace

void f32_attention_head_f32kv_neon(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<NeonVec, float, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                             scale_stride, scale, scores, y);
}

void f32_attention_head_f16kv_neon(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<NeonVec, uint16_t, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                scale_stride, scale, scores, y);
}

void f32_attention_head_qs8kv_neon(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<NeonVec, int8_t, true>(len, d, q, k, v, stride, k_scale, v_scale,
                                             scale_stride, scale, scores, y);
}

void f32_attention_rows_f32kv_neon(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<NeonVec, float, false>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                             v_scale, scale_stride, scale, scores, y, y_stride);
}

void f32_attention_rows_f16kv_neon(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<NeonVec, uint16_t, false>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                                v_scale, scale_stride, scale, scores, y, y_stride);
}

void f32_attention_rows_qs8kv_neon(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<NeonVec, int8_t, true>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                             v_scale, scale_stride, scale, scores, y, y_stride);
}

}  // namespace mint
