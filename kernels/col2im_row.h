// The loops of the col2im kernels (kernels/conv.h: f32_col2im_row_*, qs8_col2im_row_*), written
// once as plain C++ and instantiated by the scalar reference (kernels/ref/conv_scalar.cc) and by
// each ISA translation unit, which the compiler vectorizes with that folder's flags. The loops
// only add, compare and divide (no multiply-add to contract; -ffp-contract=off anyway) and the
// compiler keeps IEEE semantics when vectorizing, so every instantiation matches the reference
// bit for bit (tests/col2im_kernel_test.cc).
//
// Internal linkage on purpose (anonymous namespace): each ISA TU gets its own copy, so the
// linker can never pick one compiled for a wider ISA than the caller's. Include only from
// kernel sources.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/conv.h"
#include "kernels/qs8_quantize_row.h"

namespace mint {
namespace {

inline void col2im_row_impl(const Conv2DGeometry* g, size_t oh, const float* cols,
                            const float* bias, float* y_row, const F32MinMaxParams* params) {
  // Scatter form of the gather in kernels/conv.h: for one output element the contributions
  // still arrive in (kh, kw) order (for a fixed ow, kw determines iw), so the sums are the same.
  const size_t k = g->kernel_h * g->kernel_w * g->out_c;
  const size_t c = g->out_c, out_w = g->out_w, in_w = g->in_w;
  const size_t n = out_w * c;
  if (bias) {
    for (size_t ow = 0; ow < out_w; ++ow) {
      float* out = y_row + ow * c;
      for (size_t co = 0; co < c; ++co) out[co] = bias[co];
    }
  } else {
    for (size_t i = 0; i < n; ++i) y_row[i] = 0.0f;
  }
  for (size_t kh = 0; kh < g->kernel_h; ++kh) {
    // oh = ih * stride - pad + kh * dilation  =>  ih = (oh + pad - kh * dilation) / stride
    const ptrdiff_t th =
        static_cast<ptrdiff_t>(oh + g->pad_top) - static_cast<ptrdiff_t>(kh * g->dilation_h);
    if (th < 0) continue;
    // 32-bit division where it fits (64-bit ones cost tens of cycles; strides are int32).
    const size_t ths = static_cast<size_t>(th), sh = g->stride_h;
    size_t ih;
    if (ths <= UINT32_MAX && sh <= UINT32_MAX) {
      const uint32_t t32 = static_cast<uint32_t>(ths), s32 = static_cast<uint32_t>(sh);
      if (t32 % s32 != 0) continue;
      ih = t32 / s32;
    } else {
      if (ths % sh != 0) continue;
      ih = ths / sh;
    }
    if (ih >= g->in_h) continue;
    for (size_t kw = 0; kw < g->kernel_w; ++kw) {
      const float* src_tap = cols + ih * in_w * k + (kh * g->kernel_w + kw) * c;
      // ow = iw * stride - pad_left + kw * dilation, for the iw that land inside the row.
      const ptrdiff_t offset =
          static_cast<ptrdiff_t>(kw * g->dilation_w) - static_cast<ptrdiff_t>(g->pad_left);
      const ptrdiff_t stride = static_cast<ptrdiff_t>(g->stride_w);
      // First iw with ow >= 0, and the end with ow < out_w (a few steps each: pads are small
      // next to the image, and stepping avoids divisions).
      size_t iw0 = 0, iw1 = in_w;
      while (iw0 < iw1 && static_cast<ptrdiff_t>(iw0) * stride + offset < 0) ++iw0;
      while (iw1 > iw0 &&
             static_cast<ptrdiff_t>(iw1 - 1) * stride + offset >= static_cast<ptrdiff_t>(out_w)) {
        --iw1;
      }
      if (c == 1) {
        for (size_t iw = iw0; iw < iw1; ++iw) {
          y_row[static_cast<size_t>(static_cast<ptrdiff_t>(iw) * stride + offset)] +=
              src_tap[iw * k];
        }
        continue;
      }
      for (size_t iw = iw0; iw < iw1; ++iw) {
        float* __restrict out = y_row + static_cast<size_t>(static_cast<ptrdiff_t>(iw) * stride + offset) * c;
        const float* __restrict src = src_tap + iw * k;
        for (size_t co = 0; co < c; ++co) out[co] += src[co];
      }
    }
  }
  const float lo = params->min, hi = params->max;
  for (size_t i = 0; i < n; ++i) {
    float v = y_row[i];
    v = v < lo ? lo : v;
    y_row[i] = v > hi ? hi : v;
  }
}

inline void qs8_col2im_row_impl(const Conv2DGeometry* g, size_t oh, const float* cols,
                                const float* bias, float* acc_row, int8_t* y_row,
                                const F32MinMaxParams* params, float out_scale,
                                int32_t out_zero_point) {
  col2im_row_impl(g, oh, cols, bias, acc_row, params);
  // The quantization of qs8_quantize_scalar (kernels/qs8_quantize_row.h).
  qs8_quantize_impl(g->out_w * g->out_c, acc_row, y_row, out_scale, out_zero_point);
}

}  // namespace
}  // namespace mint
