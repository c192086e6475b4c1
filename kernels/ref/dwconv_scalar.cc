#include "kernels/dwconv.h"
#include "kernels/dwconv_row.h"

namespace mint {

void f32_dwconv_pack_scalar(size_t channels, size_t taps, const float* w, float* packed) {
  for (size_t c = 0; c < channels; ++c) {
    for (size_t t = 0; t < taps; ++t) packed[t * channels + c] = w[c * taps + t];
  }
}

namespace {

// One vector of one channel: the scalar "vector".
struct ScalarVec {
  static constexpr size_t kWidth = 1;
  using V = float;
  static V zero() { return 0.0f; }
  static V load(const float* p) { return *p; }
  static V add(V a, V b) { return a + b; }
  static V mul(V a, V b) { return a * b; }
  static V clamp(V v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
  static void store(float* p, V v) { *p = v; }
};

}  // namespace

void f32_dwconv2d_row_scalar(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                             const float* w, const float* bias, float* y_row,
                             const F32MinMaxParams* params) {
  dwconv_row<ScalarVec>(g, b, oh, x, w, bias, y_row, params);
}

}  // namespace mint
