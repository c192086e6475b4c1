// Shape rules of the ops, shared by the compiler (compiler/shape_inference.cc, at graph build
// time) and the runtime (the ops' validate(), at plan load time), so that each rule exists
// once and both sides agree on it.
//
// Every function is pure: plain shapes and integers in, a Shape (or Status) out. Arithmetic is
// done in int64 with overflow checks, so hostile values (huge kernels, strides, pads) produce an
// invalid_plan Status, never undefined behaviour. Messages name the offending quantity but not
// the op or tensor; callers add that context (e.g. "input 1 'w': ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/status.h"
#include "runtime/tensor.h"
#include "schema/plan_generated.h"

namespace mint {

// A Shape from `rank` dimensions; error if rank > kMaxRank or a dimension is negative.
Result<Shape> make_shape(const int64_t* dims, size_t rank);

// `axis` in [-rank, rank) made non-negative; "axis 3 is out of range for rank 2" otherwise.
Result<size_t> normalize_axis(int64_t axis, size_t rank);

// Numpy broadcasting: shapes aligned at their last dimension; each pair of dimensions must be
// equal or one of them 1; the result has the larger rank.
Result<Shape> broadcast_shape(const Shape& a, const Shape& b);

// fully_connected: x [.., k] (rank >= 1), w [n, k] -> [.., n].
Result<Shape> fully_connected_output_shape(const Shape& x, const Shape& w);

// matmul: a [.., m, k], b [.., k, n] (or [.., n, k] with transpose_b); both rank >= 2. The
// batch dimensions of b equal those of a, or b has rank 2 (one matrix shared by every batch).
// Result [.., m, n] with a's batch dimensions.
Result<Shape> matmul_output_shape(const Shape& a, const Shape& b, bool transpose_b);

// Convolution parameters as plain integers (from plan::Conv2DOptions or its object-API twin).
struct Conv2DParams {
  int64_t kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t groups = 1;
  int64_t output_pad_h = 0, output_pad_w = 0;  // transposed convolution only
};

Conv2DParams conv2d_params(const plan::Conv2DOptions& o);
Conv2DParams conv2d_params(const plan::Conv2DOptionsT& o);
Conv2DParams conv2d_params(const plan::TransposedConv2DOptions& o);
Conv2DParams conv2d_params(const plan::TransposedConv2DOptionsT& o);

// Checks kernel >= 1, stride >= 1, dilation >= 1, pads >= 0, groups >= 1 and (transposed)
// 0 <= output_pad < max(stride, dilation) as in ONNX ConvTranspose.
Status check_conv2d_params(const Conv2DParams& p, bool transposed);

// conv2d: x NHWC [n, h, w, cin] -> [n, oh, ow, cout] with
//   oh = (h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1
// (ow likewise). Requires valid params, cin and cout divisible by groups, oh, ow >= 1.
Result<Shape> conv2d_output_shape(const Shape& x, int64_t cout, const Conv2DParams& p);

// transposed_conv2d (ONNX ConvTranspose): x NHWC [n, h, w, cin] -> [n, oh, ow, cout] with
//   oh = (h - 1) * stride_h - pad_top - pad_bottom + dilation_h * (kernel_h - 1)
//        + output_pad_h + 1
// (ow likewise). Requires valid params (groups must be 1), h, w >= 1, oh, ow >= 1.
Result<Shape> transposed_conv2d_output_shape(const Shape& x, int64_t cout, const Conv2DParams& p);

// concat along `axis` (negative counts from the end): every input has the rank of the first
// and equal dimensions except at `axis`; the result's axis dimension is the sum.
Result<Shape> concat_output_shape(const Shape* inputs, size_t count, int64_t axis);

// transpose: perm must be a permutation of [0, rank); out[i] = x[perm[i]].
Result<Shape> transpose_output_shape(const Shape& x, const int32_t* perm, size_t perm_size);

// reshape: new_shape (no -1 wildcards: the compiler resolves them) with the element count of x.
Result<Shape> reshape_output_shape(const Shape& x, const int64_t* new_shape, size_t rank);

// embedding: table [vocab, dim], ids [...] -> [..., dim]; ids rank < kMaxRank.
Result<Shape> embedding_output_shape(const Shape& table, const Shape& ids);

// layer_norm / rms_norm: the normalized axis must be the last (axis -1 or rank - 1), x rank
// >= 1, epsilon finite and > 0. Returns the size of the last dimension.
Result<int64_t> norm_axis_size(const Shape& x, int64_t axis, float epsilon);

// "[8,3,3]"-style string of a dims array, for messages.
std::string dims_string(const int64_t* dims, size_t rank);

}  // namespace mint

// ---- image and third-party model ops (runtime/ops/shapes_image.cc) -------------------------

namespace mint {

// Pooling parameters as plain integers (from plan::Pool2DOptions or its object-API twin).
struct Pool2DParams {
  int64_t kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;
};
Pool2DParams pool2d_params(const plan::Pool2DOptions& o);
Pool2DParams pool2d_params(const plan::Pool2DOptionsT& o);

// max_pool2d / average_pool2d: x NHWC [n, h, w, c] -> [n, oh, ow, c] with
//   oh = floor((h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h) + 1
// (ceil instead of floor with ceil_mode, dropping a last window that would start in the bottom
// padding, as ONNX does). Requires kernel, stride, dilation >= 1, 0 <= pad < dilated kernel,
// oh, ow >= 1.
Result<Shape> pool2d_output_shape(const Shape& x, const Pool2DParams& p);

// resize: x NHWC [n, h, w, c] (h, w >= 1) -> [n, out_h, out_w, c]; out_h, out_w >= 1 and
// scales finite and > 0.
Result<Shape> resize_output_shape(const Shape& x, int64_t out_h, int64_t out_w, float scale_h,
                                  float scale_w);

// pad: pads holds 2 * rank values (begins, then ends), each >= 0 -> dims + begin + end.
// Reflect needs begin, end < d on every padded axis; edge needs d >= 1 where padded.
Result<Shape> pad_output_shape(const Shape& x, const int64_t* pads, size_t count,
                               plan::PadMode mode);

// reduce_mean: axes distinct, in [-rank, rank); result drops them (keepdims: sets them to 1).
// Reducing over an empty axis is refused.
Result<Shape> reduce_output_shape(const Shape& x, const int32_t* axes, size_t count,
                                  bool keepdims);

// slice: starts, ends, steps with one value per axis of x (see SliceOptions in plan.fbs);
// out[i] = number of indices start, start + step, ... strictly before end (step > 0) or after
// end (step < 0), each of them inside [0, d).
Result<Shape> slice_output_shape(const Shape& x, const int64_t* starts, const int64_t* ends,
                                 const int64_t* steps, size_t count);

}  // namespace mint
