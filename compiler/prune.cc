#include "compiler/prune.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace mint::compiler {
namespace {

bool is_channelwise(plan::OpCode code) {
  switch (code) {
    case plan::OpCode::relu:
    case plan::OpCode::leaky_relu:
    case plan::OpCode::tanh:
    case plan::OpCode::sigmoid:
    case plan::OpCode::gelu:
    case plan::OpCode::silu:
      return true;
    default:
      return false;
  }
}

bool plain_f32_constant(const Graph& g, ValueId v, size_t rank) {
  if (v < 0) return false;
  const Value& value = g.values[v];
  return value.kind == ValueKind::kConstant && value.dtype == DType::f32 &&
         value.layout == plan::Layout::plain && value.shape.size() == rank && value.data &&
         value.data->size() == static_cast<size_t>(g.element_count(v)) * sizeof(float);
}

// conv2d (groups 1) or transposed_conv2d with plain f32 weights [cout, kh, kw, cin] and an
// optional f32 bias [cout].
bool is_conv(const Graph& g, const Node& n) {
  if (n.code == plan::OpCode::conv2d) {
    if (!n.options.AsConv2DOptions() || n.options.AsConv2DOptions()->groups != 1) return false;
  } else if (n.code != plan::OpCode::transposed_conv2d) {
    return false;
  }
  if (n.inputs.size() < 2 || !plain_f32_constant(g, n.inputs[1], 4)) return false;
  if (n.inputs.size() > 2 && n.inputs[2] >= 0 && !plain_f32_constant(g, n.inputs[2], 1)) return false;
  return n.outputs.size() == 1;
}

std::vector<float> floats(const Value& v) {
  std::vector<float> out(v.data->size() / sizeof(float));
  if (!out.empty()) std::memcpy(out.data(), v.data->data(), v.data->size());
  return out;
}

ValueId add_constant(Graph& g, const std::string& name, std::vector<int64_t> shape,
                     const std::vector<float>& data) {
  Value v;
  v.name = name;
  v.kind = ValueKind::kConstant;
  v.dtype = DType::f32;
  v.shape = std::move(shape);
  std::vector<uint8_t> bytes(data.size() * sizeof(float));
  if (!bytes.empty()) std::memcpy(bytes.data(), data.data(), bytes.size());
  v.data = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  g.values.push_back(std::move(v));
  return static_cast<ValueId>(g.values.size() - 1);
}

struct Plan {
  size_t source;                 // node index
  size_t target;                 // node index
  std::vector<ValueId> chain;    // values from the source's output to the target's input
  std::vector<size_t> keep;      // kept output channels of the source
};

}  // namespace

size_t pruned_channel_count(size_t channels, double ratio) {
  const double keep = std::ceil((1.0 - ratio) * static_cast<double>(channels));
  return std::max<size_t>(1, std::min(channels, static_cast<size_t>(keep)));
}

std::vector<size_t> kept_channels(const std::vector<double>& scores, double ratio) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  order.resize(pruned_channel_count(scores.size(), ratio));
  std::sort(order.begin(), order.end());
  return order;
}

int64_t parameter_count(const Graph& graph) {
  std::vector<bool> used(graph.values.size(), false);
  for (const Node& n : graph.nodes) {
    for (ValueId v : n.inputs) {
      if (v >= 0) used[v] = true;
    }
  }
  int64_t count = 0;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (used[v] && graph.values[v].kind == ValueKind::kConstant) {
      count += graph.element_count(static_cast<ValueId>(v));
    }
  }
  return count;
}

Status prune_channels(Graph& graph, double ratio, std::vector<std::string>* pruned,
                      std::vector<std::vector<size_t>>* kept) {
  if (!(ratio >= 0.1 && ratio <= 0.9)) {
    return Status::invalid_argument("--prune-channels " + std::to_string(ratio) +
                                    ": want a ratio in [0.1, 0.9]");
  }
  std::vector<std::vector<std::pair<size_t, size_t>>> consumers(graph.values.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (size_t s = 0; s < graph.nodes[i].inputs.size(); ++s) {
      const ValueId v = graph.nodes[i].inputs[s];
      if (v >= 0) consumers[v].push_back({i, s});
    }
  }
  const auto is_output = [&](ValueId v) {
    return graph.values[v].is_output ||
           std::find(graph.outputs.begin(), graph.outputs.end(), v) != graph.outputs.end();
  };

  // Find the sources in node (topological) order and rank each one after the input channels
  // that an earlier source's pruning removed from it (target_keep) are left out.
  std::vector<Plan> plans;
  std::vector<std::vector<size_t>> target_keep(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& src = graph.nodes[i];
    if (!is_conv(graph, src)) continue;
    const Value& w = graph.values[src.inputs[1]];
    const size_t cout = static_cast<size_t>(w.shape[0]);
    Plan p{i, 0, {src.outputs[0]}, {}};
    bool found = false;
    for (;;) {
      const ValueId v = p.chain.back();
      if (is_output(v) || consumers[v].size() != 1) break;
      const auto [c, slot] = consumers[v][0];
      const Node& next = graph.nodes[c];
      if (is_channelwise(next.code) && next.inputs.size() == 1 && next.outputs.size() == 1) {
        p.chain.push_back(next.outputs[0]);
        continue;
      }
      if (slot != 0) break;
      if (is_conv(graph, next)) {
        found = static_cast<size_t>(graph.values[next.inputs[1]].shape[3]) == cout;
      } else if (next.code == plan::OpCode::fully_connected && next.inputs.size() >= 2 &&
                 plain_f32_constant(graph, next.inputs[1], 2)) {
        const auto& xs = graph.values[v].shape;
        found = !xs.empty() && static_cast<size_t>(xs.back()) == cout &&
                static_cast<size_t>(graph.values[next.inputs[1]].shape[1]) == cout;
      }
      p.target = c;
      break;
    }
    if (!found) continue;
    const std::vector<float> wf = floats(w);
    const size_t cin = static_cast<size_t>(w.shape[3]);
    const size_t taps = wf.size() / (cout * cin);
    std::vector<size_t> inputs(cin);
    std::iota(inputs.begin(), inputs.end(), size_t{0});
    if (!target_keep[i].empty()) inputs = target_keep[i];
    std::vector<double> scores(cout, 0.0);
    for (size_t co = 0; co < cout; ++co) {
      for (size_t t = 0; t < taps; ++t) {
        const float* row = wf.data() + (co * taps + t) * cin;
        for (size_t ci : inputs) scores[co] += std::fabs(static_cast<double>(row[ci]));
      }
    }
    p.keep = kept_channels(scores, ratio);
    if (p.keep.size() < cout) {
      target_keep[p.target] = p.keep;
      plans.push_back(std::move(p));
    }
  }

  // Rewrite every weight once: sources lose filters, targets input channels.
  for (const Plan& p : plans) {
    Node& src = graph.nodes[p.source];
    const Value& w = graph.values[src.inputs[1]];
    const std::vector<int64_t> shape = w.shape;
    const size_t per = static_cast<size_t>(shape[1] * shape[2] * shape[3]);
    const std::vector<float> wf = floats(w);
    std::vector<float> nw;
    for (size_t co : p.keep) nw.insert(nw.end(), wf.begin() + co * per, wf.begin() + (co + 1) * per);
    const std::string wname = w.name + ".pruned";
    src.inputs[1] = add_constant(graph, wname, {int64_t(p.keep.size()), shape[1], shape[2], shape[3]}, nw);
    if (src.inputs.size() > 2 && src.inputs[2] >= 0) {
      const std::vector<float> bf = floats(graph.values[src.inputs[2]]);
      std::vector<float> nb;
      for (size_t co : p.keep) nb.push_back(bf[co]);
      const std::string bname = graph.values[src.inputs[2]].name + ".pruned";
      src.inputs[2] = add_constant(graph, bname, {int64_t(p.keep.size())}, nb);
    }
    for (ValueId v : p.chain) graph.values[v].shape.back() = static_cast<int64_t>(p.keep.size());
    if (pruned) pruned->push_back(src.name);
    if (kept) kept->push_back(p.keep);
  }
  for (size_t t = 0; t < graph.nodes.size(); ++t) {
    const std::vector<size_t>& keep = target_keep[t];
    if (keep.empty()) continue;
    Node& node = graph.nodes[t];
    const Value& w = graph.values[node.inputs[1]];
    const std::vector<float> wf = floats(w);
    const std::vector<int64_t> shape = w.shape;
    const size_t cin = static_cast<size_t>(shape.back());
    const size_t rows = wf.size() / cin;
    std::vector<float> nw;
    nw.reserve(rows * keep.size());
    for (size_t r = 0; r < rows; ++r) {
      for (size_t ci : keep) nw.push_back(wf[r * cin + ci]);
    }
    std::vector<int64_t> nshape = shape;
    nshape.back() = static_cast<int64_t>(keep.size());
    const std::string wname = w.name + ".pruned_in";
    node.inputs[1] = add_constant(graph, wname, nshape, nw);
  }
  return Status::ok();
}

}  // namespace mint::compiler
