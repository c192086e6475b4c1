#include "compiler/quantize_static.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

#include "compiler/compile.h"
#include "compiler/onnx/onnx_import.h"
#include "kernels/gemm.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace mint::compiler {
namespace {

plan::Activation* activation_of(Node& node) {
  switch (node.code) {
    case plan::OpCode::fully_connected:
      return node.options.AsFullyConnectedOptions() ? &node.options.AsFullyConnectedOptions()->activation
                                                    : nullptr;
    case plan::OpCode::conv2d:
      return node.options.AsConv2DOptions() ? &node.options.AsConv2DOptions()->activation : nullptr;
    case plan::OpCode::transposed_conv2d:
      return node.options.AsTransposedConv2DOptions()
                 ? &node.options.AsTransposedConv2DOptions()->activation
                 : nullptr;
    default:
      return nullptr;
  }
}

// Consumers of each value: (node index, input slot).
std::vector<std::vector<std::pair<size_t, size_t>>> consumers_of(const Graph& graph) {
  std::vector<std::vector<std::pair<size_t, size_t>>> out(graph.values.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const auto& inputs = graph.nodes[i].inputs;
    for (size_t s = 0; s < inputs.size(); ++s) {
      if (inputs[s] >= 0) out[inputs[s]].push_back({i, s});
    }
  }
  return out;
}

bool is_output(const Graph& graph, ValueId v) {
  return std::find(graph.outputs.begin(), graph.outputs.end(), v) != graph.outputs.end();
}

// An op that can run in int8: GEMM-based, f32 plain constant weights.
bool is_int8_capable(const Graph& graph, const Node& node) {
  if (node.code != plan::OpCode::fully_connected && node.code != plan::OpCode::conv2d &&
      node.code != plan::OpCode::transposed_conv2d) {
    return false;
  }
  if (node.code == plan::OpCode::conv2d &&
      (node.options.AsConv2DOptions() == nullptr || node.options.AsConv2DOptions()->groups != 1)) {
    return false;
  }
  if (node.inputs.size() < 2 || node.inputs[0] < 0 || node.inputs[1] < 0) return false;
  const Value& x = graph.values[node.inputs[0]];
  const Value& w = graph.values[node.inputs[1]];
  return x.dtype == DType::f32 && w.kind == ValueKind::kConstant && w.dtype == DType::f32 &&
         w.layout == plan::Layout::plain;
}

bool is_passthrough(const Node& node) {
  return (node.code == plan::OpCode::reshape || node.code == plan::OpCode::transpose) &&
         !node.inputs.empty() && node.inputs[0] >= 0 && node.outputs.size() == 1;
}

// Whether v is a graph input, or a reshape / transpose of one (e.g. the NCHW -> NHWC transpose
// of an ONNX model's input).
bool is_graph_input_view(const Graph& graph, ValueId v) {
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    const Node& node = graph.nodes[i];
    if (node.outputs.size() == 1 && node.outputs[0] == v) {
      if (!is_passthrough(node)) return false;
      v = node.inputs[0];
    }
  }
  return graph.values[v].kind == ValueKind::kInput;
}

// An op that runs in int8 after static quantization: int8-capable, not reading a graph input.
bool is_int8_op(const Graph& graph, const Node& node) {
  return is_int8_capable(graph, node) && !is_graph_input_view(graph, node.inputs[0]);
}

}  // namespace

bool keeps_float_input(const Graph& graph, const Node& node) {
  return is_int8_capable(graph, node) && is_graph_input_view(graph, node.inputs[0]);
}

Status fuse_activations(Graph& graph) {
  std::vector<bool> drop(graph.nodes.size(), false);
  const auto consumers = consumers_of(graph);
  std::vector<int64_t> producer(graph.values.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (ValueId v : graph.nodes[i].outputs) producer[v] = static_cast<int64_t>(i);
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& relu = graph.nodes[i];
    if (relu.code != plan::OpCode::relu || relu.inputs.size() != 1 || relu.outputs.size() != 1 ||
        relu.inputs[0] < 0) {
      continue;
    }
    const ValueId v = relu.inputs[0];
    if (producer[v] < 0 || consumers[v].size() != 1 || is_output(graph, v)) continue;
    Node& p = graph.nodes[static_cast<size_t>(producer[v])];
    plan::Activation* act = activation_of(p);
    if (act == nullptr || *act != plan::Activation::none || p.outputs.size() != 1) continue;
    *act = plan::Activation::relu;
    p.outputs[0] = relu.outputs[0];
    drop[i] = true;
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!drop[i]) kept.push_back(std::move(graph.nodes[i]));
  }
  graph.nodes = std::move(kept);
  return Status::ok();
}

Result<ActivationRanges> calibrate(const Graph& graph, const std::vector<float>& samples) {
  size_t per_sample = 0;
  for (ValueId v : graph.inputs) {
    if (graph.values[v].dtype != DType::f32) {
      return Status::invalid_argument("calibration: input '" + graph.values[v].name +
                                      "' is not f32");
    }
    per_sample += static_cast<size_t>(graph.element_count(v));
  }
  if (per_sample == 0) return Status::invalid_argument("calibration: the graph has no inputs");
  if (samples.empty() || samples.size() % per_sample != 0) {
    return Status::invalid_argument(
        "calibration data has " + std::to_string(samples.size()) +
        " floats, want a positive multiple of " + std::to_string(per_sample) +
        " (one sample: every graph input in order)");
  }
  // Every f32 intermediate becomes an output of the calibration plan.
  Graph probe = graph;
  for (const Node& node : probe.nodes) {
    for (ValueId v : node.outputs) {
      if (probe.values[v].dtype == DType::f32 && !probe.values[v].is_output) {
        probe.values[v].is_output = true;
        probe.outputs.push_back(v);
      }
    }
  }
  const std::vector<ValueId> probe_outputs = probe.outputs;  // the plan's outputs, in order
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, compile(std::move(probe), CompileOptions{}));
  struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> aligned(
      static_cast<uint8_t*>(std::aligned_alloc(64, round_up(bytes.size(), 64))));
  if (!aligned) return Status::out_of_memory("calibration plan");
  std::memcpy(aligned.get(), bytes.data(), bytes.size());
  MINT_ASSIGN_OR_RETURN(auto model, Model::load_memory(aligned.get(), bytes.size(), {}));
  MINT_ASSIGN_OR_RETURN(auto session, Session::create(*model, {}));

  ActivationRanges ranges(graph.values.size());
  const auto observe = [&](ValueId v, const float* data, size_t n) {
    ValueRange& r = ranges[v];
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(data[i])) continue;
      if (!r.observed) {
        r = {data[i], data[i], true};
      } else {
        r.min = std::min(r.min, data[i]);
        r.max = std::max(r.max, data[i]);
      }
    }
  };
  const size_t count = samples.size() / per_sample;
  for (size_t s = 0; s < count; ++s) {
    const float* sample = samples.data() + s * per_sample;
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      const size_t n = static_cast<size_t>(graph.element_count(graph.inputs[i]));
      MINT_RETURN_IF_ERROR(session->set_input(i, sample, n * sizeof(float)));
      observe(graph.inputs[i], sample, n);
      sample += n;
    }
    MINT_RETURN_IF_ERROR(session->run().with_context("calibration sample " + std::to_string(s)));
    for (size_t o = 0; o < probe_outputs.size(); ++o) {
      if (graph.values[probe_outputs[o]].dtype != DType::f32) continue;
      size_t byte_size = 0;
      MINT_ASSIGN_OR_RETURN(const uint8_t* data, session->output(o, &byte_size));
      observe(probe_outputs[o], reinterpret_cast<const float*>(data), byte_size / sizeof(float));
    }
  }
  return ranges;
}

QuantSpec per_tensor_quant(const ValueRange& range) {
  const float lo = std::min(0.0f, range.min);
  const float hi = std::max(0.0f, range.max);
  float scale = (hi - lo) / 255.0f;
  if (!(scale > 0.0f) || !std::isfinite(scale)) scale = 1.0f;
  const float zp = std::nearbyint(-128.0f - lo / scale);
  QuantSpec q;
  q.kind = plan::QuantKind::per_tensor;
  q.scales = {scale};
  q.zero_points = {static_cast<int32_t>(std::min(127.0f, std::max(-128.0f, zp)))};
  return q;
}

Status quantize_static(Graph& graph, const ActivationRanges& ranges) {
  if (ranges.size() < graph.values.size()) {
    return Status::invalid_argument("quantize_static: ranges for " + std::to_string(ranges.size()) +
                                    " values, the graph has " +
                                    std::to_string(graph.values.size()));
  }
  const auto consumers = consumers_of(graph);
  std::vector<bool> int8_op(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) int8_op[i] = is_int8_op(graph, graph.nodes[i]);

  // accepts[v]: every consumer reads v as input 0 of an int8 op, or of a reshape / transpose
  // whose result accepts int8; not a graph output. Consumers come later, so go backwards.
  std::vector<bool> accepts(graph.values.size(), false);
  const auto compute_accepts = [&](ValueId v) {
    if (is_output(graph, v) || consumers[v].empty()) return false;
    for (const auto& [c, slot] : consumers[v]) {
      const Node& node = graph.nodes[c];
      if (slot != 0) return false;
      if (int8_op[c]) continue;
      if (is_passthrough(node) && accepts[node.outputs[0]]) continue;
      return false;
    }
    return true;
  };
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    for (ValueId v : graph.nodes[i].outputs) accepts[v] = compute_accepts(v);
  }
  // int8[v]: accepted in int8, and produced in int8 (by an int8 op, or a reshape / transpose
  // of an int8 value).
  std::vector<bool> is_int8(graph.values.size(), false);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.outputs.size() != 1) continue;
    const ValueId out = node.outputs[0];
    if (int8_op[i]) {
      is_int8[out] = accepts[out];
    } else if (is_passthrough(node)) {
      is_int8[out] = accepts[out] && is_int8[node.inputs[0]];
    }
  }
  const auto range_of = [&](ValueId v) -> Result<QuantSpec> {
    if (!ranges[v].observed) {
      return Status::invalid_argument("value '" + graph.values[v].name +
                                      "' has no calibration range (never finite in calibration)");
    }
    return per_tensor_quant(ranges[v]);
  };
  // Encodings, in node order (a passthrough copies its input's).
  for (const Node& node : graph.nodes) {
    if (node.outputs.size() != 1 || !is_int8[node.outputs[0]]) continue;
    Value& out = graph.values[node.outputs[0]];
    if (is_passthrough(node)) {
      out.quant = graph.values[node.inputs[0]].quant;
    } else {
      MINT_ASSIGN_OR_RETURN(out.quant, range_of(node.outputs[0]));
    }
    out.dtype = DType::i8;
  }
  // Quantize nodes for f32 inputs of int8 ops, before the first int8 consumer.
  std::map<ValueId, ValueId> quantized;
  std::vector<Node> nodes;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node node = std::move(graph.nodes[i]);
    if (int8_op[i] && !is_int8[node.inputs[0]]) {
      const ValueId x = node.inputs[0];
      auto it = quantized.find(x);
      if (it == quantized.end()) {
        Value q;
        q.name = graph.values[x].name + ".q";
        q.kind = ValueKind::kIntermediate;
        q.dtype = DType::i8;
        q.shape = graph.values[x].shape;
        MINT_ASSIGN_OR_RETURN(q.quant, range_of(x));
        graph.values.push_back(std::move(q));
        const ValueId qid = static_cast<ValueId>(graph.values.size() - 1);
        Node qn;
        qn.code = plan::OpCode::quantize;
        qn.inputs = {x};
        qn.outputs = {qid};
        qn.name = graph.values[qid].name;
        nodes.push_back(std::move(qn));
        it = quantized.emplace(x, qid).first;
      }
      node.inputs[0] = it->second;
    }
    nodes.push_back(std::move(node));
  }
  graph.nodes = std::move(nodes);
  return Status::ok();
}

Result<std::vector<float>> read_calibration_file(const std::string& path) {
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file_bytes(path));
  if (bytes.empty() || bytes.size() % sizeof(float) != 0) {
    return Status::invalid_argument("calibration file '" + path + "' has " +
                                    std::to_string(bytes.size()) +
                                    " bytes, want a positive multiple of 4 (raw float32)");
  }
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace mint::compiler
