#include "runtime/ops/shapes.h"

#include <algorithm>
#include <cmath>

namespace mint {
namespace {

Status too_large(const char* what) {
  return Status::invalid_plan(std::string(what) + " overflows int64");
}

bool mul_ok(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }
bool add_ok(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }

std::string num(int64_t v) { return std::to_string(v); }

}  // namespace

std::string dims_string(const int64_t* dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

Result<Shape> make_shape(const int64_t* dims, size_t rank) {
  if (rank > kMaxRank) {
    return Status::invalid_plan("rank " + std::to_string(rank) + " exceeds the maximum " +
                                std::to_string(kMaxRank));
  }
  Shape s;
  s.rank = rank;
  int64_t elements = 1;
  for (size_t i = 0; i < rank; ++i) {
    if (dims[i] < 0) {
      return Status::invalid_plan("shape " + dims_string(dims, rank) + " has a negative dimension");
    }
    if (!mul_ok(elements, dims[i], &elements)) return too_large("element count");
    s.dims[i] = dims[i];
  }
  return s;
}

Result<size_t> normalize_axis(int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return Status::invalid_plan("axis " + num(axis) + " is out of range for rank " + num(r));
  }
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

Result<Shape> broadcast_shape(const Shape& a, const Shape& b) {
  Shape out;
  out.rank = a.rank > b.rank ? a.rank : b.rank;
  for (size_t i = 0; i < out.rank; ++i) {
    // i counts from the last dimension.
    const int64_t da = i < a.rank ? a[a.rank - 1 - i] : 1;
    const int64_t db = i < b.rank ? b[b.rank - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) {
      return Status::invalid_plan("shapes " + a.to_string() + " and " + b.to_string() +
                                  " do not broadcast (dimension " + num(da) + " vs " + num(db) +
                                  ")");
    }
    out[out.rank - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

Result<Shape> fully_connected_output_shape(const Shape& x, const Shape& w) {
  if (w.rank != 2)
    return Status::invalid_plan("weights have shape " + w.to_string() + ", want rank 2 [n, k]");
  if (x.rank < 1) return Status::invalid_plan("input has rank 0, want rank >= 1");
  if (x[x.rank - 1] != w[1]) {
    return Status::invalid_plan("input shape " + x.to_string() + " has last dimension " +
                                num(x[x.rank - 1]) + ", weights " + w.to_string() + " want " +
                                num(w[1]));
  }
  Shape out = x;
  out[out.rank - 1] = w[0];
  return out;
}

Result<Shape> matmul_output_shape(const Shape& a, const Shape& b, bool transpose_b) {
  if (a.rank < 2) return Status::invalid_plan("A has shape " + a.to_string() + ", want rank >= 2");
  if (b.rank < 2) return Status::invalid_plan("B has shape " + b.to_string() + ", want rank >= 2");
  if (b.rank != 2) {
    bool same = b.rank == a.rank;
    for (size_t i = 0; same && i + 2 < a.rank; ++i) same = a[i] == b[i];
    if (!same) {
      return Status::invalid_plan("batch dimensions of A " + a.to_string() + " and B " +
                                  b.to_string() + " differ (B must match them or have rank 2)");
    }
  }
  const int64_t k = a[a.rank - 1];
  const int64_t bk = transpose_b ? b[b.rank - 1] : b[b.rank - 2];
  const int64_t n = transpose_b ? b[b.rank - 2] : b[b.rank - 1];
  if (k != bk) {
    return Status::invalid_plan("A " + a.to_string() + " has k = " + num(k) + " but B " +
                                b.to_string() + (transpose_b ? " (transposed)" : "") +
                                " has k = " + num(bk));
  }
  Shape out = a;
  out[out.rank - 1] = n;
  return out;
}

namespace {
template <typename T>
Conv2DParams conv_table(const T& o) {
  Conv2DParams p;
  p.kernel_h = o.kernel_h();
  p.kernel_w = o.kernel_w();
  p.stride_h = o.stride_h();
  p.stride_w = o.stride_w();
  p.dilation_h = o.dilation_h();
  p.dilation_w = o.dilation_w();
  p.pad_top = o.pad_top();
  p.pad_left = o.pad_left();
  p.pad_bottom = o.pad_bottom();
  p.pad_right = o.pad_right();
  return p;
}
template <typename T>
Conv2DParams conv_object(const T& o) {
  Conv2DParams p;
  p.kernel_h = o.kernel_h;
  p.kernel_w = o.kernel_w;
  p.stride_h = o.stride_h;
  p.stride_w = o.stride_w;
  p.dilation_h = o.dilation_h;
  p.dilation_w = o.dilation_w;
  p.pad_top = o.pad_top;
  p.pad_left = o.pad_left;
  p.pad_bottom = o.pad_bottom;
  p.pad_right = o.pad_right;
  return p;
}
}  // namespace

Conv2DParams conv2d_params(const plan::Conv2DOptions& o) {
  Conv2DParams p = conv_table(o);
  p.groups = o.groups();
  return p;
}
Conv2DParams conv2d_params(const plan::Conv2DOptionsT& o) {
  Conv2DParams p = conv_object(o);
  p.groups = o.groups;
  return p;
}
Conv2DParams conv2d_params(const plan::TransposedConv2DOptions& o) {
  Conv2DParams p = conv_table(o);
  p.output_pad_h = o.output_pad_h();
  p.output_pad_w = o.output_pad_w();
  return p;
}
Conv2DParams conv2d_params(const plan::TransposedConv2DOptionsT& o) {
  Conv2DParams p = conv_object(o);
  p.output_pad_h = o.output_pad_h;
  p.output_pad_w = o.output_pad_w;
  return p;
}

Status check_conv2d_params(const Conv2DParams& p, bool transposed) {
  const auto pos = [](int64_t v, const char* name) -> Status {
    if (v >= 1) return Status::ok();
    return Status::invalid_plan(std::string(name) + " is " + num(v) + ", want >= 1");
  };
  const auto nonneg = [](int64_t v, const char* name) -> Status {
    if (v >= 0) return Status::ok();
    return Status::invalid_plan(std::string(name) + " is " + num(v) + ", want >= 0");
  };
  MINT_RETURN_IF_ERROR(pos(p.kernel_h, "kernel_h"));
  MINT_RETURN_IF_ERROR(pos(p.kernel_w, "kernel_w"));
  MINT_RETURN_IF_ERROR(pos(p.stride_h, "stride_h"));
  MINT_RETURN_IF_ERROR(pos(p.stride_w, "stride_w"));
  MINT_RETURN_IF_ERROR(pos(p.dilation_h, "dilation_h"));
  MINT_RETURN_IF_ERROR(pos(p.dilation_w, "dilation_w"));
  MINT_RETURN_IF_ERROR(nonneg(p.pad_top, "pad_top"));
  MINT_RETURN_IF_ERROR(nonneg(p.pad_left, "pad_left"));
  MINT_RETURN_IF_ERROR(nonneg(p.pad_bottom, "pad_bottom"));
  MINT_RETURN_IF_ERROR(nonneg(p.pad_right, "pad_right"));
  MINT_RETURN_IF_ERROR(pos(p.groups, "groups"));
  if (transposed) {
    if (p.groups != 1) return Status::invalid_plan("groups is " + num(p.groups) + ", want 1");
    MINT_RETURN_IF_ERROR(nonneg(p.output_pad_h, "output_pad_h"));
    MINT_RETURN_IF_ERROR(nonneg(p.output_pad_w, "output_pad_w"));
    if (p.output_pad_h >= std::max(p.stride_h, p.dilation_h) ||
        p.output_pad_w >= std::max(p.stride_w, p.dilation_w)) {
      return Status::invalid_plan("output padding (" + num(p.output_pad_h) + ", " +
                                  num(p.output_pad_w) +
                                  ") must be smaller than the stride or the dilation");
    }
  } else if (p.output_pad_h != 0 || p.output_pad_w != 0) {
    return Status::invalid_plan("output padding is only for transposed convolutions");
  }
  return Status::ok();
}

namespace {

// (in + pad_a + pad_b - dilation * (kernel - 1) - 1) / stride + 1, or an error.
Result<int64_t> conv_out_dim(int64_t in, int64_t pad_a, int64_t pad_b, int64_t kernel,
                             int64_t stride, int64_t dilation, const char* axis) {
  int64_t span, padded;
  if (!mul_ok(dilation, kernel - 1, &span)) return too_large("dilated kernel size");
  if (!add_ok(in, pad_a, &padded) || !add_ok(padded, pad_b, &padded))
    return too_large("padded input");
  const int64_t extent = padded - span - 1;
  if (extent < 0) {
    return Status::invalid_plan(std::string("padded input ") + axis + " " + num(padded) +
                                " is smaller than the dilated kernel " + num(span + 1));
  }
  return extent / stride + 1;
}

// (in - 1) * stride - pad_a - pad_b + dilation * (kernel - 1) + output_pad + 1, or an error.
Result<int64_t> tconv_out_dim(int64_t in, int64_t pad_a, int64_t pad_b, int64_t kernel,
                              int64_t stride, int64_t dilation, int64_t output_pad,
                              const char* axis) {
  int64_t v, span;
  if (!mul_ok(in - 1, stride, &v)) return too_large("transposed convolution output");
  if (!mul_ok(dilation, kernel - 1, &span)) return too_large("dilated kernel size");
  if (!add_ok(v, span, &v) || !add_ok(v, output_pad + 1, &v)) {
    return too_large("transposed convolution output");
  }
  v = v - pad_a - pad_b;  // v >= 1 and pads < 2^31: no overflow
  if (v < 1) {
    return Status::invalid_plan(std::string("output ") + axis + " would be " + num(v) +
                                " (pads too large)");
  }
  return v;
}

}  // namespace

Result<Shape> conv2d_output_shape(const Shape& x, int64_t cout, const Conv2DParams& p) {
  MINT_RETURN_IF_ERROR(check_conv2d_params(p, false));
  if (x.rank != 4)
    return Status::invalid_plan("input has shape " + x.to_string() + ", want rank 4 (NHWC)");
  const int64_t cin = x[3];
  if (cin < 1 || cout < 1) {
    return Status::invalid_plan("channels in " + num(cin) + " / out " + num(cout) +
                                " must be >= 1");
  }
  if (cin % p.groups != 0 || cout % p.groups != 0) {
    return Status::invalid_plan("groups " + num(p.groups) + " does not divide input channels " +
                                num(cin) + " and output channels " + num(cout));
  }
  MINT_ASSIGN_OR_RETURN(const int64_t oh, conv_out_dim(x[1], p.pad_top, p.pad_bottom, p.kernel_h,
                                                       p.stride_h, p.dilation_h, "height"));
  MINT_ASSIGN_OR_RETURN(const int64_t ow, conv_out_dim(x[2], p.pad_left, p.pad_right, p.kernel_w,
                                                       p.stride_w, p.dilation_w, "width"));
  const int64_t dims[4] = {x[0], oh, ow, cout};
  return make_shape(dims, 4);
}

Result<Shape> transposed_conv2d_output_shape(const Shape& x, int64_t cout, const Conv2DParams& p) {
  MINT_RETURN_IF_ERROR(check_conv2d_params(p, true));
  if (x.rank != 4)
    return Status::invalid_plan("input has shape " + x.to_string() + ", want rank 4 (NHWC)");
  if (x[1] < 1 || x[2] < 1 || x[3] < 1 || cout < 1) {
    return Status::invalid_plan("input " + x.to_string() + " and output channels " + num(cout) +
                                " must have sizes >= 1");
  }
  MINT_ASSIGN_OR_RETURN(const int64_t oh,
                        tconv_out_dim(x[1], p.pad_top, p.pad_bottom, p.kernel_h, p.stride_h,
                                      p.dilation_h, p.output_pad_h, "height"));
  MINT_ASSIGN_OR_RETURN(const int64_t ow,
                        tconv_out_dim(x[2], p.pad_left, p.pad_right, p.kernel_w, p.stride_w,
                                      p.dilation_w, p.output_pad_w, "width"));
  const int64_t dims[4] = {x[0], oh, ow, cout};
  return make_shape(dims, 4);
}

Result<Shape> concat_output_shape(const Shape* inputs, size_t count, int64_t axis) {
  if (count == 0) return Status::invalid_plan("concat needs at least one input");
  const Shape& first = inputs[0];
  if (first.rank == 0) return Status::invalid_plan("cannot concatenate rank-0 tensors");
  MINT_ASSIGN_OR_RETURN(const size_t ax, normalize_axis(axis, first.rank));
  Shape out = first;
  for (size_t i = 1; i < count; ++i) {
    const Shape& s = inputs[i];
    bool ok = s.rank == first.rank;
    for (size_t d = 0; ok && d < s.rank; ++d) ok = d == ax || s[d] == first[d];
    if (!ok) {
      return Status::invalid_plan("input " + std::to_string(i) + " has shape " + s.to_string() +
                                  ", incompatible with input 0 " + first.to_string() +
                                  " for concatenation along axis " + std::to_string(ax));
    }
    if (!add_ok(out[ax], s[ax], &out.dims[ax])) return too_large("concatenated dimension");
  }
  return make_shape(out.dims, out.rank);
}

Result<Shape> transpose_output_shape(const Shape& x, const int32_t* perm, size_t perm_size) {
  if (perm_size != x.rank) {
    return Status::invalid_plan("perm has " + std::to_string(perm_size) + " entries, want " +
                                std::to_string(x.rank) + " (the input rank)");
  }
  bool seen[kMaxRank] = {};
  Shape out;
  out.rank = x.rank;
  for (size_t i = 0; i < perm_size; ++i) {
    const int32_t p = perm[i];
    if (p < 0 || static_cast<size_t>(p) >= x.rank || seen[p]) {
      std::string s = "[";
      for (size_t j = 0; j < perm_size; ++j) s += (j ? "," : "") + std::to_string(perm[j]);
      return Status::invalid_plan("perm " + s + "] is not a permutation of [0, " +
                                  std::to_string(x.rank) + ")");
    }
    seen[p] = true;
    out[i] = x[static_cast<size_t>(p)];
  }
  return out;
}

Result<Shape> reshape_output_shape(const Shape& x, const int64_t* new_shape, size_t rank) {
  MINT_ASSIGN_OR_RETURN(const Shape out, make_shape(new_shape, rank));
  if (out.elements() != x.elements()) {
    return Status::invalid_plan("new shape " + out.to_string() + " has " + num(out.elements()) +
                                " elements, input " + x.to_string() + " has " + num(x.elements()));
  }
  return out;
}

Result<Shape> embedding_output_shape(const Shape& table, const Shape& ids) {
  if (table.rank != 2) {
    return Status::invalid_plan("table has shape " + table.to_string() +
                                ", want rank 2 [vocab, dim]");
  }
  if (ids.rank + 1 > kMaxRank) {
    return Status::invalid_plan("ids have rank " + std::to_string(ids.rank) + ", want < " +
                                std::to_string(kMaxRank));
  }
  Shape out = ids;
  out.rank = ids.rank + 1;
  out[ids.rank] = table[1];
  return make_shape(out.dims, out.rank);
}

Result<int64_t> norm_axis_size(const Shape& x, int64_t axis, float epsilon) {
  if (x.rank < 1) return Status::invalid_plan("input has rank 0, want rank >= 1");
  if (axis != -1 && axis != static_cast<int64_t>(x.rank) - 1) {
    return Status::invalid_plan("axis " + num(axis) + " is not the last axis (-1 or " +
                                num(static_cast<int64_t>(x.rank) - 1) + ")");
  }
  if (!(epsilon > 0.0f) || !std::isfinite(epsilon)) {
    return Status::invalid_plan("epsilon " + std::to_string(epsilon) + " must be finite and > 0");
  }
  return x[x.rank - 1];
}

}  // namespace mint
