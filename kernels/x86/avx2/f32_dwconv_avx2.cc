#include <immintrin.h>

#include "kernels/dwconv.h"
#include "kernels/dwconv_row.h"

namespace mint {
namespace {

struct Avx2Vec {
  static constexpr size_t kWidth = 8;
  using V = __m256;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  // max then min with the vector as the second operand: NaN passes through, as in the scalar
  // reference's comparisons.
  static V clamp(V v, float lo, float hi) {
    return _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), v));
  }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
};

}  // namespace

void f32_dwconv2d_row_avx2(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                           const float* w, const float* bias, float* y_row,
                           const F32MinMaxParams* params) {
  dwconv_row<Avx2Vec>(g, b, oh, x, w, bias, y_row, params);
}

}  // namespace mint
