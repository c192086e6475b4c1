// Prepacking of conv2d and transposed_conv2d weights (the hooks declared in compiler/compile.h,
// called by lower_graph). The layouts are those runtime/ops/conv.cc and
// runtime/ops/transposed_conv.cc validate:
//   conv2d, groups == 1: W [cout, kh, kw, cin] viewed as [cout, kh*kw*cin] -> gemm_f32 (or
//     gemm_f16 for WeightPrecision::kF16) with the bias folded in; input 2 becomes absent.
//     Int8 weight precision: when the static pass (compiler/quantize_static.h) made input 0
//     int8, W [cout, kh*kw*cin] -> per-channel symmetric gemm_qs8 with the bias in the packing
//     (compile.h pack_static_qs8); otherwise (dynamic int8) convolutions stay f32.
//     Int4 weight precision keeps convolutions in f32.
//   conv2d, groups > 1: left plain (the direct kernel reads [cout, kh, kw, cin/groups]).
//   transposed_conv2d: W [cout, kh, kw, cin] -> rows (kh_i * kw + kw_i) * cout + co of length
//     cin -> gemm_f32 (gemm_f16 for kF16) without bias; the bias stays input 2. With an int8
//     input 0 (static int8): gemm_qs8 with one symmetric scale per GEMM row, i.e. per (tap,
//     output channel) pair, finer than per output channel; this is possible because the GEMM
//     dequantizes each column before col2im sums them. No bias in the packing.
// The plain constants are left in the graph; the plan writer drops values no node uses.
#include <cstring>

#include "compiler/compile.h"
#include "compiler/prepack.h"

namespace mint::compiler {
namespace {

std::vector<float> f32_of(const Value& v) {
  std::vector<float> out(v.data ? v.data->size() / sizeof(float) : 0);
  if (!out.empty()) std::memcpy(out.data(), v.data->data(), out.size() * sizeof(float));
  return out;
}

ValueId add_packed(Graph& graph, const Value& from, DType dtype, plan::Layout layout, int64_t n,
                   int64_t k, std::vector<uint8_t> bytes) {
  Value v;
  v.name = from.name + ".packed";
  v.kind = ValueKind::kConstant;
  v.dtype = dtype;
  v.layout = layout;
  v.shape = {n, k};
  v.data = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  graph.values.push_back(std::move(v));
  return static_cast<ValueId>(graph.values.size() - 1);
}

// Checks weights (input 1) are a plain f32 constant [cout, kh, kw, c] and the optional bias
// (input 2) an f32 constant [cout]; returns their values.
Status read_weights(const Graph& graph, const Node& node, std::vector<float>* w,
                    std::vector<float>* bias) {
  if (node.inputs.size() < 2 || node.inputs[1] < 0) {
    return Status::invalid_argument("needs inputs (x, w[, bias])");
  }
  const Value& wv = graph.values[node.inputs[1]];
  if (wv.kind != ValueKind::kConstant || wv.dtype != DType::f32 || wv.shape.size() != 4 ||
      !wv.data || wv.data->size() != static_cast<size_t>(graph.element_count(node.inputs[1])) * 4) {
    return Status::invalid_argument("weights '" + wv.name +
                                    "' must be a plain f32 constant of rank 4");
  }
  *w = f32_of(wv);
  bias->clear();
  if (node.inputs.size() > 2 && node.inputs[2] >= 0) {
    const Value& b = graph.values[node.inputs[2]];
    if (b.kind != ValueKind::kConstant || b.dtype != DType::f32 || b.shape.size() != 1 ||
        b.shape[0] != wv.shape[0] || !b.data ||
        b.data->size() != static_cast<size_t>(b.shape[0]) * 4) {
      return Status::invalid_argument("bias '" + b.name + "' must be an f32 constant [" +
                                      std::to_string(wv.shape[0]) + "]");
    }
    *bias = f32_of(b);
  }
  return Status::ok();
}

}  // namespace

Status prepack_conv2d(Graph& graph, Node& node, const CompileOptions& options) {
  const auto* o = node.options.AsConv2DOptions();
  if (o == nullptr) return Status::invalid_argument("conv2d needs Conv2DOptions");
  if (node.inputs.size() < 2 || node.inputs[1] < 0)
    return Status::invalid_argument("needs inputs (x, w[, bias])");
  if (graph.values[node.inputs[1]].layout != plan::Layout::plain)
    return Status::ok();                    // packed already
  if (o->groups != 1) return Status::ok();  // grouped: the direct kernel reads plain weights
  std::vector<float> w, bias;
  MINT_RETURN_IF_ERROR(read_weights(graph, node, &w, &bias));
  const Value& wv = graph.values[node.inputs[1]];
  const size_t n = static_cast<size_t>(wv.shape[0]);
  const size_t k = static_cast<size_t>(wv.shape[1] * wv.shape[2] * wv.shape[3]);
  const float* b = bias.empty() ? nullptr : bias.data();
  ValueId packed;
  if (graph.values[node.inputs[0]].dtype == DType::i8) {
    if (options.weights != WeightPrecision::kInt8) {
      return Status::invalid_argument("an int8 input needs int8 weights");
    }
    std::vector<int8_t> q;
    QuantSpec quant;
    quant.kind = plan::QuantKind::per_channel;
    quantize_per_channel_symmetric(n, k, w.data(), &q, &quant.scales);
    MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                          pack_static_qs8(graph, node, n, k, q, quant.scales, bias));
    packed = add_packed(graph, wv, DType::i8, plan::Layout::gemm_qs8, int64_t(n), int64_t(k),
                        std::move(bytes));
    graph.values[packed].quant = std::move(quant);
  } else if (options.weights == WeightPrecision::kF16) {
    packed = add_packed(graph, wv, DType::f16, plan::Layout::gemm_f16, int64_t(n), int64_t(k),
                        pack_f16_gemm_weights(n, k, w.data(), b));
  } else {
    packed = add_packed(graph, wv, DType::f32, plan::Layout::gemm_f32, int64_t(n), int64_t(k),
                        pack_f32_gemm_weights(n, k, w.data(), b));
  }
  node.inputs = {node.inputs[0], packed, kInvalidValue};
  return Status::ok();
}

Status prepack_transposed_conv2d(Graph& graph, Node& node, const CompileOptions& options) {
  if (node.options.AsTransposedConv2DOptions() == nullptr) {
    return Status::invalid_argument("transposed_conv2d needs TransposedConv2DOptions");
  }
  if (node.inputs.size() < 2 || node.inputs[1] < 0)
    return Status::invalid_argument("needs inputs (x, w[, bias])");
  if (graph.values[node.inputs[1]].layout != plan::Layout::plain) return Status::ok();
  std::vector<float> w, bias;
  MINT_RETURN_IF_ERROR(read_weights(graph, node, &w, &bias));
  const Value& wv = graph.values[node.inputs[1]];
  const size_t cout = static_cast<size_t>(wv.shape[0]), kh = static_cast<size_t>(wv.shape[1]),
               kw = static_cast<size_t>(wv.shape[2]), cin = static_cast<size_t>(wv.shape[3]);
  // rows[(i * kw + j) * cout + co][c] = W[co][i][j][c]
  std::vector<float> rows(kh * kw * cout * cin);
  for (size_t co = 0; co < cout; ++co) {
    for (size_t t = 0; t < kh * kw; ++t) {
      std::memcpy(&rows[(t * cout + co) * cin], &w[(co * kh * kw + t) * cin], cin * sizeof(float));
    }
  }
  const size_t n = kh * kw * cout;
  if (graph.values[node.inputs[0]].dtype == DType::i8) {
    if (options.weights != WeightPrecision::kInt8) {
      return Status::invalid_argument("an int8 input needs int8 weights");
    }
    std::vector<int8_t> q;
    QuantSpec quant;
    quant.kind = plan::QuantKind::per_channel;
    quantize_per_channel_symmetric(n, cin, rows.data(), &q, &quant.scales);
    const ValueId packed_q = add_packed(
        graph, wv, DType::i8, plan::Layout::gemm_qs8, int64_t(n), int64_t(cin),
        pack_qs8_gemm_weights(n, cin, q.data(), quant.scales.data(), nullptr, nullptr));
    graph.values[packed_q].quant = std::move(quant);
    node.inputs[1] = packed_q;
    return Status::ok();
  }
  const ValueId packed =
      options.weights == WeightPrecision::kF16
          ? add_packed(graph, wv, DType::f16, plan::Layout::gemm_f16, int64_t(n), int64_t(cin),
                       pack_f16_gemm_weights(n, cin, rows.data(), nullptr))
          : add_packed(graph, wv, DType::f32, plan::Layout::gemm_f32, int64_t(n), int64_t(cin),
                       pack_f32_gemm_weights(n, cin, rows.data(), nullptr));
  node.inputs[1] = packed;
  return Status::ok();
}

}  // namespace mint::compiler
