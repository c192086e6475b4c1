#include <arm_neon.h>

#include "kernels/dwconv.h"
#include "kernels/dwconv_row.h"

namespace mint {
namespace {

struct NeonVec {
  static constexpr size_t kWidth = 4;
  using V = float32x4_t;
  static V zero() { return vdupq_n_f32(0.0f); }
  static V load(const float* p) { return vld1q_f32(p); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V clamp(V v, float lo, float hi) {
    // Lane-wise selects keep NaN as the scalar reference's comparisons do.
    const V vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
    v = vbslq_f32(vcltq_f32(v, vlo), vlo, v);
    return vbslq_f32(vcgtq_f32(v, vhi), vhi, v);
  }
  static void store(float* p, V v) { vst1q_f32(p, v); }
};

}  // namespace

void f32_dwconv2d_row_neon(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                           const float* w, const float* bias, float* y_row,
                           const F32MinMaxParams* params) {
  dwconv_row<NeonVec>(g, b, oh, x, w, bias, y_row, params);
}

}  // namespace mint
