// Depthwise convolution kernels (NHWC, f32): one output row of a conv2d with
// groups == in_c == out_c (one filter per channel), weights packed channel-last.
//
//   f32_dwconv2d_row_<isa>(g, b, oh, x, w, bias, y_row, params), geometry as kernels/conv.h:
//     for ow < out_w, c < C (C = in_c = out_c):
//       y_row[ow * C + c] = clamp(bias[c] + sum over taps (kh, kw) inside the image of
//                                 x[b, ih, iw, c] * w[(kh * kernel_w + kw) * C + c],
//                                 params->min, params->max)
//     with ih = oh * stride_h - pad_top + kh * dilation_h (iw likewise); bias may be null (0).
//     The taps are summed in the order kh, kw for every channel with one multiply and one add
//     each (no FMA contraction: -ffp-contract=off and explicit mul + add in the SIMD kernels),
//     so every ISA gives the scalar reference's result bit for bit.
//   f32_dwconv_pack_scalar: w [C, kh, kw, 1] (the IR's [cout, kh, kw, cin/groups]) ->
//     packed [kh * kw, C].
//
// The family list is kernels/f32_dwconv.inc; selection: select_f32_dwconv (kernels/registry.h).
// Pure, single-threaded, no allocation.
#pragma once

#include <cstddef>

#include "kernels/conv.h"
#include "kernels/registry.h"  // MINT_ARCH_*, KernelInfo

namespace mint {

using F32DwConvRowFn = void (*)(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                                const float* w, const float* bias, float* y_row,
                                const F32MinMaxParams* params);

#define MINT_KERNEL(isa, name, mr)                                                    \
  void name(const Conv2DGeometry* g, size_t b, size_t oh, const float* x, const float* w, \
            const float* bias, float* y_row, const F32MinMaxParams* params);
#include "kernels/f32_dwconv.inc"
#undef MINT_KERNEL

void f32_dwconv_pack_scalar(size_t channels, size_t taps, const float* w, float* packed);

using F32DwConvKernel = KernelInfo<F32DwConvRowFn>;
// Every kernel of the family in this build (kernels/registry_dwconv.cc).
KernelList<F32DwConvRowFn> f32_dwconv_kernels();
// The kernel of the best ISA in `mask` (the scalar reference if none); never null.
const F32DwConvKernel* select_f32_dwconv(IsaMask mask);

}  // namespace mint
