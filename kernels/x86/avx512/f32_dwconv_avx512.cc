#include <immintrin.h>

#include "kernels/dwconv.h"
#include "kernels/dwconv_row.h"

namespace mint {
namespace {

struct Avx512Vec {
  static constexpr size_t kWidth = 16;
  using V = __m512;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  // max then min with the vector as the second operand: NaN passes through, as in the scalar
  // reference's comparisons.
  static V clamp(V v, float lo, float hi) {
    // (masked forms: GCC 12 warns about the unmasked ones' undefined pass-through operand)
    const V vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    const V m = _mm512_mask_max_ps(vlo, 0xFFFF, vlo, v);
    return _mm512_mask_min_ps(vhi, 0xFFFF, vhi, m);
  }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
};

}  // namespace

void f32_dwconv2d_row_avx512(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                           const float* w, const float* bias, float* y_row,
                           const F32MinMaxParams* params) {
  dwconv_row<Avx512Vec>(g, b, oh, x, w, bias, y_row, params);
}

}  // namespace mint
