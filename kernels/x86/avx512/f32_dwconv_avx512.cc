#include "kernels/dwconv.h"
#include "kernels/dwconv_row.h"
#include "kernels/x86/avx512/f32_vec_avx512.h"

namespace mint {

void f32_dwconv2d_row_avx512(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                             const float* w, const float* bias, float* y_row,
                             const F32MinMaxParams* params) {
  dwconv_row<Avx512Vec>(g, b, oh, x, w, bias, y_row, params);
}

}  // namespace mint
