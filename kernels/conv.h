// Convolution helper kernels (NHWC activations, f32): im2col for GEMM-based convolution, the
// col2im step of transposed convolution and a direct loop for grouped convolution.
//
// Geometry (all sizes in elements; the operator validates them):
//   conv2d:            x [batch, in_h, in_w, in_c]  ->  y [batch, out_h, out_w, out_c]
//                      output (oh, ow) reads input (oh * stride_h - pad_top + kh * dilation_h,
//                                                   ow * stride_w - pad_left + kw * dilation_w)
//   transposed conv:   the same relation read backwards: input (ih, iw) and kernel tap (kh, kw)
//                      contribute to output (ih * stride_h - pad_top + kh * dilation_h,
//                                            iw * stride_w - pad_left + kw * dilation_w)
//   Positions outside the image read as 0 / are dropped.
//
//   f32_im2col_scalar: rows [row_begin, row_begin + rows) of the patch matrix of a conv2d with
//     groups == 1, K = kernel_h * kernel_w * in_c floats per row. Row r is output pixel
//     (b, oh, ow) with r = (b * out_h + oh) * out_w + ow, and
//       cols[(r - row_begin) * K + (kh * kernel_w + kw) * in_c + c] = x[b, ih, iw, c]  (or 0)
//     which matches weights [out_c, kernel_h, kernel_w, in_c] viewed as [out_c, K].
//
//   f32_conv2d_direct_row_scalar: one output row (b, oh) of a grouped conv2d:
//     for ow < out_w, co < out_c, with cg = in_c / groups, g = co / (out_c / groups):
//       y_row[ow * out_c + co] = clamp(bias[co] + sum_{kh, kw, ci < cg}
//                                  x[b, ih, iw, g * cg + ci] * w[((co * kernel_h + kh) * kernel_w
//                                                               + kw) * cg + ci],
//                                  params->min, params->max)
//     w is [out_c, kernel_h, kernel_w, cg]; bias may be null (0).
//
//   f32_col2im_row_scalar: one output row oh of one image of a transposed conv2d, from the
//     GEMM result cols [in_h * in_w, kernel_h * kernel_w * out_c] of that image (row
//     ih * in_w + iw, column (kh * kernel_w + kw) * out_c + co):
//       y_row[ow * out_c + co] = clamp(bias[co] + sum of cols[ih * in_w + iw][(kh * kernel_w
//                                  + kw) * out_c + co] over every (ih, iw, kh, kw) that maps
//                                  to (oh, ow), params->min, params->max)
//     This gathers what a col2im scatter-add would add, so rows can run in parallel.
//     bias may be null (0).
//
// Pure, single-threaded, no allocation.
#pragma once

#include <cstddef>

#include "kernels/gemm.h"

namespace mint {

struct Conv2DGeometry {
  size_t batch;
  size_t in_h, in_w, in_c;
  size_t out_h, out_w, out_c;
  size_t kernel_h, kernel_w;
  size_t stride_h, stride_w;
  size_t dilation_h, dilation_w;
  size_t pad_top, pad_left;
  size_t groups;  // conv2d only; 1 for transposed
};

using F32Im2ColFn = void (*)(const Conv2DGeometry* g, size_t row_begin, size_t rows, const float* x,
                             float* cols);
using F32ConvDirectRowFn = void (*)(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                                    const float* w, const float* bias, float* y_row,
                                    const F32MinMaxParams* params);
using F32Col2ImRowFn = void (*)(const Conv2DGeometry* g, size_t oh, const float* cols,
                                const float* bias, float* y_row, const F32MinMaxParams* params);

void f32_im2col_scalar(const Conv2DGeometry* g, size_t row_begin, size_t rows, const float* x,
                       float* cols);
void f32_conv2d_direct_row_scalar(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                                  const float* w, const float* bias, float* y_row,
                                  const F32MinMaxParams* params);
void f32_col2im_row_scalar(const Conv2DGeometry* g, size_t oh, const float* cols, const float* bias,
                           float* y_row, const F32MinMaxParams* params);

}  // namespace mint
