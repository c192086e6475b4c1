#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/conv.h"
#include "kernels/col2im_row.h"

namespace mint {
namespace {

// Input coordinate for output position o and tap t, or -1 when outside [0, size).
inline ptrdiff_t conv_input(size_t o, size_t t, size_t stride, size_t dilation, size_t pad,
                            size_t size) {
  const ptrdiff_t i =
      static_cast<ptrdiff_t>(o * stride + t * dilation) - static_cast<ptrdiff_t>(pad);
  return i >= 0 && i < static_cast<ptrdiff_t>(size) ? i : -1;
}

inline float clampf(float v, const F32MinMaxParams* p) {
  v = v < p->min ? p->min : v;
  return v > p->max ? p->max : v;
}

}  // namespace

void f32_im2col_scalar(const Conv2DGeometry* g, size_t row_begin, size_t rows, const float* x,
                       float* cols) {
  const size_t k = g->kernel_h * g->kernel_w * g->in_c;
  for (size_t r = 0; r < rows; ++r) {
    const size_t row = row_begin + r;
    const size_t ow = row % g->out_w;
    const size_t oh = (row / g->out_w) % g->out_h;
    const size_t b = row / (g->out_w * g->out_h);
    float* out = cols + r * k;
    for (size_t kh = 0; kh < g->kernel_h; ++kh) {
      const ptrdiff_t ih = conv_input(oh, kh, g->stride_h, g->dilation_h, g->pad_top, g->in_h);
      for (size_t kw = 0; kw < g->kernel_w; ++kw) {
        float* dst = out + (kh * g->kernel_w + kw) * g->in_c;
        const ptrdiff_t iw = conv_input(ow, kw, g->stride_w, g->dilation_w, g->pad_left, g->in_w);
        if (ih < 0 || iw < 0) {
          std::memset(dst, 0, g->in_c * sizeof(float));
        } else {
          const float* src = x + ((b * g->in_h + ih) * g->in_w + iw) * g->in_c;
          std::memcpy(dst, src, g->in_c * sizeof(float));
        }
      }
    }
  }
}

void f32_conv2d_direct_row_scalar(const Conv2DGeometry* g, size_t b, size_t oh, const float* x,
                                  const float* w, const float* bias, float* y_row,
                                  const F32MinMaxParams* params) {
  const size_t cg = g->in_c / g->groups;
  const size_t og = g->out_c / g->groups;
  for (size_t ow = 0; ow < g->out_w; ++ow) {
    float* out = y_row + ow * g->out_c;
    for (size_t co = 0; co < g->out_c; ++co) out[co] = bias ? bias[co] : 0.0f;
    for (size_t kh = 0; kh < g->kernel_h; ++kh) {
      const ptrdiff_t ih = conv_input(oh, kh, g->stride_h, g->dilation_h, g->pad_top, g->in_h);
      if (ih < 0) continue;
      for (size_t kw = 0; kw < g->kernel_w; ++kw) {
        const ptrdiff_t iw = conv_input(ow, kw, g->stride_w, g->dilation_w, g->pad_left, g->in_w);
        if (iw < 0) continue;
        const float* in = x + ((b * g->in_h + ih) * g->in_w + iw) * g->in_c;
        for (size_t co = 0; co < g->out_c; ++co) {
          const float* in_g = in + (co / og) * cg;
          const float* wk = w + ((co * g->kernel_h + kh) * g->kernel_w + kw) * cg;
          float acc = 0.0f;
          for (size_t ci = 0; ci < cg; ++ci) acc += in_g[ci] * wk[ci];
          out[co] += acc;
        }
      }
    }
    for (size_t co = 0; co < g->out_c; ++co) out[co] = clampf(out[co], params);
  }
}

void f32_col2im_row_scalar(const Conv2DGeometry* g, size_t oh, const float* cols, const float* bias,
                           float* y_row, const F32MinMaxParams* params) {
  col2im_row_impl(g, oh, cols, bias, y_row, params);
}

void qs8_im2col_scalar(const Conv2DGeometry* g, size_t row_begin, size_t rows, const int8_t* x,
                       int8_t zero_point, int8_t* cols, size_t col_stride) {
  const size_t k = g->kernel_h * g->kernel_w * g->in_c;
  for (size_t r = 0; r < rows; ++r) {
    const size_t row = row_begin + r;
    const size_t ow = row % g->out_w;
    const size_t oh = (row / g->out_w) % g->out_h;
    const size_t b = row / (g->out_w * g->out_h);
    int8_t* out = cols + r * col_stride;
    for (size_t kh = 0; kh < g->kernel_h; ++kh) {
      const ptrdiff_t ih = conv_input(oh, kh, g->stride_h, g->dilation_h, g->pad_top, g->in_h);
      for (size_t kw = 0; kw < g->kernel_w; ++kw) {
        int8_t* dst = out + (kh * g->kernel_w + kw) * g->in_c;
        const ptrdiff_t iw = conv_input(ow, kw, g->stride_w, g->dilation_w, g->pad_left, g->in_w);
        if (ih < 0 || iw < 0) {
          std::memset(dst, static_cast<uint8_t>(zero_point), g->in_c);
        } else {
          std::memcpy(dst, x + ((b * g->in_h + ih) * g->in_w + iw) * g->in_c, g->in_c);
        }
      }
    }
    if (col_stride > k) std::memset(out + k, 0, col_stride - k);
  }
}

void qs8_col2im_row_scalar(const Conv2DGeometry* g, size_t oh, const float* cols,
                           const float* bias, float* acc_row, int8_t* y_row,
                           const F32MinMaxParams* params, float out_scale,
                           int32_t out_zero_point) {
  qs8_col2im_row_impl(g, oh, cols, bias, acc_row, y_row, params, out_scale, out_zero_point);
}

}  // namespace mint
