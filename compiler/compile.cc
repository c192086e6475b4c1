#include "compiler/compile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "compiler/memory_planner.h"
#include "compiler/plan_writer.h"
#include "compiler/prepack.h"
#include "compiler/prune.h"
#include "compiler/quantize_static.h"
#include "kernels/fp16.h"
#include "kernels/gemm.h"
#include "kernels/qs4_gemm.h"
#include "runtime/ops/op.h"
#include "runtime/tokenizer/from_plan.h"
#include "runtime/tokenizer/tokenizer.h"

namespace mint::compiler {
namespace {

std::string node_ref(const Graph& graph, size_t i) {
  const Node& node = graph.nodes[i];
  return "node " + std::to_string(i) + " (" + op_code_name(node.code) + " '" + node.name + "')";
}

std::vector<float> f32_values(const Value& v) {
  std::vector<float> out(v.data->size() / sizeof(float));
  if (!out.empty()) std::memcpy(out.data(), v.data->data(), out.size() * sizeof(float));
  return out;
}

ValueId add_packed_constant(Graph& graph, const std::string& name, DType dtype, plan::Layout layout,
                            std::vector<int64_t> shape, std::vector<uint8_t> bytes,
                            QuantSpec quant = {}) {
  Value v;
  v.name = name;
  v.kind = ValueKind::kConstant;
  v.dtype = dtype;
  v.layout = layout;
  v.shape = std::move(shape);
  v.quant = std::move(quant);
  v.data = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  graph.values.push_back(std::move(v));
  return static_cast<ValueId>(graph.values.size() - 1);
}

// Packed weights already made, by (weight, bias) value: segments share their weights.
using PackCache = std::map<std::pair<ValueId, ValueId>, ValueId>;

// int4 group-wise weights: the packed panels plus their per_group quantization (axis 1; the
// zero points as signed i4 values zero - 8, none for symmetric weights).
Result<ValueId> pack_int4(Graph& graph, const std::string& name, size_t n, size_t k,
                          const float* w, const float* bias, const CompileOptions& options) {
  const size_t gs = options.int4_group_size;
  const Qs4Weights qw = quantize_qs4_weights(n, k, w, gs, options.int4_asymmetric);
  if (!qs4_scales_finite(qw)) {
    return Status::invalid_argument("weights '" + name + "' are too large for f16 group scales");
  }
  QuantSpec quant;
  quant.kind = plan::QuantKind::per_group;
  quant.axis = 1;
  quant.group_size = static_cast<int32_t>(gs);
  quant.scales.reserve(qw.scale.size());
  for (uint16_t h : qw.scale) quant.scales.push_back(f16_to_f32(h));
  if (options.int4_asymmetric) {
    for (uint8_t z : qw.zero) quant.zero_points.push_back(int32_t{z} - 8);
  }
  return add_packed_constant(graph, name, DType::i4, plan::Layout::gemm_qs4,
                             {int64_t(n), int64_t(k)}, pack_qs4_gemm_weights(qw, bias), quant);
}

Status prepack_fully_connected(Graph& graph, Node& node, const CompileOptions& options,
                               PackCache* cache) {
  if (node.inputs.size() < 2) return Status::invalid_argument("needs inputs (x, w[, bias])");
  const std::pair<ValueId, ValueId> key{node.inputs[1], node.inputs.size() > 2 ? node.inputs[2] : -1};
  if (auto it = cache->find(key); it != cache->end()) {
    node.inputs = {node.inputs[0], it->second};
    return Status::ok();
  }
  const Value& w = graph.values[node.inputs[1]];
  if (w.layout != plan::Layout::plain) return Status::ok();  // already packed
  if (w.kind != ValueKind::kConstant || w.dtype != DType::f32 || w.shape.size() != 2) {
    return Status::invalid_argument("weights '" + w.name + "' must be an f32 constant [n, k]");
  }
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const std::vector<float> weights = f32_values(w);
  std::vector<float> bias;
  if (node.inputs.size() > 2 && node.inputs[2] >= 0) {
    const Value& b = graph.values[node.inputs[2]];
    if (b.kind != ValueKind::kConstant || b.dtype != DType::f32 ||
        static_cast<size_t>(graph.element_count(node.inputs[2])) != n) {
      return Status::invalid_argument("bias '" + b.name + "' must be an f32 constant [" +
                                      std::to_string(n) + "]");
    }
    bias = f32_values(b);
  }
  const float* bias_ptr = bias.empty() ? nullptr : bias.data();
  const std::string name = w.name + ".packed";
  ValueId packed;
  WeightPrecision precision = options.weights;
  if (auto it = options.weight_overrides.find(w.name); it != options.weight_overrides.end()) {
    precision = it->second;
  }
  switch (precision) {
    case WeightPrecision::kF32:
      packed = add_packed_constant(graph, name, DType::f32, plan::Layout::gemm_f32,
                                   {int64_t(n), int64_t(k)},
                                   pack_f32_gemm_weights(n, k, weights.data(), bias_ptr));
      break;
    case WeightPrecision::kF16:
      packed = add_packed_constant(graph, name, DType::f16, plan::Layout::gemm_f16,
                                   {int64_t(n), int64_t(k)},
                                   pack_f16_gemm_weights(n, k, weights.data(), bias_ptr));
      break;
    case WeightPrecision::kInt4:
      if (k % options.int4_group_size == 0) {
        MINT_ASSIGN_OR_RETURN(packed, pack_int4(graph, name, n, k, weights.data(), bias_ptr, options));
        break;
      }
      [[fallthrough]];  // int8 for a k that the groups do not divide
    case WeightPrecision::kInt8: {
      std::vector<int8_t> q;
      QuantSpec quant;
      quant.kind = plan::QuantKind::per_channel;
      quant.axis = 0;
      quantize_per_channel_symmetric(n, k, weights.data(), &q, &quant.scales);
      const Value& x = graph.values[node.inputs[0]];
      std::vector<uint8_t> bytes;
      if (x.dtype == DType::i8) {  // static (compiler/quantize_static.h)
        MINT_ASSIGN_OR_RETURN(bytes, pack_static_qs8(graph, node, n, k, q, quant.scales, bias));
      } else {
        bytes = pack_qs8_gemm_weights(n, k, q.data(), quant.scales.data(), nullptr, bias_ptr);
      }
      packed = add_packed_constant(graph, name, DType::i8, plan::Layout::gemm_qs8,
                                   {int64_t(n), int64_t(k)}, std::move(bytes), quant);
      break;
    }
    default:
      return Status::invalid_argument("unknown weight precision");
  }
  node.inputs = {node.inputs[0], packed};
  (*cache)[key] = packed;
  return Status::ok();
}

// The embedding table of `node` (input 0): in the dtype asked for, gathered from the packed
// panels of the same weight where a fully_connected packed it in that precision.
// `converted` maps tables already converted (by another segment's embedding) to their copy.
Status lower_embedding(Graph& graph, Node& node, const CompileOptions& options, const PackCache& cache,
                       std::map<ValueId, ValueId>* converted) {
  if (node.inputs.empty() || node.inputs[0] < 0) return Status::ok();
  const ValueId t = node.inputs[0];
  if (auto it = converted->find(t); it != converted->end()) {
    node.inputs[0] = it->second;
    return Status::ok();
  }
  const Value& table = graph.values[t];
  if (table.kind != ValueKind::kConstant || table.layout != plan::Layout::plain ||
      table.dtype != DType::f32 || table.shape.size() != 2) {
    return Status::ok();
  }
  DType want = DType::f32;
  if (auto it = options.embedding_tables.find(table.name); it != options.embedding_tables.end()) {
    want = it->second;
  }
  if (want != DType::f32 && want != DType::f16 && want != DType::i8) {
    return Status::invalid_argument("embedding table '" + table.name + "': want f32, f16 or i8");
  }
  if (auto it = cache.find({t, -1}); it != cache.end()) {
    const Value& packed = graph.values[it->second];
    const plan::Layout match = want == DType::f32   ? plan::Layout::gemm_f32
                               : want == DType::f16 ? plan::Layout::gemm_f16
                                                    : plan::Layout::gemm_qs8;
    if (packed.layout == match) {
      node.inputs[0] = it->second;
      return Status::ok();
    }
  }
  if (want == DType::f32) return Status::ok();
  const std::vector<float> values = f32_values(table);
  const std::vector<int64_t> shape = table.shape;
  const std::string name = table.name + (want == DType::f16 ? ".f16" : ".i8");
  std::vector<uint8_t> bytes;
  QuantSpec quant;
  if (want == DType::f16) {
    bytes.resize(values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint16_t h = f32_to_f16(values[i]);
      std::memcpy(bytes.data() + 2 * i, &h, 2);
    }
  } else {
    std::vector<int8_t> q;
    quant.kind = plan::QuantKind::per_channel;
    quant.axis = 0;
    quantize_per_channel_symmetric(size_t(shape[0]), size_t(shape[1]), values.data(), &q, &quant.scales);
    bytes.resize(q.size());
    std::memcpy(bytes.data(), q.data(), q.size());
  }
  node.inputs[0] = add_packed_constant(graph, name, want, plan::Layout::plain, shape, std::move(bytes), quant);
  (*converted)[t] = node.inputs[0];
  return Status::ok();
}

// Bytes a value occupies in the plan: packed constants their packed size, others plain.
size_t value_bytes(const Graph& graph, ValueId v) {
  const Value& value = graph.values[v];
  if (value.kind == ValueKind::kConstant) return value.data->size();
  return plain_byte_size(value.dtype, graph.element_count(v));
}

}  // namespace

Status lower_graph(Graph& graph, const CompileOptions& options) {
  if (graph.outputs.empty()) return Status::invalid_argument("graph has no outputs");
  bool int4 = options.weights == WeightPrecision::kInt4;
  for (const auto& [name, precision] : options.weight_overrides) int4 |= precision == WeightPrecision::kInt4;
  if (int4 && !qs4_valid_group_size(options.int4_group_size)) {
    return Status::invalid_argument("int4 group size " + std::to_string(options.int4_group_size) +
                                    ": want 32, 64 or 128");
  }
  std::vector<bool> defined(graph.values.size(), false);
  for (size_t v = 0; v < graph.values.size(); ++v) {
    defined[v] = graph.values[v].kind != ValueKind::kIntermediate;
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (ValueId v : graph.nodes[i].inputs) {
      if (v >= 0 && (static_cast<size_t>(v) >= defined.size() || !defined[v])) {
        return Status::invalid_argument(node_ref(graph, i) + ": input value " + std::to_string(v) +
                                        " is used before it is produced");
      }
    }
    for (ValueId v : graph.nodes[i].outputs) defined[v] = true;
  }
  for (ValueId v : graph.outputs) {
    if (!defined[v]) return Status::invalid_argument("output '" + graph.values[v].name + "' is never produced");
  }
  // Static int8: the ops quantize_static left in float because they read a graph input get f16
  // weights (compiler/quantize_static.h).
  const bool static_int8 = !options.calibration.empty() && options.weights == WeightPrecision::kInt8;
  CompileOptions f16_options;
  f16_options.weights = WeightPrecision::kF16;
  PackCache cache;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& node = graph.nodes[i];
    const CompileOptions& o =
        static_int8 && keeps_float_input(graph, node) ? f16_options : options;
    Status st;
    switch (node.code) {
      case plan::OpCode::fully_connected: st = prepack_fully_connected(graph, node, o, &cache); break;
      case plan::OpCode::conv2d: st = prepack_conv2d(graph, node, o); break;
      case plan::OpCode::transposed_conv2d: st = prepack_transposed_conv2d(graph, node, o); break;
      default: break;
    }
    MINT_RETURN_IF_ERROR(st.with_context(node_ref(graph, i)));
  }
  // After the heads are packed: tied tables can point at their panels.
  std::map<ValueId, ValueId> converted;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].code != plan::OpCode::embedding) continue;
    MINT_RETURN_IF_ERROR(lower_embedding(graph, graph.nodes[i], options, cache, &converted)
                             .with_context(node_ref(graph, i)));
  }
  return Status::ok();
}

Result<std::vector<uint8_t>> pack_static_qs8(const Graph& graph, const Node& node, size_t n,
                                             size_t k, const std::vector<int8_t>& q,
                                             const std::vector<float>& w_scales,
                                             const std::vector<float>& bias) {
  const Value& x = graph.values[node.inputs[0]];
  const Value& y = graph.values[node.outputs[0]];
  if (x.quant.kind != plan::QuantKind::per_tensor || x.quant.scales.size() != 1) {
    return Status::invalid_argument("int8 input '" + x.name + "' needs per-tensor quantization");
  }
  std::vector<int32_t> bias_q;
  const float* bias_f = nullptr;
  if (!bias.empty()) {
    if (y.dtype == DType::i8) {  // bias added to the int32 accumulator
      bias_q.resize(n);
      for (size_t j = 0; j < n; ++j) {
        const double v = std::nearbyint(double(bias[j]) / (double(x.quant.scales[0]) * w_scales[j]));
        bias_q[j] = static_cast<int32_t>(std::clamp(v, -2147483648.0, 2147483647.0));
      }
    } else {  // f32 output: bias added after dequantization
      bias_f = bias.data();
    }
  }
  return pack_qs8_gemm_weights(n, k, q.data(), w_scales.data(),
                               bias_q.empty() ? nullptr : bias_q.data(), bias_f);
}

Result<std::vector<uint8_t>> compile(Graph graph, const CompileOptions& options) {
  if (options.prune_channels != 0.0) {
    MINT_RETURN_IF_ERROR(prune_channels(graph, options.prune_channels));
  }
  if (!options.calibration.empty()) {
    if (options.weights != WeightPrecision::kInt8) {
      return Status::invalid_argument("calibration data needs int8 weights");
    }
    MINT_RETURN_IF_ERROR(fuse_activations(graph));
    MINT_ASSIGN_OR_RETURN(ActivationRanges ranges, calibrate(graph, options.calibration));
    MINT_RETURN_IF_ERROR(quantize_static(graph, ranges));
  }
  const PlanTokenizer& tok = options.tokenizer;
  if (tok.kind != plan::TokenizerKind::none) {
    // The runtime's own check, so a plan that would fail to load is never written.
    auto built = tokenizer::tokenizer_from_plan(tok.kind, tok.data, tok.bos_id, tok.eos_id);
    if (!built.is_ok()) return Status::invalid_argument("compile options: " + built.status().message());
    if (tok.add_bos && tok.bos_id < 0) {
      return Status::invalid_argument("compile options: tokenizer add_bos is set without a bos id");
    }
  }
  MINT_RETURN_IF_ERROR(lower_graph(graph, options));
  std::vector<size_t> byte_sizes(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v) byte_sizes[v] = value_bytes(graph, static_cast<ValueId>(v));
  const MemoryPlan memory = plan_memory(graph, byte_sizes, kSegmentAlignment);
  return write_plan(graph, memory, byte_sizes, options.producer, options.tokenizer);
}

Status compile_to_file(Graph graph, const CompileOptions& options, const std::string& path) {
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, compile(std::move(graph), options));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot open '" + path + "' for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return Status::ok();
}

}  // namespace mint::compiler
