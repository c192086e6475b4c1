// The compiler's graph IR and the builder API that constructs it in code.
//
// A Graph is a list of values (tensors) and a list of nodes in execution order. Values are
// graph inputs, constants (with their bytes) or results of nodes. Nodes carry a plan OpCode
// and the FlatBuffers object-API options (plan::OpOptionsUnion), so the plan writer emits them
// as they are.
//
// GraphBuilder adds values and nodes and infers every result's shape and dtype at once
// (compiler/shape_inference.h). A builder call never throws: the first error is recorded,
// later calls return kInvalidValue, and finish() returns that error, e.g.
//   "node 3 (conv2d 'conv1'): input 0 'x' has rank 3, want 4 (NHWC)".
//
// Front ends (tests today; ONNX and Hugging Face checkpoints later) build graphs with weights
// in their natural layout (fully connected W [n, k]; conv W [cout, kh, kw, cin/groups], NHWC
// activations). compile() (compiler/compile.h) then quantizes, prepacks, plans memory and
// writes the plan.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "runtime/tensor.h"
#include "schema/plan_generated.h"

namespace mint::compiler {

using ValueId = int32_t;
constexpr ValueId kInvalidValue = -1;

// kState (hf-import): persists across runs of a session (a KV cache); no data, its place in
// the plan's state region is planned by compile(); ops may read and write it.
enum class ValueKind : uint8_t { kInput, kConstant, kIntermediate, kState };

struct QuantSpec {
  plan::QuantKind kind = plan::QuantKind::none;
  int32_t axis = 0;
  int32_t group_size = 0;
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
};

struct Value {
  std::string name;
  ValueKind kind = ValueKind::kIntermediate;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  QuantSpec quant;
  plan::Layout layout = plan::Layout::plain;
  std::shared_ptr<const std::vector<uint8_t>> data;  // constants only
  bool is_output = false;
};

struct Node {
  plan::OpCode code = plan::OpCode::add;
  plan::OpOptionsUnion options;
  std::vector<ValueId> inputs;   // kInvalidValue for an absent optional input
  std::vector<ValueId> outputs;
  std::string name;
};

// A named graph of the plan (schema/plan.fbs, Segment): nodes [first_node, first_node +
// node_count), with its inputs and outputs (also in Graph::inputs / outputs).
struct Segment {
  std::string name;
  size_t first_node = 0, node_count = 0;
  std::vector<ValueId> inputs, outputs;
};

struct Graph {
  std::vector<Value> values;
  std::vector<Segment> segments;  // empty: one graph of every node
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  std::string model_family;
  std::map<std::string, std::string> metadata;

  int64_t element_count(ValueId v) const;
};

class GraphBuilder {
 public:
  GraphBuilder() = default;

  // ---- values -------------------------------------------------------------------------------
  ValueId input(const std::string& name, DType dtype, std::vector<int64_t> shape,
                QuantSpec quant = {});
  ValueId constant(const std::string& name, DType dtype, std::vector<int64_t> shape,
                   std::vector<uint8_t> bytes, QuantSpec quant = {});
  ValueId constant_f32(const std::string& name, std::vector<int64_t> shape,
                       const std::vector<float>& values);
  ValueId constant_i32(const std::string& name, std::vector<int64_t> shape,
                       const std::vector<int32_t>& values);
  // Marks a value as a graph output (in call order).
  void output(ValueId value);
  // A state value (ValueKind::kState), zero when a session starts.
  ValueId state(const std::string& name, DType dtype, std::vector<int64_t> shape);
  // Starts a segment: nodes, inputs and outputs added from now on belong to it (until the
  // next begin_segment). Call it before anything else or not at all.
  void begin_segment(const std::string& name);

  // ---- generic node -------------------------------------------------------------------------
  // Adds a node; infers the shapes and dtypes of its `num_outputs` results (names default to
  // "<name>:<i>"). `out_quant` gives the quantization of int8 results (unused otherwise).
  std::vector<ValueId> add_node(plan::OpCode code, std::vector<ValueId> inputs,
                                plan::OpOptionsUnion options = {}, const std::string& name = "",
                                size_t num_outputs = 1, QuantSpec out_quant = {});
  ValueId add_node1(plan::OpCode code, std::vector<ValueId> inputs,
                    plan::OpOptionsUnion options = {}, const std::string& name = "");

  // ---- typed helpers (each is add_node with its options) --------------------------------------
  // y = act(x W^T + b): w constant [n, k] f32, bias constant [n] f32 or kInvalidValue.
  ValueId fully_connected(ValueId x, ValueId w, ValueId bias,
                          plan::Activation act = plan::Activation::none, const std::string& name = "");
  ValueId matmul(ValueId a, ValueId b, bool transpose_b = false, const std::string& name = "");
  // x NHWC; w [cout, kh, kw, cin/groups]; bias [cout] or kInvalidValue.
  ValueId conv2d(ValueId x, ValueId w, ValueId bias, const plan::Conv2DOptionsT& options,
                 const std::string& name = "");
  // x NHWC; w [cout, kh, kw, cin]; bias [cout] or kInvalidValue.
  ValueId transposed_conv2d(ValueId x, ValueId w, ValueId bias,
                            const plan::TransposedConv2DOptionsT& options, const std::string& name = "");
  ValueId add(ValueId a, ValueId b, const std::string& name = "");
  ValueId mul(ValueId a, ValueId b, const std::string& name = "");
  ValueId relu(ValueId x, const std::string& name = "");
  ValueId leaky_relu(ValueId x, float alpha, const std::string& name = "");
  ValueId tanh(ValueId x, const std::string& name = "");
  ValueId sigmoid(ValueId x, const std::string& name = "");
  ValueId gelu(ValueId x, bool approximate_tanh = false, const std::string& name = "");
  ValueId silu(ValueId x, const std::string& name = "");
  ValueId softmax(ValueId x, int axis = -1, const std::string& name = "");
  // gamma, beta: [last dim] constants (beta may be kInvalidValue for rms_norm).
  ValueId layer_norm(ValueId x, ValueId gamma, ValueId beta, float epsilon = 1e-5f,
                     const std::string& name = "");
  ValueId rms_norm(ValueId x, ValueId gamma, float epsilon = 1e-5f, const std::string& name = "");
  ValueId reshape(ValueId x, std::vector<int64_t> shape, const std::string& name = "");
  ValueId transpose(ValueId x, std::vector<int32_t> perm, const std::string& name = "");
  ValueId concat(std::vector<ValueId> xs, int axis, const std::string& name = "");
  // table [vocab, dim] constant, ids i32 [...] -> [..., dim].
  ValueId embedding(ValueId table, ValueId ids, const std::string& name = "");

  // ---- image and third-party model ops (compiler/builder_image_ops.cc) -----------------------
  // Binary f32 ops with broadcasting: sub, div, pow, maximum, minimum (also add, mul).
  ValueId binary(plan::OpCode code, ValueId a, ValueId b, const std::string& name = "");
  // Option-less unary f32 ops: hard_swish, sqrt, exp, neg, abs, reciprocal (also relu, ...).
  ValueId unary(plan::OpCode code, ValueId x, const std::string& name = "");
  ValueId clip(ValueId x, float lo, float hi, const std::string& name = "");
  ValueId hard_sigmoid(ValueId x, float alpha, float beta, const std::string& name = "");
  // x NHWC.
  ValueId max_pool2d(ValueId x, const plan::Pool2DOptionsT& options, const std::string& name = "");
  ValueId average_pool2d(ValueId x, const plan::Pool2DOptionsT& options,
                         const std::string& name = "");
  // x NHWC; options give the output size and the scales of the coordinate map.
  ValueId resize(ValueId x, const plan::ResizeOptionsT& options, const std::string& name = "");
  // pads: begins of every axis, then ends.
  ValueId pad(ValueId x, plan::PadMode mode, std::vector<int64_t> pads, float value = 0.0f,
              const std::string& name = "");
  ValueId reduce_mean(ValueId x, std::vector<int32_t> axes, bool keepdims,
                      const std::string& name = "");
  // One start / end / step per axis, already normalized (see SliceOptions in plan.fbs).
  ValueId slice(ValueId x, std::vector<int64_t> starts, std::vector<int64_t> ends,
                std::vector<int64_t> steps, const std::string& name = "");
  // Text-model ops (hf-import; schema/plan.fbs rope, attention, gather_last).
  ValueId rope(ValueId x, ValueId positions, int heads, int head_dim, int rotary_dim, float theta,
               const std::string& name = "");
  // inputs: q, k, v, k_cache, v_cache, positions, count[, k_scale, v_scale].
  ValueId attention(std::vector<ValueId> inputs, int heads, int kv_heads, int head_dim, float scale,
                    const std::string& name = "");
  ValueId gather_last(ValueId x, ValueId count, const std::string& name = "");

  // Metadata written into the plan.
  void set_model_family(const std::string& family) { graph_.model_family = family; }
  void set_metadata(const std::string& key, const std::string& value) { graph_.metadata[key] = value; }

  const Graph& graph() const { return graph_; }
  const Status& status() const { return status_; }
  // The graph, or the first error.
  Result<Graph> finish();

 private:
  ValueId add_value(Value value);
  bool check_ids(const std::vector<ValueId>& ids, bool allow_absent_after_first);
  Graph graph_;
  Status status_;
};

}  // namespace mint::compiler
