#include <cmath>
#include <cstring>

#include "kernels/image.h"

namespace mint {
namespace {

// [first, last) of the kernel taps of output `o` that land in [0, in).
void taps(size_t o, size_t stride, size_t pad, size_t dilation, size_t kernel, size_t in,
          size_t* first, size_t* last) {
  const int64_t base = static_cast<int64_t>(o * stride) - static_cast<int64_t>(pad);
  int64_t k0 = 0, k1 = static_cast<int64_t>(kernel);
  const int64_t d = static_cast<int64_t>(dilation);
  while (k0 < k1 && base + k0 * d < 0) ++k0;
  while (k1 > k0 && base + (k1 - 1) * d >= static_cast<int64_t>(in)) --k1;
  *first = static_cast<size_t>(k0);
  *last = static_cast<size_t>(k1);
}

template <bool kMax>
void pool2d(const Pool2DKernelParams& p, const float* x, float* y, size_t row_begin,
            size_t row_end) {
  for (size_t row = row_begin; row < row_end; ++row) {
    const size_t b = row / p.oh, oy = row % p.oh;
    size_t ky0, ky1;
    taps(oy, p.stride_h, p.pad_top, p.dilation_h, p.kernel_h, p.h, &ky0, &ky1);
    for (size_t ox = 0; ox < p.ow; ++ox) {
      size_t kx0, kx1;
      taps(ox, p.stride_w, p.pad_left, p.dilation_w, p.kernel_w, p.w, &kx0, &kx1);
      float* out = y + (row * p.ow + ox) * p.c;
      for (size_t ch = 0; ch < p.c; ++ch) {
        float acc = kMax ? -INFINITY : 0.0f;
        for (size_t ky = ky0; ky < ky1; ++ky) {
          const size_t iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
          const float* in_row = x + ((b * p.h + iy) * p.w) * p.c + ch;
          for (size_t kx = kx0; kx < kx1; ++kx) {
            const size_t ix = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
            const float v = in_row[ix * p.c];
            if (kMax) {
              acc = (v > acc || std::isnan(v)) ? v : acc;
            } else {
              acc += v;
            }
          }
        }
        if (!kMax) {
          size_t count = (ky1 - ky0) * (kx1 - kx0);
          if (p.count_include_pad) {
            // Window positions inside the padded input.
            const auto inside = [](size_t o, size_t stride, size_t pad0, size_t pad1,
                                   size_t dilation, size_t kernel, size_t in) {
              size_t k = 0;
              for (size_t t = 0; t < kernel; ++t) {
                if (o * stride + t * dilation < in + pad0 + pad1) ++k;
              }
              return k;
            };
            count = inside(oy, p.stride_h, p.pad_top, p.pad_bottom, p.dilation_h, p.kernel_h, p.h) *
                    inside(ox, p.stride_w, p.pad_left, p.pad_right, p.dilation_w, p.kernel_w, p.w);
          }
          acc /= static_cast<float>(count);
        }
        out[ch] = acc;
      }
    }
  }
}

}  // namespace

void f32_max_pool2d_scalar(const Pool2DKernelParams& p, const float* x, float* y, size_t row_begin,
                           size_t row_end) {
  pool2d<true>(p, x, y, row_begin, row_end);
}

void f32_avg_pool2d_scalar(const Pool2DKernelParams& p, const float* x, float* y, size_t row_begin,
                           size_t row_end) {
  pool2d<false>(p, x, y, row_begin, row_end);
}

float resize_source_coordinate(int coordinates, size_t o, size_t in, size_t out, float scale) {
  const float xo = static_cast<float>(o);
  switch (coordinates) {
    case 1:  // asymmetric
      return xo / scale;
    case 2: {  // align_corners, with ONNX's resized length in * scale (out when sizes are given)
      const float len = static_cast<float>(in) * scale;
      (void)out;
      return len <= 1.0f ? 0.0f : xo * static_cast<float>(in - 1) / (len - 1.0f);
    }
    case 3:  // pytorch_half_pixel
      return out > 1 ? (xo + 0.5f) / scale - 0.5f : 0.0f;
    case 4:  // tf_half_pixel_for_nn
      return (xo + 0.5f) / scale;
    default:  // half_pixel
      return (xo + 0.5f) / scale - 0.5f;
  }
}

namespace {

size_t nearest_index(int nearest_mode, float v, size_t in) {
  float r;
  switch (nearest_mode) {
    case 1:  // round_prefer_ceil
      r = (v - std::floor(v) == 0.5f) ? std::ceil(v) : std::round(v);
      break;
    case 2:
      r = std::floor(v);
      break;
    case 3:
      r = std::ceil(v);
      break;
    default:  // round_prefer_floor
      r = (v - std::floor(v) == 0.5f) ? std::floor(v) : std::round(v);
      break;
  }
  if (!(r > 0.0f)) return 0;
  const size_t i = static_cast<size_t>(r);
  return i >= in ? in - 1 : i;
}

struct LinearTap {
  size_t i0, i1;
  float w0, w1;
};

LinearTap linear_tap(float v, size_t in) {
  const float hi = static_cast<float>(in - 1);
  v = v < 0.0f ? 0.0f : (v > hi ? hi : v);
  size_t i0 = static_cast<size_t>(v);
  if (i0 > in - 1) i0 = in - 1;
  const size_t i1 = i0 + 1 < in ? i0 + 1 : in - 1;
  const float f = v - static_cast<float>(i0);
  return {i0, i1, 1.0f - f, f};
}

}  // namespace

void f32_resize_scalar(const ResizeKernelParams& p, const float* x, float* y, size_t row_begin,
                       size_t row_end) {
  for (size_t row = row_begin; row < row_end; ++row) {
    const size_t b = row / p.oh, oy = row % p.oh;
    const float sy = resize_source_coordinate(p.coordinates, oy, p.h, p.oh, p.scale_h);
    const float* img = x + b * p.h * p.w * p.c;
    float* out = y + row * p.ow * p.c;
    if (p.mode == 0) {
      const size_t iy = nearest_index(p.nearest_mode, sy, p.h);
      for (size_t ox = 0; ox < p.ow; ++ox) {
        const float sx = resize_source_coordinate(p.coordinates, ox, p.w, p.ow, p.scale_w);
        const size_t ix = nearest_index(p.nearest_mode, sx, p.w);
        std::memcpy(out + ox * p.c, img + (iy * p.w + ix) * p.c, p.c * sizeof(float));
      }
      continue;
    }
    const LinearTap ty = linear_tap(sy, p.h);
    for (size_t ox = 0; ox < p.ow; ++ox) {
      const LinearTap tx =
          linear_tap(resize_source_coordinate(p.coordinates, ox, p.w, p.ow, p.scale_w), p.w);
      const float* a = img + (ty.i0 * p.w + tx.i0) * p.c;
      const float* bb = img + (ty.i0 * p.w + tx.i1) * p.c;
      const float* cc = img + (ty.i1 * p.w + tx.i0) * p.c;
      const float* d = img + (ty.i1 * p.w + tx.i1) * p.c;
      for (size_t ch = 0; ch < p.c; ++ch) {
        out[ox * p.c + ch] = ty.w0 * (tx.w0 * a[ch] + tx.w1 * bb[ch]) +
                             ty.w1 * (tx.w0 * cc[ch] + tx.w1 * d[ch]);
      }
    }
  }
}

namespace {

// Source index of output index `o` along one axis, or -1 for a constant-padded position.
int64_t pad_source(int mode, int64_t o, int64_t begin, int64_t in) {
  int64_t i = o - begin;
  if (i >= 0 && i < in) return i;
  if (mode == 0) return -1;
  if (mode == 2) return i < 0 ? 0 : in - 1;
  // reflect (the shape rule keeps pads < in, so one reflection suffices)
  if (in == 1) return 0;
  if (i < 0) i = -i;
  if (i >= in) i = 2 * (in - 1) - i;
  return i;
}

}  // namespace

void f32_pad_scalar(const PadKernelParams& p, const float* x, float* y, size_t row_begin,
                    size_t row_end) {
  const size_t r = p.rank;
  const size_t last = r == 0 ? 1 : p.out_dims[r - 1];
  size_t in_strides[kImageMaxRank];
  size_t acc = 1;
  for (size_t i = r; i-- > 0;) {
    in_strides[i] = acc;
    acc *= p.in_dims[i];
  }
  for (size_t row = row_begin; row < row_end; ++row) {
    float* out = y + row * last;
    // Source offset of this row's outer index, or constant.
    size_t rem = row, offset = 0;
    bool constant = false;
    for (size_t d = r - (r ? 1 : 0); d-- > 0;) {
      const size_t o = rem % p.out_dims[d];
      rem /= p.out_dims[d];
      const int64_t s = pad_source(p.mode, static_cast<int64_t>(o), static_cast<int64_t>(p.begin[d]),
                                   static_cast<int64_t>(p.in_dims[d]));
      if (s < 0) {
        constant = true;
        break;
      }
      offset += static_cast<size_t>(s) * in_strides[d];
    }
    if (r == 0) {
      out[0] = x[0];
      continue;
    }
    for (size_t j = 0; j < last; ++j) {
      const int64_t s = constant ? -1
                                 : pad_source(p.mode, static_cast<int64_t>(j),
                                              static_cast<int64_t>(p.begin[r - 1]),
                                              static_cast<int64_t>(p.in_dims[r - 1]));
      out[j] = s < 0 ? p.value : x[offset + static_cast<size_t>(s)];
    }
  }
}

void slice_scalar(const SliceKernelParams& p, const uint8_t* x, uint8_t* y, size_t row_begin,
                  size_t row_end) {
  const size_t r = p.rank, es = p.elem_size;
  int64_t in_strides[kImageMaxRank];
  int64_t acc = 1;
  for (size_t i = r; i-- > 0;) {
    in_strides[i] = acc;
    acc *= static_cast<int64_t>(p.in_dims[i]);
  }
  const size_t last = p.out_dims[r - 1];
  for (size_t row = row_begin; row < row_end; ++row) {
    size_t rem = row;
    int64_t offset = 0;
    for (size_t d = r - 1; d-- > 0;) {
      const int64_t o = static_cast<int64_t>(rem % p.out_dims[d]);
      rem /= p.out_dims[d];
      offset += (p.start[d] + o * p.step[d]) * in_strides[d];
    }
    uint8_t* out = y + row * last * es;
    const int64_t step = p.step[r - 1];
    const uint8_t* in = x + (offset + p.start[r - 1]) * static_cast<int64_t>(es);
    if (step == 1) {
      std::memcpy(out, in, last * es);
    } else {
      for (size_t j = 0; j < last; ++j) {
        std::memcpy(out + j * es, in + static_cast<int64_t>(j) * step * static_cast<int64_t>(es), es);
      }
    }
  }
}

void f32_reduce_mean_scalar(const ReduceKernelParams& p, const float* x, float* y, size_t o_begin,
                            size_t o_end) {
  size_t strides[kImageMaxRank];
  size_t acc = 1;
  for (size_t i = p.rank; i-- > 0;) {
    strides[i] = acc;
    acc *= p.dims[i];
  }
  // Reduced axes, innermost last, and their count.
  size_t rdims[kImageMaxRank], rstrides[kImageMaxRank], nr = 0, count = 1;
  for (size_t i = 0; i < p.rank; ++i) {
    if (!p.reduced[i]) continue;
    rdims[nr] = p.dims[i];
    rstrides[nr] = strides[i];
    count *= p.dims[i];
    ++nr;
  }
  for (size_t o = o_begin; o < o_end; ++o) {
    size_t rem = o, base = 0;
    for (size_t i = p.rank; i-- > 0;) {
      if (p.reduced[i]) continue;
      base += (rem % p.dims[i]) * strides[i];
      rem /= p.dims[i];
    }
    double sum = 0.0;
    size_t idx[kImageMaxRank] = {};
    size_t off = base;
    for (size_t k = 0; k < count; ++k) {
      sum += x[off];
      for (size_t j = nr; j-- > 0;) {
        off += rstrides[j];
        if (++idx[j] < rdims[j]) break;
        off -= rstrides[j] * rdims[j];
        idx[j] = 0;
      }
    }
    y[o] = static_cast<float>(sum / static_cast<double>(count));
  }
}

}  // namespace mint
