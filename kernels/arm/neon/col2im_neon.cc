// col2im kernels of kernels/conv.h and the qs8 quantize kernel of kernels/elementwise.h, compiled with the neon flags of this folder: the loops of
// kernels/col2im_row.h and kernels/qs8_quantize_row.h, vectorized by the compiler; bit-identical to the scalar reference.
#include "kernels/col2im_row.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/qs8_quantize_row.h"

namespace mint {

void f32_col2im_row_neon(const Conv2DGeometry* g, size_t oh, const float* cols, const float* bias,
                         float* y_row, const F32MinMaxParams* params) {
  col2im_row_impl(g, oh, cols, bias, y_row, params);
}

void qs8_col2im_row_neon(const Conv2DGeometry* g, size_t oh, const float* cols,
                         const float* bias, float* acc_row, int8_t* y_row,
                         const F32MinMaxParams* params, float out_scale,
                         int32_t out_zero_point) {
  qs8_col2im_row_impl(g, oh, cols, bias, acc_row, y_row, params, out_scale, out_zero_point);
}

void qs8_quantize_neon(size_t n, const float* x, int8_t* y, float scale, int32_t zero_point) {
  qs8_quantize_impl(n, x, y, scale, zero_point);
}

}  // namespace mint
