#include "compiler/hf/prune_heads.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>

#include "compiler/compile.h"
#include "compiler/onnx/onnx_import.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/from_plan.h"

namespace mint::compiler {
namespace {

const Node* find_node(const Graph& graph, plan::OpCode code, const std::string& name) {
  for (const Node& node : graph.nodes) {
    if (node.code == code && node.name == name) return &node;
  }
  return nullptr;
}

struct LayerProbe {
  ValueId attention = kInvalidValue;  // [rows, heads * head_dim]
  const float* wo = nullptr;          // [hidden, heads * head_dim]
  int64_t hidden = 0;
};

struct Layout {
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  std::vector<LayerProbe> layers;
};

// The importer's prefill attention and output-projection nodes, layer by layer.
Result<Layout> find_layers(const Graph& graph) {
  Layout out;
  for (size_t l = 0;; ++l) {
    const std::string p = "prefill.l" + std::to_string(l) + ".";
    const Node* attn = find_node(graph, plan::OpCode::attention, p + "attn");
    if (attn == nullptr) break;
    const Node* o = find_node(graph, plan::OpCode::fully_connected, p + "o");
    const plan::AttentionOptionsT* opt = attn->options.AsAttentionOptions();
    if (o == nullptr || opt == nullptr || attn->outputs.size() != 1 || o->inputs.size() < 2 || o->inputs[1] < 0) {
      return Status::invalid_argument("layer " + std::to_string(l) + " has no output projection node '" + p + "o'");
    }
    if (l == 0) {
      out.heads = opt->num_heads;
      out.kv_heads = opt->num_kv_heads;
      out.head_dim = opt->head_dim;
    } else if (opt->num_heads != out.heads || opt->num_kv_heads != out.kv_heads || opt->head_dim != out.head_dim) {
      return Status::invalid_argument("layer " + std::to_string(l) + " has other head counts than layer 0 (already pruned?)");
    }
    const Value& w = graph.values[o->inputs[1]];
    const int64_t width = out.heads * out.head_dim;
    if (w.kind != ValueKind::kConstant || w.dtype != DType::f32 || w.shape.size() != 2 || w.shape[1] != width ||
        !w.data || w.data->size() != static_cast<size_t>(w.shape[0] * width) * sizeof(float)) {
      return Status::invalid_argument("weight '" + w.name + "' of '" + p + "o' is not an f32 constant [hidden, " +
                                      std::to_string(width) + "]");
    }
    out.layers.push_back({attn->outputs[0], reinterpret_cast<const float*>(w.data->data()), w.shape[0]});
  }
  if (out.layers.empty()) return Status::invalid_argument("the graph has no 'prefill.l0.attn' attention node (not a text plan)");
  if (out.heads < 1 || out.kv_heads < 1 || out.head_dim < 1 || out.heads % out.kv_heads != 0) {
    return Status::invalid_argument("attention head counts are invalid");
  }
  return out;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

Status check_ratio(double ratio) {
  if (ratio >= 0.0 && ratio <= 1.0) return Status::ok();
  return Status::invalid_argument("head pruning ratio " + num(ratio) + " is outside [0, 1)");
}

// n = round(R * heads) after the checks of the header.
Result<int64_t> removal_count(double ratio, int64_t heads, int64_t kv_heads) {
  MINT_RETURN_IF_ERROR(check_ratio(ratio));
  const int64_t n = std::llround(ratio * static_cast<double>(heads));
  if (n >= heads) {
    return Status::invalid_argument("head pruning ratio " + num(ratio) + " would remove all " +
                                    std::to_string(heads) + " attention heads of every layer");
  }
  const int64_t g = heads / kv_heads;
  std::vector<int64_t> feasible;
  for (int64_t G = 0; G < kv_heads; ++G) {
    for (int64_t r = 0; r < g; ++r) feasible.push_back(G * g + r * (kv_heads - G));
  }
  std::sort(feasible.begin(), feasible.end());
  feasible.erase(std::unique(feasible.begin(), feasible.end()), feasible.end());
  if (std::find(feasible.begin(), feasible.end(), n) == feasible.end()) {
    std::string list;
    for (int64_t f : feasible) {
      if (f == 0) continue;
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%s%lld (R %.4g)", list.empty() ? "" : ", ", static_cast<long long>(f),
                    static_cast<double>(f) / static_cast<double>(heads));
      list += buf;
    }
    return Status::invalid_argument("head pruning ratio " + num(ratio) + " removes " + std::to_string(n) +
                                    " of " + std::to_string(heads) + " query heads per layer, which " +
                                    std::to_string(kv_heads) + " KV groups of " + std::to_string(g) +
                                    " heads cannot lose evenly; removable counts: " + list);
  }
  return n;
}

std::string join_lists(const std::vector<std::vector<int64_t>>& lists) {
  std::string out;
  for (size_t l = 0; l < lists.size(); ++l) {
    out += (l ? ";" : "") + std::to_string(l) + ":";
    for (size_t i = 0; i < lists[l].size(); ++i) out += (i ? "," : "") + std::to_string(lists[l][i]);
  }
  return out;
}

}  // namespace

Result<std::vector<int32_t>> read_calibration_tokens(const std::string& path, const PlanTokenizer& tokenizer,
                                                     size_t max_tokens) {
  if (tokenizer.kind == plan::TokenizerKind::none) {
    return Status::invalid_argument("the calibration text needs the checkpoint's tokenizer (vocab.json + merges.txt "
                                    "or tokenizer.model), and the directory has none");
  }
  if (max_tokens == 0) return Status::invalid_argument("the number of calibration tokens must be >= 1");
  Result<std::vector<uint8_t>> bytes = read_file_bytes(path);
  if (!bytes.is_ok()) return bytes.status().with_context("calibration text");
  const std::vector<uint8_t>& b = bytes.value();
  if (b.empty()) return Status::invalid_argument("calibration text '" + path + "' is empty");
  MINT_ASSIGN_OR_RETURN(std::unique_ptr<tokenizer::Tokenizer> tok,
                        tokenizer::tokenizer_from_plan(tokenizer.kind, tokenizer.data, tokenizer.bos_id,
                                                       tokenizer.eos_id));
  // Encode a prefix that ends at a line break, growing it until it gives max_tokens.
  std::vector<int32_t> ids;
  for (size_t prefix = std::min(b.size(), 8 * max_tokens);; prefix = std::min(b.size(), 2 * prefix)) {
    size_t end = prefix;
    while (end < b.size() && b[end - 1] != '\n') ++end;
    ids = tok->encode(std::string_view(reinterpret_cast<const char*>(b.data()), end));
    if (ids.size() >= max_tokens || end == b.size()) break;
  }
  if (ids.empty()) return Status::invalid_argument("calibration text '" + path + "' gives no tokens");
  if (ids.size() > max_tokens) ids.resize(max_tokens);
  return ids;
}

Result<std::vector<std::vector<double>>> score_attention_heads(const Graph& graph, const std::vector<int32_t>& tokens,
                                                               int32_t bos) {
  MINT_ASSIGN_OR_RETURN(Layout layout, find_layers(graph));
  if (tokens.empty()) return Status::invalid_argument("no calibration tokens");
  auto meta = graph.metadata.find("text.context_length");
  const long long context = meta == graph.metadata.end() ? 0 : std::atoll(meta->second.c_str());
  if (context < 2) return Status::invalid_argument("the graph has no text.context_length >= 2");
  // The probe plan: every layer's prefill attention output is an output too.
  Graph probe = graph;
  Segment* prefill = nullptr;
  for (Segment& s : probe.segments) {
    if (s.name == "prefill") prefill = &s;
  }
  if (prefill == nullptr) return Status::invalid_argument("the graph has no 'prefill' segment");
  for (const LayerProbe& lp : layout.layers) {
    probe.values[lp.attention].is_output = true;
    probe.outputs.push_back(lp.attention);
    prefill->outputs.push_back(lp.attention);
  }
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, compile(std::move(probe), CompileOptions{}));
  struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> aligned(static_cast<uint8_t*>(std::aligned_alloc(64, (bytes.size() + 63) / 64 * 64)));
  if (!aligned) return Status::out_of_memory("head-pruning calibration plan");
  std::memcpy(aligned.get(), bytes.data(), bytes.size());
  MINT_ASSIGN_OR_RETURN(auto model, Model::load_memory(aligned.get(), bytes.size(), {}));
  MINT_ASSIGN_OR_RETURN(auto session, Session::create(*model, {}));

  const int s = model->segment_index("prefill");
  const SegmentDesc& seg = model->segments()[static_cast<size_t>(s)];
  const auto index_of = [](const std::vector<int32_t>& list, int32_t id) {
    return static_cast<size_t>(std::find(list.begin(), list.end(), id) - list.begin());
  };
  const size_t in_tokens = index_of(model->inputs(), seg.inputs[0]);
  const size_t in_positions = index_of(model->inputs(), seg.inputs[1]);
  const size_t in_count = index_of(model->inputs(), seg.inputs[2]);
  const size_t rows = static_cast<size_t>(model->tensors()[seg.inputs[0]].shape[0]);
  std::vector<size_t> out_index;
  for (const LayerProbe& lp : layout.layers) {
    size_t k = 0;
    while (k < model->outputs().size() && model->tensors()[model->outputs()[k]].name != graph.values[lp.attention].name) ++k;
    if (k == model->outputs().size()) return Status::internal("probe output '" + graph.values[lp.attention].name + "' not found");
    out_index.push_back(k);
  }

  const size_t H = static_cast<size_t>(layout.heads), D = static_cast<size_t>(layout.head_dim);
  std::vector<std::vector<double>> sums(layout.layers.size(), std::vector<double>(H, 0.0));
  const size_t window = static_cast<size_t>(context) - (bos >= 0 ? 1 : 0);
  size_t scored = 0;
  std::vector<int32_t> ids, chunk_ids(rows), chunk_pos(rows);
  std::vector<float> y;
  for (size_t start = 0; start < tokens.size(); start += window) {
    ids.clear();
    if (bos >= 0) ids.push_back(bos);
    ids.insert(ids.end(), tokens.begin() + start, tokens.begin() + std::min(tokens.size(), start + window));
    for (size_t pos = 0; pos < ids.size(); pos += rows) {
      const size_t n = std::min(rows, ids.size() - pos);
      for (size_t t = 0; t < rows; ++t) {
        chunk_ids[t] = t < n ? ids[pos + t] : 0;
        chunk_pos[t] = static_cast<int32_t>(t < n ? pos + t : pos + n - 1);
      }
      const int32_t count = static_cast<int32_t>(n);
      MINT_RETURN_IF_ERROR(session->set_input(in_tokens, chunk_ids.data(), rows * sizeof(int32_t)));
      MINT_RETURN_IF_ERROR(session->set_input(in_positions, chunk_pos.data(), rows * sizeof(int32_t)));
      MINT_RETURN_IF_ERROR(session->set_input(in_count, &count, sizeof(count)));
      MINT_RETURN_IF_ERROR(session->run_segment(static_cast<size_t>(s)).with_context("head-pruning calibration"));
      for (size_t l = 0; l < layout.layers.size(); ++l) {
        size_t size = 0;
        MINT_ASSIGN_OR_RETURN(const uint8_t* out, session->output(out_index[l], &size));
        const float* a = reinterpret_cast<const float*>(out);
        const LayerProbe& lp = layout.layers[l];
        const size_t hidden = static_cast<size_t>(lp.hidden), width = H * D;
        y.resize(hidden);
        for (size_t t = 0; t < n; ++t) {
          for (size_t h = 0; h < H; ++h) {
            const float* c = a + t * width + h * D;
            double norm2 = 0.0;
            for (size_t r = 0; r < hidden; ++r) {
              const float* w = lp.wo + r * width + h * D;
              double acc = 0.0;
              for (size_t d = 0; d < D; ++d) acc += static_cast<double>(w[d]) * c[d];
              norm2 += acc * acc;
            }
            sums[l][h] += std::sqrt(norm2);
          }
        }
      }
      scored += n;
    }
  }
  for (auto& layer : sums) {
    for (double& v : layer) v /= static_cast<double>(scored);
  }
  return sums;
}

Status select_heads_to_remove(double ratio, HeadPruneReport* report) {
  const int64_t H = report->heads, KV = report->kv_heads;
  if (H < 1 || KV < 1 || H % KV != 0) return Status::invalid_argument("head counts are invalid");
  MINT_ASSIGN_OR_RETURN(const int64_t n, removal_count(ratio, H, KV));
  const int64_t g = H / KV;
  report->removed.clear();
  report->kv_removed.clear();
  report->kept.clear();
  for (size_t l = 0; l < report->scores.size(); ++l) {
    const std::vector<double>& sc = report->scores[l];
    if (static_cast<int64_t>(sc.size()) != H) return Status::invalid_argument("layer " + std::to_string(l) + ": wrong score count");
    // Each group's heads, lowest score first (ties: lower index).
    std::vector<std::vector<int64_t>> order(static_cast<size_t>(KV));
    for (int64_t k = 0; k < KV; ++k) {
      std::vector<int64_t>& o = order[static_cast<size_t>(k)];
      for (int64_t j = 0; j < g; ++j) o.push_back(k * g + j);
      std::stable_sort(o.begin(), o.end(), [&](int64_t a, int64_t b) { return sc[a] < sc[b]; });
    }
    double best = INFINITY;
    std::vector<bool> best_drop;
    for (int64_t G = KV - 1; G >= 0; --G) {  // more whole groups first: they win ties
      for (int64_t r = 0; r < g; ++r) {
        if (G * g + r * (KV - G) != n) continue;
        std::vector<double> part(static_cast<size_t>(KV), 0.0), rest(static_cast<size_t>(KV), 0.0);
        double total = 0.0;
        for (int64_t k = 0; k < KV; ++k) {
          for (int64_t j = 0; j < g; ++j) (j < r ? part : rest)[k] += sc[order[k][j]];
          total += part[k];
        }
        std::vector<int64_t> groups(static_cast<size_t>(KV));
        std::iota(groups.begin(), groups.end(), 0);
        std::stable_sort(groups.begin(), groups.end(), [&](int64_t a, int64_t b) { return rest[a] < rest[b]; });
        std::vector<bool> drop(static_cast<size_t>(H), false);
        for (int64_t k = 0; k < KV; ++k) {
          const bool whole = std::find(groups.begin(), groups.begin() + G, k) != groups.begin() + G;
          for (int64_t j = 0; j < (whole ? g : r); ++j) drop[static_cast<size_t>(order[k][j])] = true;
        }
        for (int64_t i = 0; i < G; ++i) total += rest[groups[i]];
        if (total < best) {
          best = total;
          best_drop = drop;
        }
      }
    }
    std::vector<int64_t> removed, kv_removed, kept;
    for (int64_t h = 0; h < H; ++h) (best_drop[h] ? removed : kept).push_back(h);
    for (int64_t k = 0; k < KV; ++k) {
      bool all = true;
      for (int64_t j = 0; j < g; ++j) all = all && best_drop[k * g + j];
      if (all) kv_removed.push_back(k);
    }
    report->removed.push_back(removed);
    report->kv_removed.push_back(kv_removed);
    report->kept.push_back(kept);
  }
  return Status::ok();
}

Result<Graph> import_hf_checkpoint_pruned(const std::string& dir, const HfImportOptions& options,
                                          const HeadPruneOptions& prune, HeadPruneReport* report) {
  if (!options.kept_heads.empty()) return Status::invalid_argument("head pruning selects kept_heads itself");
  MINT_RETURN_IF_ERROR(check_ratio(prune.ratio));  // before any work
  MINT_ASSIGN_OR_RETURN(std::vector<int32_t> tokens,
                        read_calibration_tokens(prune.calibration_text, prune.tokenizer, prune.calibration_tokens));
  HfImportOptions probe_options = options;
  probe_options.kv_cache = DType::f32;
  MINT_ASSIGN_OR_RETURN(Graph graph, import_hf_checkpoint(dir, probe_options));
  MINT_ASSIGN_OR_RETURN(const Layout layout, find_layers(graph));
  HeadPruneReport r;
  r.heads = layout.heads;
  r.kv_heads = layout.kv_heads;
  r.tokens = tokens.size();
  MINT_RETURN_IF_ERROR(removal_count(prune.ratio, r.heads, r.kv_heads).status());
  const int32_t bos = prune.tokenizer.add_bos ? prune.tokenizer.bos_id : -1;
  MINT_ASSIGN_OR_RETURN(r.scores, score_attention_heads(graph, tokens, bos));
  MINT_RETURN_IF_ERROR(select_heads_to_remove(prune.ratio, &r));
  bool any = false;
  for (const auto& l : r.removed) any = any || !l.empty();
  if (any || options.kv_cache != DType::f32) {
    HfImportOptions final_options = options;
    if (any) final_options.kept_heads = r.kept;
    MINT_ASSIGN_OR_RETURN(graph, import_hf_checkpoint(dir, final_options));
  }
  std::string scores;
  for (size_t l = 0; l < r.scores.size(); ++l) {
    for (size_t h = 0; h < r.scores[l].size(); ++h) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%s%.6g", h ? "," : (l ? ";" : ""), r.scores[l][h]);
      scores += buf;
    }
  }
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%g", prune.ratio);
  graph.metadata["prune.heads.ratio"] = ratio;
  graph.metadata["prune.heads.removed"] = join_lists(r.removed);
  graph.metadata["prune.heads.kv_removed"] = join_lists(r.kv_removed);
  graph.metadata["prune.heads.scores"] = scores;
  graph.metadata["prune.heads.calibration_tokens"] = std::to_string(r.tokens);
  if (report != nullptr) *report = std::move(r);
  return graph;
}

std::string format_head_report(const HeadPruneReport& r) {
  std::string out = "attention-head importance: mean L2 norm of each head's output-projection contribution over " +
                    std::to_string(r.tokens) + " calibration tokens (" + std::to_string(r.heads) + " heads, " +
                    std::to_string(r.kv_heads) + " KV heads per layer)\n";
  for (size_t l = 0; l < r.scores.size(); ++l) {
    out += "  layer " + std::to_string(l) + ":";
    for (double v : r.scores[l]) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), " %.4g", v);
      out += buf;
    }
    out += "  removed:";
    if (l >= r.removed.size() || r.removed[l].empty()) out += " none";
    for (size_t i = 0; l < r.removed.size() && i < r.removed[l].size(); ++i) out += " " + std::to_string(r.removed[l][i]);
    if (l < r.kv_removed.size() && !r.kv_removed[l].empty() && r.kv_heads != r.heads) {
      out += "  (KV heads removed:";
      for (int64_t k : r.kv_removed[l]) out += " " + std::to_string(k);
      out += ")";
    }
    out += "\n";
  }
  return out;
}

}  // namespace mint::compiler
