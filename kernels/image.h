// f32 kernels of the image and reduction ops: 2-D pooling and resizing over NHWC tensors,
// padding, strided slicing and mean reduction. Each is the scalar reference (kernels/ref/
// image_scalar.cc): pure, single-threaded, allocation-free; the operators in runtime/ops/
// (pooling.cc, resize.cc, pad_slice.cc, reduce.cc) split the output into row ranges and run
// them over the thread pool. Inputs and outputs never overlap.
//
// Pooling (x [n, h, w, c] -> y [n, oh, ow, c], rows = n * oh, a row range [r0, r1)):
//   window of output (oy, ox): input rows iy = oy * stride_h - pad_top + ky * dilation_h for
//   0 <= ky < kernel_h (columns likewise), only those inside [0, h) x [0, w) are read.
//   f32_max_pool2d_scalar   y = max over the window's inputs (NaN propagates)
//   f32_avg_pool2d_scalar   y = sum / divisor; divisor = the window's input count, or with
//                           count_include_pad the count of window positions inside the padded
//                           input [-pad_top, h + pad_bottom) x [-pad_left, w + pad_right).
//   Every window holds at least one input (the shape rule's pad < kernel extent ensures it).
//
// Resize (x [n, h, w, c] -> y [n, oh, ow, c]): per output coordinate, the input coordinate
//   of ResizeCoordinates (schema/plan.fbs) with the given scale, then
//   nearest: the index rounded as ResizeNearest says, clamped to [0, in - 1];
//   linear:  bilinear between floor(x_in) and floor(x_in) + 1, with x_in clamped to
//            [0, in - 1] first (ONNX Resize's "linear" for 2-D, what ORT computes).
//
// Pad (any rank <= kMaxRank): y has dims d + begin + end; out-of-input positions take
//   `value` (constant), the mirror image without repeating the edge (reflect), or the nearest
//   edge value (edge).
//
// Slice: y[i0, i1, ..] = x[start_0 + i0 * step_0, start_1 + i1 * step_1, ..] for elements of
//   `elem_size` bytes (1, 2 or 4).
//
// Reduce mean: y at the kept coordinates = the mean of x over the reduced axes' coordinates,
//   summed in double; outputs enumerate the kept axes in order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mint {

// The largest rank of pad / slice / reduce_mean (equals runtime/tensor.h kMaxRank; the
// operators static_assert it).
constexpr size_t kImageMaxRank = 8;

struct Pool2DKernelParams {
  size_t n, h, w, c, oh, ow;
  size_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  bool count_include_pad;
};

void f32_max_pool2d_scalar(const Pool2DKernelParams& p, const float* x, float* y, size_t row_begin,
                           size_t row_end);
void f32_avg_pool2d_scalar(const Pool2DKernelParams& p, const float* x, float* y, size_t row_begin,
                           size_t row_end);

// Same values as ResizeMode / ResizeCoordinates / ResizeNearest of the plan schema.
struct ResizeKernelParams {
  size_t n, h, w, c, oh, ow;
  int mode;          // 0 nearest, 1 linear
  int coordinates;   // 0 half_pixel, 1 asymmetric, 2 align_corners, 3 pytorch_half_pixel,
                     // 4 tf_half_pixel_for_nn
  int nearest_mode;  // 0 round_prefer_floor, 1 round_prefer_ceil, 2 floor, 3 ceil
  float scale_h, scale_w;
};

// The input coordinate of output coordinate `o` (of `out`, from `in`) for `coordinates`;
// align_corners divides by the resized length in * scale - 1 as the ONNX reference does (equal
// to out - 1 when the model gives sizes rather than scales).
float resize_source_coordinate(int coordinates, size_t o, size_t in, size_t out, float scale);

void f32_resize_scalar(const ResizeKernelParams& p, const float* x, float* y, size_t row_begin,
                       size_t row_end);

struct PadKernelParams {
  size_t rank;
  size_t in_dims[kImageMaxRank], out_dims[kImageMaxRank], begin[kImageMaxRank];
  int mode;  // 0 constant, 1 reflect, 2 edge
  float value;
};
// Output rows [row_begin, row_end), a row being the last output dimension.
void f32_pad_scalar(const PadKernelParams& p, const float* x, float* y, size_t row_begin,
                    size_t row_end);

struct SliceKernelParams {
  size_t rank;
  size_t in_dims[kImageMaxRank], out_dims[kImageMaxRank];
  int64_t start[kImageMaxRank], step[kImageMaxRank];
  size_t elem_size;
};
// Output rows [row_begin, row_end) (a row: the last output dimension).
void slice_scalar(const SliceKernelParams& p, const uint8_t* x, uint8_t* y, size_t row_begin,
                  size_t row_end);

struct ReduceKernelParams {
  size_t rank;
  size_t dims[kImageMaxRank];
  bool reduced[kImageMaxRank];
};
// Outputs [o_begin, o_end).
void f32_reduce_mean_scalar(const ReduceKernelParams& p, const float* x, float* y, size_t o_begin,
                            size_t o_end);

}  // namespace mint
