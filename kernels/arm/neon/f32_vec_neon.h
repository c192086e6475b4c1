// NeonVec: 4 floats in a q register, the vector type that the loop templates of the kernel
// families (kernels/dwconv_row.h, kernels/attention_head.h, kernels/f32_vec_math.h) are
// instantiated with in this folder (baseline ARMv8-A Advanced SIMD, e.g. Cortex-A53). What
// each member must compute is stated by the template headers that use it.
//
// Internal linkage on purpose (anonymous namespace; see kernels/x86/avx2/f32_vec_avx2.h).
// Include only from sources of kernels/arm/neon/.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mint {
namespace {

struct NeonVec {
  static constexpr size_t kWidth = 4;
  using V = float32x4_t;
  static V zero() { return vdupq_n_f32(0.0f); }
  static V set1(float f) { return vdupq_n_f32(f); }
  static V load(const float* p) { return vld1q_f32(p); }
  // f16 rows are widened with FCVTL (vcvt_f32_f16), which baseline AArch64 has.
  static V load(const uint16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
  static V load(const int8_t* p) {
    uint32_t bytes;
    std::memcpy(&bytes, p, 4);
    const int16x8_t h = vmovl_s8(vreinterpret_s8_u32(vdup_n_u32(bytes)));
    return vcvtq_f32_s32(vmovl_s16(vget_low_s16(h)));
  }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  // The 4 values of v, integers in [-128, 127], as int8 (fcvtns, two saturating narrows).
  static void store_qs8(int8_t* p, V v) {
    const int16x4_t h = vqmovn_s32(vcvtnq_s32_f32(v));
    const int32_t b = vget_lane_s32(vreinterpret_s32_s8(vqmovn_s16(vcombine_s16(h, h))), 0);
    std::memcpy(p, &b, sizeof(b));
  }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V div(V a, V b) { return vdivq_f32(a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V fmadd(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V abs(V v) { return vabsq_f32(v); }
  // |mag| with the sign bit of s (mag must be non-negative).
  static V with_sign_of(V mag, V s) { return vbslq_f32(vdupq_n_u32(0x80000000u), s, mag); }
  // x < y ? a : b, lane-wise (false for NaN).
  static V select_lt(V x, V y, V a, V b) { return vbslq_f32(vcltq_f32(x, y), a, b); }
  // x where x is NaN, else v.
  static V keep_nan(V v, V x) { return vbslq_f32(vceqq_f32(x, x), v, x); }
  static V clamp(V v, float lo, float hi) {
    // Lane-wise selects keep NaN as the scalar reference's comparisons do.
    const V vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
    v = vbslq_f32(vcltq_f32(v, vlo), vlo, v);
    return vbslq_f32(vcgtq_f32(v, vhi), vhi, v);
  }
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
  // Double accumulators of kWidth lanes (kernels/normalization_vec.h).
  struct F64Acc {
    float64x2_t lo, hi;
  };
  static F64Acc f64_zero() { return {vdupq_n_f64(0.0), vdupq_n_f64(0.0)}; }
  static void f64_add(F64Acc& a, V v) {
    a.lo = vaddq_f64(a.lo, vcvt_f64_f32(vget_low_f32(v)));
    a.hi = vaddq_f64(a.hi, vcvt_high_f64_f32(v));
  }
  // a += ((double)v - c)^2
  static void f64_add_sq_diff(F64Acc& a, V v, double c) {
    const float64x2_t vc = vdupq_n_f64(c);
    const float64x2_t l = vsubq_f64(vcvt_f64_f32(vget_low_f32(v)), vc);
    const float64x2_t h = vsubq_f64(vcvt_high_f64_f32(v), vc);
    a.lo = vfmaq_f64(a.lo, l, l);
    a.hi = vfmaq_f64(a.hi, h, h);
  }
  static double f64_sum(const F64Acc& a) { return vaddvq_f64(vaddq_f64(a.lo, a.hi)); }
  static V zero_below(V v, V x, V lo) {
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vcgeq_f32(x, lo)));
  }
};

}  // namespace
}  // namespace mint
