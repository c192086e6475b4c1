// Shape rules of the image and third-party model ops (runtime/ops/shapes.h, second half).
#include <cmath>

#include "runtime/ops/shapes.h"

namespace mint {
namespace {

std::string num(int64_t v) { return std::to_string(v); }

// Fits in int32 and is positive: keeps every later product of the kernels far from overflow.
bool small_positive(int64_t v) { return v >= 1 && v <= (int64_t{1} << 30); }

}  // namespace

Pool2DParams pool2d_params(const plan::Pool2DOptions& o) {
  return {o.kernel_h(), o.kernel_w(), o.stride_h(), o.stride_w(), o.dilation_h(), o.dilation_w(),
          o.pad_top(), o.pad_left(), o.pad_bottom(), o.pad_right(), o.ceil_mode(),
          o.count_include_pad()};
}

Pool2DParams pool2d_params(const plan::Pool2DOptionsT& o) {
  return {o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w,
          o.pad_top, o.pad_left, o.pad_bottom, o.pad_right, o.ceil_mode, o.count_include_pad};
}

namespace {

// One spatial axis of a pooling window.
Result<int64_t> pool_axis(const char* axis, int64_t in, int64_t k, int64_t s, int64_t d,
                          int64_t pad0, int64_t pad1, bool ceil_mode) {
  if (!small_positive(k) || !small_positive(s) || !small_positive(d)) {
    return Status::invalid_plan(std::string("kernel, stride and dilation (") + axis +
                                ") must be in [1, 2^30], have " + num(k) + ", " + num(s) + ", " +
                                num(d));
  }
  const int64_t extent = d * (k - 1) + 1;
  if (pad0 < 0 || pad1 < 0 || pad0 >= extent || pad1 >= extent) {
    return Status::invalid_plan(std::string("pads (") + axis + ") " + num(pad0) + ", " +
                                num(pad1) + " must be in [0, " + num(extent) +
                                ") (the dilated kernel)");
  }
  if (in < 1 || in > (int64_t{1} << 30)) {
    return Status::invalid_plan(std::string("input size (") + axis + ") " + num(in) +
                                " must be in [1, 2^30]");
  }
  const int64_t span = in + pad0 + pad1 - extent;
  if (span < 0) {
    return Status::invalid_plan(std::string("kernel extent ") + num(extent) + " (" + axis +
                                ") exceeds the padded input " + num(in + pad0 + pad1));
  }
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  // A last window that would start in the end padding is dropped (ONNX, PyTorch).
  if (ceil_mode && (out - 1) * s >= in + pad0) --out;
  return out;
}

}  // namespace

Result<Shape> pool2d_output_shape(const Shape& x, const Pool2DParams& p) {
  if (x.rank != 4) return Status::invalid_plan("input has rank " + num(x.rank) + ", want 4 (NHWC)");
  MINT_ASSIGN_OR_RETURN(const int64_t oh, pool_axis("h", x[1], p.kernel_h, p.stride_h, p.dilation_h,
                                                    p.pad_top, p.pad_bottom, p.ceil_mode));
  MINT_ASSIGN_OR_RETURN(const int64_t ow, pool_axis("w", x[2], p.kernel_w, p.stride_w, p.dilation_w,
                                                    p.pad_left, p.pad_right, p.ceil_mode));
  Shape y = x;
  y[1] = oh;
  y[2] = ow;
  return y;
}

Result<Shape> resize_output_shape(const Shape& x, int64_t out_h, int64_t out_w, float scale_h,
                                  float scale_w) {
  if (x.rank != 4) return Status::invalid_plan("input has rank " + num(x.rank) + ", want 4 (NHWC)");
  if (x[1] < 1 || x[2] < 1) return Status::invalid_plan("input " + x.to_string() + " is empty");
  if (!small_positive(out_h) || !small_positive(out_w)) {
    return Status::invalid_plan("output size " + num(out_h) + "x" + num(out_w) +
                                " must be in [1, 2^30]");
  }
  if (!std::isfinite(scale_h) || !std::isfinite(scale_w) || !(scale_h > 0) || !(scale_w > 0)) {
    return Status::invalid_plan("scales " + std::to_string(scale_h) + ", " +
                                std::to_string(scale_w) + " must be finite and > 0");
  }
  Shape y = x;
  y[1] = out_h;
  y[2] = out_w;
  return make_shape(y.dims, y.rank);
}

Result<Shape> pad_output_shape(const Shape& x, const int64_t* pads, size_t count,
                               plan::PadMode mode) {
  if (count != 2 * x.rank) {
    return Status::invalid_plan("pads has " + num(static_cast<int64_t>(count)) + " values, want " +
                                num(static_cast<int64_t>(2 * x.rank)) + " (2 x rank)");
  }
  if (mode != plan::PadMode::constant && mode != plan::PadMode::reflect &&
      mode != plan::PadMode::edge) {
    return Status::invalid_plan("pad mode " + num(static_cast<int>(mode)) + " is not valid");
  }
  Shape y = x;
  for (size_t i = 0; i < x.rank; ++i) {
    const int64_t b = pads[i], e = pads[x.rank + i];
    if (b < 0 || e < 0 || b > (int64_t{1} << 30) || e > (int64_t{1} << 30)) {
      return Status::invalid_plan("pads of axis " + num(static_cast<int64_t>(i)) + " (" + num(b) +
                                  ", " + num(e) + ") must be in [0, 2^30]");
    }
    if ((b > 0 || e > 0) && mode == plan::PadMode::reflect && (b >= x[i] || e >= x[i])) {
      return Status::invalid_plan("reflect pads of axis " + num(static_cast<int64_t>(i)) + " (" +
                                  num(b) + ", " + num(e) + ") must be smaller than its size " +
                                  num(x[i]));
    }
    if ((b > 0 || e > 0) && mode == plan::PadMode::edge && x[i] < 1) {
      return Status::invalid_plan("edge padding of the empty axis " + num(static_cast<int64_t>(i)));
    }
    y[i] = x[i] + b + e;
  }
  return make_shape(y.dims, y.rank);
}

Result<Shape> reduce_output_shape(const Shape& x, const int32_t* axes, size_t count,
                                  bool keepdims) {
  if (count == 0) return Status::invalid_plan("axes is empty");
  bool reduced[kMaxRank] = {};
  for (size_t i = 0; i < count; ++i) {
    MINT_ASSIGN_OR_RETURN(const size_t a, normalize_axis(axes[i], x.rank));
    if (reduced[a]) return Status::invalid_plan("axis " + num(axes[i]) + " is listed twice");
    if (x[a] == 0) return Status::invalid_plan("axis " + num(axes[i]) + " is empty");
    reduced[a] = true;
  }
  Shape y;
  for (size_t i = 0; i < x.rank; ++i) {
    if (!reduced[i]) {
      y.dims[y.rank++] = x[i];
    } else if (keepdims) {
      y.dims[y.rank++] = 1;
    }
  }
  return y;
}

Result<Shape> slice_output_shape(const Shape& x, const int64_t* starts, const int64_t* ends,
                                 const int64_t* steps, size_t count) {
  if (count != x.rank) {
    return Status::invalid_plan("slice has " + num(static_cast<int64_t>(count)) +
                                " axes, want " + num(static_cast<int64_t>(x.rank)));
  }
  Shape y = x;
  for (size_t i = 0; i < x.rank; ++i) {
    const int64_t d = x[i], s = starts[i], e = ends[i], st = steps[i];
    const std::string where = "axis " + num(static_cast<int64_t>(i)) + " (size " + num(d) +
                              "): start " + num(s) + ", end " + num(e) + ", step " + num(st);
    if (st == 0 || st < -(int64_t{1} << 40) || st > (int64_t{1} << 40)) {
      return Status::invalid_plan(where + ": step must be nonzero and below 2^40");
    }
    if (s < 0 || s >= d || e < -1 || e > d) {
      return Status::invalid_plan(where + ": start must be in [0, size), end in [-1, size]");
    }
    const int64_t n = st > 0 ? (e - s + st - 1) / st : (s - e + (-st) - 1) / (-st);
    if (n < 1) return Status::invalid_plan(where + ": the slice is empty");
    y[i] = n;
  }
  return y;
}

}  // namespace mint
