// Small helpers shared by the op implementations in runtime/ops/ (beyond those of op.h):
// message prefixes, common validation steps, activation clamps and thread-pool tiling.
#pragma once

#include <pthreadpool.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/conv.h"
#include "kernels/gemm.h"
#include "runtime/ops/op.h"

namespace mint {

// "input 1 'w'" / "output 0 'y'".
inline std::string tensor_ref(const char* role, size_t i, const TensorDesc& t) {
  return std::string(role) + " " + std::to_string(i) + " '" + t.name + "'";
}

// Prefixes a failed status with the tensor it concerns: "input 1 'w': <message>".
inline Status about(const char* role, size_t i, const TensorDesc& t, const Status& st) {
  return st.with_context(tensor_ref(role, i, t));
}

// Input i must be present, a constant, plain, of `dtype`.
// An int64 vector of the FlatBuffer (shapes, pads, slice bounds) whose elements, if any, are 8-byte
// aligned: the FlatBuffers 2.0 verifier checks only its 4-byte length, so a corrupted offset can
// leave the elements misaligned. `what` names the field in the error.
inline Status expect_aligned(const flatbuffers::Vector<int64_t>* v, const std::string& what) {
  if (v != nullptr && v->size() > 0 &&
      reinterpret_cast<uintptr_t>(v->data()) % alignof(int64_t) != 0) {
    return Status::invalid_plan(what + " is not 8-byte aligned in the plan");
  }
  return Status::ok();
}

Status expect_constant(const OpView& op, size_t i);
// Tensor is dtype `dtype` and layout plain.
Status expect_plain(const TensorDesc& t, const char* role, size_t i, DType dtype);
// Every input present and plain f32, every output plain f32 (the common activation case).
Status expect_all_plain_f32(const OpView& op);
// Output 0 has shape `want`.
inline Status expect_output_shape(const OpView& op, const Shape& want) {
  return expect_same_shape(*op.outputs[0], "output", 0, want);
}
// A valid Activation enumerator.
Status expect_activation(plan::Activation act);
// Per-tensor quantization with finite scale > 0 and a zero point in [-128, 127].
Status expect_per_tensor_i8(const TensorDesc& t, const char* role, size_t i);
// Same dtype and, for int8 / uint8, identical per-tensor quantization (data movement ops copy
// values without requantizing).
Status expect_same_encoding(const TensorDesc& t, const char* role, size_t i, const TensorDesc& ref);
// No output shares bytes with an input or another output (a plan could place them so; the
// memory planner never does). allow_in_place: an output may occupy exactly the bytes of an
// input (same region, offset and size), for ops whose kernels work in place.
Status expect_disjoint(const OpView& op, bool allow_in_place);
// dtypes that data-movement ops (reshape, transpose, concat) accept: element size 1, 2 or 4.
bool is_byte_addressable(DType dtype);

inline F32MinMaxParams activation_clamp(plan::Activation act) {
  switch (act) {
    case plan::Activation::relu:
      return {0.0f, INFINITY};
    case plan::Activation::relu6:
      return {0.0f, 6.0f};
    default:
      return {-INFINITY, INFINITY};
  }
}

// Static int8 GEMM-based ops (fully_connected, conv2d, transposed_conv2d):
// input 0 i8 per-tensor and output 0 either i8 per-tensor or f32.
Status expect_static_qs8_io(const OpView& op);
// Epilogue parameters of a static int8 GEMM writing tensor `y` (i8: requantize to y's scale and
// zero point, the activation clamped in the quantized domain; f32: dequantize and clamp).
// a_quant is left null for the caller to point at the input's per-tensor quantization.
Qs8GemmParams static_qs8_params(const TensorDesc& y, plan::Activation act);

// Tensors below this many elements run on the calling thread.
constexpr size_t kParallelThreshold = 32 * 1024;

// Runs f(start, count) over [0, range) in tiles of `tile`, on the pool when `work` (elements
// touched) is large enough to pay for the dispatch.
template <typename F>
void parallel_tiles(pthreadpool_t pool, size_t range, size_t tile, size_t work, const F& f) {
  if (range == 0) return;
  if (tile == 0) tile = 1;
  if (pool == nullptr || work < kParallelThreshold || range <= tile) {
    f(size_t{0}, range);
    return;
  }
  pthreadpool_parallelize_1d_tile_1d(pool, f, range, tile, 0);
}

// Unchecked typed access to tensor i's data during run().
template <typename T>
inline T* data_as(const ExecContext& ctx, int32_t id) {
  return reinterpret_cast<T*>(ctx.tensor_data[id]);
}

// The geometry of a validated NHWC conv2d or transposed conv2d: sizes from its input 0 and
// output 0, window from its options (plan::Conv2DOptions or plan::TransposedConv2DOptions,
// whose window fields have the same names), `groups` given.
template <typename ConvOptions>
Conv2DGeometry nhwc_conv_geometry(const OpView& op, const ConvOptions& o, size_t groups) {
  const Shape& x = op.inputs[0]->shape;
  const Shape& y = op.outputs[0]->shape;
  Conv2DGeometry g{};
  g.batch = static_cast<size_t>(x[0]);
  g.in_h = static_cast<size_t>(x[1]);
  g.in_w = static_cast<size_t>(x[2]);
  g.in_c = static_cast<size_t>(x[3]);
  g.out_h = static_cast<size_t>(y[1]);
  g.out_w = static_cast<size_t>(y[2]);
  g.out_c = static_cast<size_t>(y[3]);
  g.kernel_h = static_cast<size_t>(o.kernel_h());
  g.kernel_w = static_cast<size_t>(o.kernel_w());
  g.stride_h = static_cast<size_t>(o.stride_h());
  g.stride_w = static_cast<size_t>(o.stride_w());
  g.dilation_h = static_cast<size_t>(o.dilation_h());
  g.dilation_w = static_cast<size_t>(o.dilation_w());
  g.pad_top = static_cast<size_t>(o.pad_top());
  g.pad_left = static_cast<size_t>(o.pad_left());
  g.groups = groups;
  return g;
}

}  // namespace mint
