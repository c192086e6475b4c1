// infer_node: the compiler side of the op shape rules (the rules themselves live in
// runtime/ops/shapes.h, shared with the runtime's validation). Weights are checked in the IR
// form the builder produces (plain f32 constants; compile() packs them later).
#include "compiler/shape_inference.h"

#include <cmath>

#include "runtime/ops/op.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"
#include "runtime/ops/text_shapes.h"

namespace mint::compiler {
namespace {

Status bad(std::string message) { return Status::invalid_argument(std::move(message)); }

// Converts a shapes.h failure (invalid_plan) into a builder error (invalid_argument).
Status as_arg(const Status& st, const std::string& context = "") {
  if (st.is_ok()) return st;
  return bad(context.empty() ? st.message() : context + ": " + st.message());
}

std::string shape_str(const std::vector<int64_t>& s) { return dims_string(s.data(), s.size()); }

std::vector<int64_t> to_vector(const Shape& s) {
  return std::vector<int64_t>(s.dims, s.dims + s.rank);
}

// The node's inputs, with messages naming them.
class Inputs {
 public:
  Inputs(const Graph& graph, const Node& node) : graph_(graph), node_(node) {}

  size_t size() const { return node_.inputs.size(); }
  bool present(size_t i) const { return i < node_.inputs.size() && node_.inputs[i] >= 0; }
  const Value& value(size_t i) const { return graph_.values[node_.inputs[i]]; }
  std::string ref(size_t i) const {
    return "input " + std::to_string(i) + " '" + value(i).name + "'";
  }

  Status count(size_t min, size_t max) const {
    if (size() >= min && size() <= max) return Status::ok();
    return bad(
        "has " + std::to_string(size()) + " inputs, want " +
        (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)));
  }
  Status required(size_t i) const {
    return present(i) ? Status::ok()
                      : bad("input " + std::to_string(i) + " is required but absent");
  }
  Status dtype(size_t i, DType want) const {
    MINT_RETURN_IF_ERROR(required(i));
    if (value(i).dtype == want) return Status::ok();
    return bad(ref(i) + " has dtype " + dtype_name(value(i).dtype) + ", want " + dtype_name(want));
  }
  // Present, plain layout, of dtype `want`.
  Status plain(size_t i, DType want) const {
    MINT_RETURN_IF_ERROR(dtype(i, want));
    if (value(i).layout != plan::Layout::plain) {
      return bad(ref(i) + " has layout " + layout_name(value(i).layout) + ", want plain");
    }
    return Status::ok();
  }
  Status constant(size_t i, DType want) const {
    MINT_RETURN_IF_ERROR(plain(i, want));
    if (value(i).kind != ValueKind::kConstant) return bad(ref(i) + " must be a constant");
    return Status::ok();
  }
  Result<Shape> shape(size_t i) const {
    const auto& s = value(i).shape;
    Result<Shape> r = make_shape(s.data(), s.size());
    if (!r.is_ok()) return as_arg(r.status(), ref(i));
    return r;
  }
  // Shape exactly `want` (for messages: `what`, e.g. "[cout]").
  Status shape_is(size_t i, const std::vector<int64_t>& want, const char* what) const {
    if (value(i).shape == want) return Status::ok();
    return bad(ref(i) + " has shape " + shape_str(value(i).shape) + ", want " + shape_str(want) +
               " " + what);
  }

 private:
  const Graph& graph_;
  const Node& node_;
};

template <typename T>
Result<const T*> options_of(const Node& node) {
  const T* o = reinterpret_cast<const T*>(node.options.value);
  if (node.options.type != plan::OpOptionsUnionTraits<T>::enum_value || o == nullptr) {
    return bad(std::string("options must be ") +
               plan::EnumNameOpOptions(plan::OpOptionsUnionTraits<T>::enum_value) + ", got " +
               plan::EnumNameOpOptions(node.options.type));
  }
  return o;
}

using Out = std::vector<InferredValue>;

Out one(DType dtype, const Shape& shape) { return {InferredValue{dtype, to_vector(shape)}}; }

Result<Out> infer_fully_connected(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(2, 3));
  MINT_RETURN_IF_ERROR(options_of<plan::FullyConnectedOptionsT>(node).status());
  MINT_RETURN_IF_ERROR(in.required(0));
  const DType xt = in.value(0).dtype;
  if (xt != DType::f32 && xt != DType::i8) {
    return bad(in.ref(0) + " has dtype " + dtype_name(xt) + ", want f32 or i8");
  }
  MINT_RETURN_IF_ERROR(in.constant(1, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape w, in.shape(1));
  if (w.rank != 2) return bad(in.ref(1) + " has shape " + w.to_string() + ", want rank 2 [n, k]");
  if (in.present(2)) {
    MINT_RETURN_IF_ERROR(in.constant(2, DType::f32));
    MINT_RETURN_IF_ERROR(in.shape_is(2, {w[0]}, "[n]"));
  }
  Result<Shape> y = fully_connected_output_shape(x, w);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  // int8 in -> int8 out (the builder attaches the node's out_quant to int8 results).
  return one(xt, y.value());
}

Result<Out> infer_matmul(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(2, 2));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::MatMulOptionsT>(node));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_RETURN_IF_ERROR(in.plain(1, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape a, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape b, in.shape(1));
  Result<Shape> y = matmul_output_shape(a, b, o->transpose_b);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0) + " and " + in.ref(1));
  return one(DType::f32, y.value());
}

Result<Out> infer_conv2d(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(2, 3));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::Conv2DOptionsT>(node));
  const Conv2DParams p = conv2d_params(*o);
  MINT_RETURN_IF_ERROR(as_arg(check_conv2d_params(p, false)));
  MINT_RETURN_IF_ERROR(as_arg(expect_activation(o->activation)));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_RETURN_IF_ERROR(in.constant(1, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape w, in.shape(1));
  if (x.rank != 4) return bad(in.ref(0) + " has shape " + x.to_string() + ", want rank 4 (NHWC)");
  if (x[3] % p.groups != 0) {
    return bad(in.ref(0) + " has " + std::to_string(x[3]) + " channels, not divisible by groups " +
               std::to_string(p.groups));
  }
  if (w.rank != 4) {
    return bad(in.ref(1) + " has shape " + w.to_string() +
               ", want rank 4 [cout, kh, kw, cin/groups]");
  }
  if (w[1] != p.kernel_h || w[2] != p.kernel_w || w[3] != x[3] / p.groups) {
    return bad(in.ref(1) + " has shape " + w.to_string() + ", want [cout, " +
               std::to_string(p.kernel_h) + ", " + std::to_string(p.kernel_w) + ", " +
               std::to_string(x[3] / p.groups) + "] [cout, kh, kw, cin/groups]");
  }
  if (in.present(2)) {
    MINT_RETURN_IF_ERROR(in.constant(2, DType::f32));
    MINT_RETURN_IF_ERROR(in.shape_is(2, {w[0]}, "[cout]"));
  }
  Result<Shape> y = conv2d_output_shape(x, w[0], p);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

Result<Out> infer_transposed_conv2d(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(2, 3));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::TransposedConv2DOptionsT>(node));
  const Conv2DParams p = conv2d_params(*o);
  MINT_RETURN_IF_ERROR(as_arg(check_conv2d_params(p, true)));
  MINT_RETURN_IF_ERROR(as_arg(expect_activation(o->activation)));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_RETURN_IF_ERROR(in.constant(1, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape w, in.shape(1));
  if (x.rank != 4) return bad(in.ref(0) + " has shape " + x.to_string() + ", want rank 4 (NHWC)");
  if (w.rank != 4 || w[1] != p.kernel_h || w[2] != p.kernel_w || w[3] != x[3]) {
    return bad(in.ref(1) + " has shape " + w.to_string() + ", want [cout, " +
               std::to_string(p.kernel_h) + ", " + std::to_string(p.kernel_w) + ", " +
               std::to_string(x[3]) + "] [cout, kh, kw, cin]");
  }
  if (in.present(2)) {
    MINT_RETURN_IF_ERROR(in.constant(2, DType::f32));
    MINT_RETURN_IF_ERROR(in.shape_is(2, {w[0]}, "[cout]"));
  }
  Result<Shape> y = transposed_conv2d_output_shape(x, w[0], p);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

Result<Out> infer_binary(const Inputs& in) {
  MINT_RETURN_IF_ERROR(in.count(2, 2));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_RETURN_IF_ERROR(in.plain(1, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape a, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape b, in.shape(1));
  Result<Shape> y = broadcast_shape(a, b);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0) + " and " + in.ref(1));
  return one(DType::f32, y.value());
}

Result<Out> infer_unary(const Inputs& in) {
  MINT_RETURN_IF_ERROR(in.count(1, 1));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  return one(DType::f32, x);
}

Result<Out> infer_softmax(const Inputs& in, const Node& node) {
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::SoftmaxOptionsT>(node));
  MINT_ASSIGN_OR_RETURN(Out out, infer_unary(in));
  Result<size_t> axis = normalize_axis(o->axis, out[0].shape.size());
  if (!axis.is_ok()) return as_arg(axis.status(), in.ref(0));
  return out;
}

Result<Out> infer_norm(const Inputs& in, const Node& node, bool rms) {
  MINT_RETURN_IF_ERROR(in.count(2, rms ? 2 : 3));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::NormOptionsT>(node));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<int64_t> d = norm_axis_size(x, o->axis, o->epsilon);
  if (!d.is_ok()) return as_arg(d.status(), in.ref(0));
  for (size_t i = 1; i < in.size(); ++i) {
    if (i == 2 && !in.present(i)) continue;  // beta is optional
    MINT_RETURN_IF_ERROR(in.plain(i, DType::f32));
    MINT_RETURN_IF_ERROR(in.shape_is(i, {d.value()}, "[last dimension of input 0]"));
  }
  return one(DType::f32, x);
}

Status movable(const Inputs& in, size_t i) {
  MINT_RETURN_IF_ERROR(in.required(i));
  if (in.value(i).layout != plan::Layout::plain)
    return bad(in.ref(i) + " must have a plain layout");
  switch (in.value(i).dtype) {
    case DType::f32:
    case DType::f16:
    case DType::bf16:
    case DType::i8:
    case DType::u8:
    case DType::i32:
      return Status::ok();
    default:
      return bad(in.ref(i) + " has dtype " + dtype_name(in.value(i).dtype) +
                 ", want one of f32, f16, bf16, i8, u8, i32");
  }
}

Result<Out> infer_reshape(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(1, 1));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::ReshapeOptionsT>(node));
  MINT_RETURN_IF_ERROR(in.required(0));
  if (in.value(0).layout != plan::Layout::plain)
    return bad(in.ref(0) + " must have a plain layout");
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<Shape> y = reshape_output_shape(x, o->new_shape.data(), o->new_shape.size());
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(in.value(0).dtype, y.value());
}

Result<Out> infer_transpose(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(1, 1));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::TransposeOptionsT>(node));
  MINT_RETURN_IF_ERROR(movable(in, 0));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<Shape> y = transpose_output_shape(x, o->perm.data(), o->perm.size());
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(in.value(0).dtype, y.value());
}

Result<Out> infer_concat(const Inputs& in, const Node& node) {
  if (in.size() < 1) return bad("has 0 inputs, want at least 1");
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::ConcatOptionsT>(node));
  std::vector<Shape> shapes;
  for (size_t i = 0; i < in.size(); ++i) {
    MINT_RETURN_IF_ERROR(movable(in, i));
    MINT_RETURN_IF_ERROR(in.dtype(i, in.value(0).dtype));
    MINT_ASSIGN_OR_RETURN(const Shape s, in.shape(i));
    shapes.push_back(s);
  }
  Result<Shape> y = concat_output_shape(shapes.data(), shapes.size(), o->axis);
  if (!y.is_ok()) return as_arg(y.status());
  return one(in.value(0).dtype, y.value());
}

Result<Out> infer_embedding(const Inputs& in) {
  MINT_RETURN_IF_ERROR(in.count(2, 2));
  // The table: f32, f16, or i8 with per-row (per_channel axis 0) scales.
  const DType td = in.value(0).dtype;
  MINT_RETURN_IF_ERROR(in.constant(0, td == DType::f16 || td == DType::i8 ? td : DType::f32));
  if (td == DType::i8 && (in.value(0).quant.kind != plan::QuantKind::per_channel ||
                          in.value(0).quant.axis != 0)) {
    return bad(in.ref(0) + " is i8 without per-row (per_channel axis 0) scales");
  }
  MINT_RETURN_IF_ERROR(in.plain(1, DType::i32));
  MINT_ASSIGN_OR_RETURN(const Shape table, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape ids, in.shape(1));
  if (table.rank != 2) {
    return bad(in.ref(0) + " has shape " + table.to_string() + ", want rank 2 [vocab, dim]");
  }
  Result<Shape> y = embedding_output_shape(table, ids);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(1));
  return one(DType::f32, y.value());
}

Result<Out> infer_quantize(const Inputs& in) {
  MINT_RETURN_IF_ERROR(in.count(1, 1));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  return one(DType::i8, x);
}

Result<Out> infer_dequantize(const Inputs& in) {
  MINT_RETURN_IF_ERROR(in.count(1, 1));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::i8));
  const QuantSpec& q = in.value(0).quant;
  if (q.kind != plan::QuantKind::per_tensor || q.scales.size() != 1) {
    return bad(in.ref(0) + " needs per-tensor quantization");
  }
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  return one(DType::f32, x);
}

// ---- image and third-party model ops ----------------------------------------------------------

Result<Out> infer_pool(const Inputs& in, const Node& node) {
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::Pool2DOptionsT>(node));
  MINT_ASSIGN_OR_RETURN(Out out, infer_unary(in));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<Shape> y = pool2d_output_shape(x, pool2d_params(*o));
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

Result<Out> infer_resize(const Inputs& in, const Node& node) {
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::ResizeOptionsT>(node));
  MINT_ASSIGN_OR_RETURN(Out out, infer_unary(in));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<Shape> y = resize_output_shape(x, o->out_h, o->out_w, o->scale_h, o->scale_w);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

Result<Out> infer_pad(const Inputs& in, const Node& node) {
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::PadOptionsT>(node));
  MINT_ASSIGN_OR_RETURN(Out out, infer_unary(in));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<Shape> y = pad_output_shape(x, o->pads.data(), o->pads.size(), o->mode);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

Result<Out> infer_reduce(const Inputs& in, const Node& node) {
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::ReduceOptionsT>(node));
  MINT_ASSIGN_OR_RETURN(Out out, infer_unary(in));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  Result<Shape> y = reduce_output_shape(x, o->axes.data(), o->axes.size(), o->keepdims);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

Result<Out> infer_slice(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(1, 1));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::SliceOptionsT>(node));
  MINT_RETURN_IF_ERROR(movable(in, 0));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  if (o->ends.size() != o->starts.size() || o->steps.size() != o->starts.size()) {
    return bad("starts, ends and steps differ in length");
  }
  Result<Shape> y = slice_output_shape(x, o->starts.data(), o->ends.data(), o->steps.data(),
                                       o->starts.size());
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(in.value(0).dtype, y.value());
}

// ---- text-model ops (hf-import; rules in runtime/ops/text_shapes.h) ----

Result<Out> infer_rope(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(2, 2));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::RopeOptionsT>(node));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_RETURN_IF_ERROR(in.plain(1, DType::i32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape positions, in.shape(1));
  Result<Shape> y = rope_output_shape(x, positions, RopeParams{o->num_heads, o->head_dim, o->rotary_dim, o->theta});
  if (!y.is_ok()) return as_arg(y.status());
  return one(DType::f32, y.value());
}

Result<Out> infer_attention(const Inputs& in, const Node& node) {
  MINT_RETURN_IF_ERROR(in.count(7, 9));
  MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::AttentionOptionsT>(node));
  const AttentionParams p{o->num_heads, o->num_kv_heads, o->head_dim, o->scale};
  for (size_t i = 0; i < 3; ++i) MINT_RETURN_IF_ERROR(in.plain(i, DType::f32));
  MINT_RETURN_IF_ERROR(in.required(3));
  const DType cache = in.value(3).dtype;
  if (cache != DType::f32 && cache != DType::f16 && cache != DType::i8) {
    return bad(in.ref(3) + " has dtype " + dtype_name(cache) + ", want f32, f16 or i8");
  }
  const bool scaled = cache == DType::i8;
  for (size_t i : {size_t{3}, size_t{4}, size_t{7}, size_t{8}}) {
    if (i >= 7 && !scaled) {
      if (in.present(i)) return bad(in.ref(i) + ": cache scales are only for i8 caches");
      continue;
    }
    MINT_RETURN_IF_ERROR(in.plain(i, i >= 7 ? DType::f32 : cache));
    if (in.value(i).kind != ValueKind::kState) return bad(in.ref(i) + " must be a state value");
  }
  MINT_RETURN_IF_ERROR(in.plain(5, DType::i32));
  MINT_RETURN_IF_ERROR(in.plain(6, DType::i32));
  Shape s[7];
  for (size_t i = 0; i < 7; ++i) {
    MINT_ASSIGN_OR_RETURN(s[i], in.shape(i));
  }
  if (scaled) {
    for (size_t i = 7; i < 9; ++i) {
      MINT_ASSIGN_OR_RETURN(const Shape scale, in.shape(i));
      MINT_RETURN_IF_ERROR(as_arg(check_kv_scale_shape(scale, s[3], p), in.ref(i)));
    }
  }
  Result<Shape> y = attention_output_shape(s[0], s[1], s[2], s[3], s[4], s[5], s[6], p);
  if (!y.is_ok()) return as_arg(y.status());
  return one(DType::f32, y.value());
}

Result<Out> infer_gather_last(const Inputs& in) {
  MINT_RETURN_IF_ERROR(in.count(2, 2));
  MINT_RETURN_IF_ERROR(in.plain(0, DType::f32));
  MINT_RETURN_IF_ERROR(in.plain(1, DType::i32));
  MINT_ASSIGN_OR_RETURN(const Shape x, in.shape(0));
  MINT_ASSIGN_OR_RETURN(const Shape count, in.shape(1));
  Result<Shape> y = gather_last_output_shape(x, count);
  if (!y.is_ok()) return as_arg(y.status(), in.ref(0));
  return one(DType::f32, y.value());
}

}  // namespace

Result<std::vector<InferredValue>> infer_node(const Graph& graph, const Node& node) {
  for (ValueId v : node.inputs) {
    if (v != kInvalidValue && (v < 0 || static_cast<size_t>(v) >= graph.values.size())) {
      return bad("input value " + std::to_string(v) + " does not exist");
    }
  }
  const Inputs in(graph, node);
  switch (node.code) {
    case plan::OpCode::fully_connected:
      return infer_fully_connected(in, node);
    case plan::OpCode::matmul:
      return infer_matmul(in, node);
    case plan::OpCode::conv2d:
      return infer_conv2d(in, node);
    case plan::OpCode::transposed_conv2d:
      return infer_transposed_conv2d(in, node);
    case plan::OpCode::add:
    case plan::OpCode::mul:
      return infer_binary(in);
    case plan::OpCode::relu:
    case plan::OpCode::tanh:
    case plan::OpCode::sigmoid:
    case plan::OpCode::silu:
      return infer_unary(in);
    case plan::OpCode::leaky_relu: {
      MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::LeakyReluOptionsT>(node));
      if (!std::isfinite(o->alpha)) return bad("alpha must be finite");
      return infer_unary(in);
    }
    case plan::OpCode::gelu:
      MINT_RETURN_IF_ERROR(options_of<plan::GeluOptionsT>(node).status());
      return infer_unary(in);
    case plan::OpCode::softmax:
      return infer_softmax(in, node);
    case plan::OpCode::layer_norm:
      return infer_norm(in, node, false);
    case plan::OpCode::rms_norm:
      return infer_norm(in, node, true);
    case plan::OpCode::reshape:
      return infer_reshape(in, node);
    case plan::OpCode::transpose:
      return infer_transpose(in, node);
    case plan::OpCode::concat:
      return infer_concat(in, node);
    case plan::OpCode::embedding:
      return infer_embedding(in);
    case plan::OpCode::quantize:
      return infer_quantize(in);
    case plan::OpCode::dequantize:
      return infer_dequantize(in);
    // onnx-ops branch
    case plan::OpCode::sub:
    case plan::OpCode::div:
    case plan::OpCode::pow:
    case plan::OpCode::maximum:
    case plan::OpCode::minimum:
      return infer_binary(in);
    case plan::OpCode::hard_swish:
    case plan::OpCode::sqrt:
    case plan::OpCode::exp:
    case plan::OpCode::neg:
    case plan::OpCode::abs:
    case plan::OpCode::reciprocal:
      return infer_unary(in);
    case plan::OpCode::clip: {
      MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::ClipOptionsT>(node));
      if (std::isnan(o->min) || std::isnan(o->max) || !(o->min <= o->max)) {
        return bad("clip bounds must be ordered and not NaN");
      }
      return infer_unary(in);
    }
    case plan::OpCode::hard_sigmoid: {
      MINT_ASSIGN_OR_RETURN(const auto* o, options_of<plan::HardSigmoidOptionsT>(node));
      if (!std::isfinite(o->alpha) || !std::isfinite(o->beta)) return bad("alpha and beta must be finite");
      return infer_unary(in);
    }
    case plan::OpCode::max_pool2d:
    case plan::OpCode::average_pool2d:
      return infer_pool(in, node);
    case plan::OpCode::resize:
      return infer_resize(in, node);
    case plan::OpCode::pad:
      return infer_pad(in, node);
    case plan::OpCode::reduce_mean:
      return infer_reduce(in, node);
    case plan::OpCode::slice:
      return infer_slice(in, node);
    case plan::OpCode::rope:
      return infer_rope(in, node);
    case plan::OpCode::attention:
      return infer_attention(in, node);
    case plan::OpCode::gather_last:
      return infer_gather_last(in);
  }
  return bad("unknown op code " + std::to_string(static_cast<int>(node.code)));
}

}  // namespace mint::compiler
