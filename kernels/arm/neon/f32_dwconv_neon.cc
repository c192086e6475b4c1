#include "kernels/arm/neon/f32_vec_neon.h"
#include "kernels/dwconv.h"
#include "kernels/dwconv_row.h"

namespace mint {

void f32_dwconv2d_row_neon(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                           const float* w, const float* bias, float* y_row,
                           const F32MinMaxParams* params) {
  dwconv_row<NeonVec>(g, b, oh, x, w, bias, y_row, params);
}

}  // namespace mint
