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
//     Each output row depends only on the columns, so rows can run in parallel; the additions
//     into one element happen in (kh, kw) order after the bias. bias may be null (0).
//
// Int8 (static per-tensor activations; the GEMM runs on the qs8 kernels of kernels/gemm.h):
//   qs8_im2col_scalar: the int8 patch matrix of f32_im2col_scalar, with row stride
//     `col_stride` bytes (>= K; the GEMM kernels read round_up(K, 4) bytes per row): positions
//     outside the image are filled with `zero_point` (the input's zero point, i.e. real 0);
//     bytes K..col_stride-1 of each row are set to 0.
//   qs8_col2im_row_scalar: f32_col2im_row_scalar into acc_row (out_w * out_c floats of
//     scratch), then the per-tensor quantization of qs8_quantize_scalar (kernels/elementwise.h):
//     y = clamp(nearbyint(v / out_scale) + out_zero_point, -128, 127). `cols` are the
//     dequantized f32 GEMM results of the int8 transposed convolution.
//
// The col2im family has ISA variants (list kernels/col2im.inc, loops kernels/col2im_row.h):
// f32_col2im_row_<isa> / qs8_col2im_row_<isa> compute exactly the scalar functions above, bit
// for bit; select_col2im picks the best in a mask.
//
// Pure, single-threaded, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/gemm.h"
#include "kernels/registry.h"  // MINT_ARCH_*, Isa, IsaMask

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

using Qs8Im2ColFn = void (*)(const Conv2DGeometry* g, size_t row_begin, size_t rows,
                             const int8_t* x, int8_t zero_point, int8_t* cols, size_t col_stride);
using Qs8Col2ImRowFn = void (*)(const Conv2DGeometry* g, size_t oh, const float* cols,
                                const float* bias, float* acc_row, int8_t* y_row,
                                const F32MinMaxParams* params, float out_scale,
                                int32_t out_zero_point);

void qs8_im2col_scalar(const Conv2DGeometry* g, size_t row_begin, size_t rows, const int8_t* x,
                       int8_t zero_point, int8_t* cols, size_t col_stride);
void qs8_col2im_row_scalar(const Conv2DGeometry* g, size_t oh, const float* cols,
                           const float* bias, float* acc_row, int8_t* y_row,
                           const F32MinMaxParams* params, float out_scale,
                           int32_t out_zero_point);

#define MINT_KERNEL(isa, suffix)                                                               \
  void f32_col2im_row_##suffix(const Conv2DGeometry* g, size_t oh, const float* cols,          \
                               const float* bias, float* y_row, const F32MinMaxParams* params); \
  void qs8_col2im_row_##suffix(const Conv2DGeometry* g, size_t oh, const float* cols,          \
                               const float* bias, float* acc_row, int8_t* y_row,              \
                               const F32MinMaxParams* params, float out_scale,                \
                               int32_t out_zero_point);
#include "kernels/col2im.inc"
#undef MINT_KERNEL

struct Col2ImKernel {
  const char* name;  // ISA suffix, e.g. "avx512"
  Isa isa;
  F32Col2ImRowFn f32;
  Qs8Col2ImRowFn qs8;
};
// Every entry of kernels/col2im.inc (the scalar reference first).
const Col2ImKernel* col2im_kernels(size_t* count);
// The entry of the best ISA in `mask` (the scalar reference if none); never null.
const Col2ImKernel* select_col2im(IsaMask mask);

}  // namespace mint
