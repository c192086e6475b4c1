// The loop of the depthwise convolution kernels (kernels/dwconv.h), written once over a vector
// type V of kWidth floats: each ISA translation unit instantiates it with its own vector
// (templates instantiated per ISA TU, not generated code). Channels are processed kWidth at a
// time, a remainder of fewer channels one at a time with the same operation order.
//
// V provides: zero(), load(p), add(a, b), mul(a, b), clamp(v, lo, hi), store(p, v).
// Internal to the kernels; include only from kernel sources.
#pragma once

#include <cstddef>

#include "kernels/conv.h"

namespace mint {
namespace {

template <typename V>
inline void dwconv_row(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                       const float* w, const float* bias, float* y_row,
                       const F32MinMaxParams* params) {
  const size_t C = g->in_c;
  const float lo = params->min, hi = params->max;
  // Valid kernel rows for this output row.
  const long ih0 = static_cast<long>(oh * g->stride_h) - static_cast<long>(g->pad_top);
  size_t kh0 = 0, kh1 = g->kernel_h;
  while (kh0 < kh1 && ih0 + static_cast<long>(kh0 * g->dilation_h) < 0) ++kh0;
  while (kh1 > kh0 && ih0 + static_cast<long>((kh1 - 1) * g->dilation_h) >= static_cast<long>(g->in_h)) --kh1;
  const float* img = x + b * g->in_h * g->in_w * C;
  for (size_t ow = 0; ow < g->out_w; ++ow) {
    const long iw0 = static_cast<long>(ow * g->stride_w) - static_cast<long>(g->pad_left);
    size_t kw0 = 0, kw1 = g->kernel_w;
    while (kw0 < kw1 && iw0 + static_cast<long>(kw0 * g->dilation_w) < 0) ++kw0;
    while (kw1 > kw0 && iw0 + static_cast<long>((kw1 - 1) * g->dilation_w) >= static_cast<long>(g->in_w)) --kw1;
    float* out = y_row + ow * C;
    size_t c = 0;
    for (; c + V::kWidth <= C; c += V::kWidth) {
      typename V::V acc = bias ? V::load(bias + c) : V::zero();
      for (size_t kh = kh0; kh < kh1; ++kh) {
        const float* row = img + static_cast<size_t>(ih0 + static_cast<long>(kh * g->dilation_h)) * g->in_w * C;
        for (size_t kw = kw0; kw < kw1; ++kw) {
          const float* px = row + static_cast<size_t>(iw0 + static_cast<long>(kw * g->dilation_w)) * C + c;
          acc = V::add(acc, V::mul(V::load(px), V::load(w + (kh * g->kernel_w + kw) * C + c)));
        }
      }
      V::store(out + c, V::clamp(acc, lo, hi));
    }
    for (; c < C; ++c) {  // remainder channels, same order of operations
      float acc = bias ? bias[c] : 0.0f;
      for (size_t kh = kh0; kh < kh1; ++kh) {
        const float* row = img + static_cast<size_t>(ih0 + static_cast<long>(kh * g->dilation_h)) * g->in_w * C;
        for (size_t kw = kw0; kw < kw1; ++kw) {
          const float* px = row + static_cast<size_t>(iw0 + static_cast<long>(kw * g->dilation_w)) * C + c;
          acc = acc + px[0] * w[(kh * g->kernel_w + kw) * C + c];
        }
      }
      out[c] = acc < lo ? lo : (acc > hi ? hi : acc);
    }
  }
}

}  // namespace
}  // namespace mint
