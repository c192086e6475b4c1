#include "compiler/hf/hf_import.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "compiler/hf/config.h"
#include "compiler/hf/safetensors.h"

namespace mint::compiler {
namespace {

using hf::Checkpoint;
using hf::DecoderConfig;
using hf::Family;

bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Builds the graph; every weight is read once and shared by both segments.
class DecoderBuilder {
 public:
  DecoderBuilder(const DecoderConfig& c, const Checkpoint& ck, const HfImportOptions& o)
      : c_(c), ck_(ck), o_(o) {}

  Result<Graph> build() {
    const int64_t group = c_.heads / c_.kv_heads;
    for (int64_t l = 0; l < c_.layers; ++l) {
      Heads hs;
      if (o_.kept_heads.empty()) {
        for (int64_t h = 0; h < c_.heads; ++h) hs.q.push_back(h);
      } else {
        hs.q = o_.kept_heads[static_cast<size_t>(l)];
      }
      for (int64_t h : hs.q) {
        if (hs.kv.empty() || hs.kv.back() != h / group) hs.kv.push_back(h / group);
      }
      heads_.push_back(hs);
    }
    MINT_RETURN_IF_ERROR(load_weights());
    for (int64_t l = 0; l < c_.layers; ++l) {
      Cache cache;
      const std::string p = "layer" + std::to_string(l) + ".";
      const int64_t kv_heads = static_cast<int64_t>(heads_[l].kv.size());
      const int64_t kw = kv_heads * c_.head_dim;
      cache.k = b_.state(p + "k_cache", o_.kv_cache, {o_.context, kw});
      cache.v = b_.state(p + "v_cache", o_.kv_cache, {o_.context, kw});
      if (o_.kv_cache == DType::i8) {
        cache.ks = b_.state(p + "k_scale", DType::f32, {o_.context, kv_heads});
        cache.vs = b_.state(p + "v_scale", DType::f32, {o_.context, kv_heads});
      }
      caches_.push_back(cache);
    }
    // o_.prefill_chunks is ascending and unique here (import_hf_checkpoint)
    segment("prefill", o_.prefill_chunks.back());
    segment("decode", 1);
    for (size_t i = 0; i + 1 < o_.prefill_chunks.size(); ++i) {
      segment("prefill_" + std::to_string(o_.prefill_chunks[i]), o_.prefill_chunks[i]);
    }
    MINT_RETURN_IF_ERROR(b_.status());
    b_.set_model_family(c_.model_type);
    return b_.finish();
  }

  GraphBuilder& builder() { return b_; }

 private:
  struct Linear {
    ValueId w = kInvalidValue, b = kInvalidValue;
  };
  struct Layer {
    ValueId norm1 = kInvalidValue, norm1_b = kInvalidValue, norm2 = kInvalidValue, norm2_b = kInvalidValue;
    Linear q, k, v, o, up, gate, down;
  };
  struct Cache {
    ValueId k = kInvalidValue, v = kInvalidValue, ks = kInvalidValue, vs = kInvalidValue;
  };
  struct Heads {
    std::vector<int64_t> q, kv;  // kept query heads and KV heads, ascending
  };

  // ---- weights ----
  Result<std::vector<float>> read(const std::string& name, std::vector<int64_t> shape) {
    return ck_.to_f32(name, shape);
  }
  ValueId constant(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v) {
    return b_.constant_f32(name, std::move(shape), v);
  }
  Result<ValueId> weight(const std::string& name, std::vector<int64_t> shape) {
    MINT_ASSIGN_OR_RETURN(std::vector<float> v, read(name, shape));
    return constant(name, shape, v);
  }
  // GPT-2 Conv1D: weight [in, out] -> [out, in].
  Result<ValueId> conv1d_weight(const std::string& name, int64_t in, int64_t out);
  // Rows [r0, r0 + rows) of a [R, C] matrix (or vector when cols == 0).
  ValueId rows_of(const std::string& name, const std::vector<float>& m, int64_t cols, int64_t r0,
                  int64_t rows) {
    const int64_t width = cols == 0 ? 1 : cols;
    std::vector<float> part(m.begin() + r0 * width, m.begin() + (r0 + rows) * width);
    return constant(name, cols == 0 ? std::vector<int64_t>{rows} : std::vector<int64_t>{rows, cols}, part);
  }

  // The rows of heads `heads` (head_dim rows each) of the block starting at row r0 of a
  // [R, cols] matrix (a vector when cols == 0).
  ValueId head_rows(const std::string& name, const std::vector<float>& m, int64_t cols, int64_t r0,
                    const std::vector<int64_t>& heads) {
    const int64_t width = cols == 0 ? 1 : cols, D = c_.head_dim;
    const int64_t rows = static_cast<int64_t>(heads.size()) * D;
    std::vector<float> part;
    part.reserve(static_cast<size_t>(rows * width));
    for (int64_t h : heads) {
      const auto first = m.begin() + (r0 + h * D) * width;
      part.insert(part.end(), first, first + D * width);
    }
    return constant(name, cols == 0 ? std::vector<int64_t>{rows} : std::vector<int64_t>{rows, cols}, part);
  }
  // The columns of heads `heads` of an output projection [hidden, heads * head_dim].
  ValueId head_cols(const std::string& name, const std::vector<float>& m, const std::vector<int64_t>& heads) {
    const int64_t D = c_.head_dim, in = c_.heads * D, kept = static_cast<int64_t>(heads.size()) * D;
    std::vector<float> part;
    part.reserve(static_cast<size_t>(c_.hidden * kept));
    for (int64_t r = 0; r < c_.hidden; ++r) {
      for (int64_t h : heads) {
        const auto first = m.begin() + r * in + h * D;
        part.insert(part.end(), first, first + D);
      }
    }
    return constant(name, {c_.hidden, kept}, part);
  }
  // GPT-2 Conv1D weight [in, out] -> [out, in] floats.
  Result<std::vector<float>> conv1d_floats(const std::string& name, int64_t in, int64_t out) {
    MINT_ASSIGN_OR_RETURN(std::vector<float> v, read(name, {in, out}));
    std::vector<float> t(v.size());
    for (int64_t i = 0; i < in; ++i) {
      for (int64_t j = 0; j < out; ++j) t[j * in + i] = v[i * out + j];
    }
    return t;
  }

  std::string gpt2_name(const std::string& suffix) const {
    if (ck_.find("transformer." + suffix) != nullptr) return "transformer." + suffix;
    return suffix;
  }

  Status load_weights() {
    const int64_t H = c_.hidden, D = c_.head_dim, I = c_.intermediate, V = c_.vocab_size;
    const int64_t qw = c_.heads * D, kw = c_.kv_heads * D;
    if (c_.family == Family::kGpt2) {
      MINT_ASSIGN_OR_RETURN(wte_, weight(gpt2_name("wte.weight"), {V, H}));
      MINT_ASSIGN_OR_RETURN(wpe_, weight(gpt2_name("wpe.weight"), {c_.max_positions, H}));
      for (int64_t l = 0; l < c_.layers; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        Layer L;
        MINT_ASSIGN_OR_RETURN(L.norm1, weight(gpt2_name(p + "ln_1.weight"), {H}));
        MINT_ASSIGN_OR_RETURN(L.norm1_b, weight(gpt2_name(p + "ln_1.bias"), {H}));
        MINT_ASSIGN_OR_RETURN(L.norm2, weight(gpt2_name(p + "ln_2.weight"), {H}));
        MINT_ASSIGN_OR_RETURN(L.norm2_b, weight(gpt2_name(p + "ln_2.bias"), {H}));
        const std::string attn = gpt2_name(p + "attn.c_attn.weight");
        MINT_ASSIGN_OR_RETURN(std::vector<float> w, read(attn, {H, 3 * H}));
        MINT_ASSIGN_OR_RETURN(std::vector<float> bias, read(gpt2_name(p + "attn.c_attn.bias"), {3 * H}));
        std::vector<float> wt(w.size());  // [3H, H]
        for (int64_t i = 0; i < H; ++i) {
          for (int64_t j = 0; j < 3 * H; ++j) wt[j * H + i] = w[i * 3 * H + j];
        }
        const std::vector<int64_t>& kept = heads_[l].q;  // kv_heads == heads in GPT-2
        Linear* qkv[3] = {&L.q, &L.k, &L.v};
        for (int64_t s = 0; s < 3; ++s) {
          qkv[s]->w = head_rows(attn + ":" + "qkv"[s], wt, H, s * H, kept);
          qkv[s]->b = head_rows(attn + ":" + "qkv"[s] + ".bias", bias, 0, s * H, kept);
        }
        const std::string proj = gpt2_name(p + "attn.c_proj.weight");
        MINT_ASSIGN_OR_RETURN(std::vector<float> o, conv1d_floats(proj, H, H));
        L.o.w = head_cols(proj, o, kept);
        MINT_ASSIGN_OR_RETURN(L.o.b, weight(gpt2_name(p + "attn.c_proj.bias"), {H}));
        MINT_ASSIGN_OR_RETURN(L.up.w, conv1d_weight(gpt2_name(p + "mlp.c_fc.weight"), H, I));
        MINT_ASSIGN_OR_RETURN(L.up.b, weight(gpt2_name(p + "mlp.c_fc.bias"), {I}));
        MINT_ASSIGN_OR_RETURN(L.down.w, conv1d_weight(gpt2_name(p + "mlp.c_proj.weight"), I, H));
        MINT_ASSIGN_OR_RETURN(L.down.b, weight(gpt2_name(p + "mlp.c_proj.bias"), {H}));
        layers_.push_back(L);
      }
      MINT_ASSIGN_OR_RETURN(norm_, weight(gpt2_name("ln_f.weight"), {H}));
      MINT_ASSIGN_OR_RETURN(norm_b_, weight(gpt2_name("ln_f.bias"), {H}));
    } else {
      MINT_ASSIGN_OR_RETURN(wte_, weight("model.embed_tokens.weight", {V, H}));
      for (int64_t l = 0; l < c_.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        Layer L;
        const Heads& kept = heads_[l];
        MINT_ASSIGN_OR_RETURN(L.norm1, weight(p + "input_layernorm.weight", {H}));
        MINT_ASSIGN_OR_RETURN(L.norm2, weight(p + "post_attention_layernorm.weight", {H}));
        if (c_.family == Family::kPhi3) {
          const std::string qkv = p + "self_attn.qkv_proj.weight";
          MINT_ASSIGN_OR_RETURN(std::vector<float> w, read(qkv, {qw + 2 * kw, H}));
          L.q.w = head_rows(qkv + ":q", w, H, 0, kept.q);
          L.k.w = head_rows(qkv + ":k", w, H, qw, kept.kv);
          L.v.w = head_rows(qkv + ":v", w, H, qw + kw, kept.kv);
          const std::string gu = p + "mlp.gate_up_proj.weight";
          MINT_ASSIGN_OR_RETURN(std::vector<float> g, read(gu, {2 * I, H}));
          L.gate.w = rows_of(gu + ":gate", g, H, 0, I);
          L.up.w = rows_of(gu + ":up", g, H, I, I);
        } else {
          const char* names[3] = {"q_proj", "k_proj", "v_proj"};
          Linear* qkv[3] = {&L.q, &L.k, &L.v};
          for (int s = 0; s < 3; ++s) {
            const std::string n = p + "self_attn." + names[s];
            const int64_t rows = s == 0 ? qw : kw;
            const std::vector<int64_t>& hs = s == 0 ? kept.q : kept.kv;
            MINT_ASSIGN_OR_RETURN(std::vector<float> w, read(n + ".weight", {rows, H}));
            qkv[s]->w = head_rows(n + ".weight", w, H, 0, hs);
            if (c_.qkv_bias) {
              MINT_ASSIGN_OR_RETURN(std::vector<float> b, read(n + ".bias", {rows}));
              qkv[s]->b = head_rows(n + ".bias", b, 0, 0, hs);
            }
          }
          MINT_ASSIGN_OR_RETURN(L.gate.w, weight(p + "mlp.gate_proj.weight", {I, H}));
          MINT_ASSIGN_OR_RETURN(L.up.w, weight(p + "mlp.up_proj.weight", {I, H}));
        }
        MINT_ASSIGN_OR_RETURN(std::vector<float> o, read(p + "self_attn.o_proj.weight", {H, qw}));
        L.o.w = head_cols(p + "self_attn.o_proj.weight", o, kept.q);
        if (c_.o_bias) {
          MINT_ASSIGN_OR_RETURN(L.o.b, weight(p + "self_attn.o_proj.bias", {H}));
        }
        MINT_ASSIGN_OR_RETURN(L.down.w, weight(p + "mlp.down_proj.weight", {H, I}));
        layers_.push_back(L);
      }
      MINT_ASSIGN_OR_RETURN(norm_, weight("model.norm.weight", {H}));
    }
    if (ck_.find("lm_head.weight") != nullptr) {
      MINT_ASSIGN_OR_RETURN(lm_head_, weight("lm_head.weight", {V, H}));
    } else if (c_.tied) {
      lm_head_ = wte_;
    } else {
      return Status::invalid_argument("checkpoint has no tensor 'lm_head.weight' and config.json sets tie_word_embeddings false");
    }
    return b_.status();
  }

  // ---- graph ----
  void segment(const std::string& name, int64_t rows) {
    b_.begin_segment(name);
    const std::string p = name + ".";
    const ValueId tokens = b_.input(p + "tokens", DType::i32, {rows});
    const ValueId positions = b_.input(p + "positions", DType::i32, {rows});
    const ValueId count = b_.input(p + "count", DType::i32, {1});
    const int D = static_cast<int>(c_.head_dim);
    const float eps = static_cast<float>(c_.norm_eps);
    const bool gpt2 = c_.family == Family::kGpt2;
    ValueId x = b_.embedding(wte_, tokens, p + "embed");
    if (gpt2) x = b_.add(x, b_.embedding(wpe_, positions, p + "wpe"), p + "embed_pos");
    auto fc = [&](ValueId in, const Linear& lin, const std::string& n) {
      return b_.fully_connected(in, lin.w, lin.b, plan::Activation::none, n);
    };
    for (size_t l = 0; l < layers_.size(); ++l) {
      const Layer& L = layers_[l];
      const Cache& C = caches_[l];
      const int H = static_cast<int>(heads_[l].q.size()), KV = static_cast<int>(heads_[l].kv.size());
      const std::string q = p + "l" + std::to_string(l) + ".";
      const ValueId h = gpt2 ? b_.layer_norm(x, L.norm1, L.norm1_b, eps, q + "norm1")
                             : b_.rms_norm(x, L.norm1, eps, q + "norm1");
      ValueId qv = fc(h, L.q, q + "q"), kv = fc(h, L.k, q + "k");
      const ValueId vv = fc(h, L.v, q + "v");
      if (!gpt2) {
        const int rot = static_cast<int>(c_.rotary_dim);
        const float theta = static_cast<float>(c_.rope_theta);
        qv = b_.rope(qv, positions, H, D, rot, theta, q + "rope_q");
        kv = b_.rope(kv, positions, KV, D, rot, theta, q + "rope_k");
      }
      std::vector<ValueId> in = {qv, kv, vv, C.k, C.v, positions, count};
      if (C.ks != kInvalidValue) {
        in.push_back(C.ks);
        in.push_back(C.vs);
      }
      const ValueId a = b_.attention(in, H, KV, D, 1.0f / std::sqrt(static_cast<float>(D)), q + "attn");
      x = b_.add(x, fc(a, L.o, q + "o"), q + "res1");
      const ValueId h2 = gpt2 ? b_.layer_norm(x, L.norm2, L.norm2_b, eps, q + "norm2")
                              : b_.rms_norm(x, L.norm2, eps, q + "norm2");
      ValueId m;
      if (gpt2) {
        m = b_.gelu(fc(h2, L.up, q + "fc"), c_.gelu_tanh, q + "gelu");
      } else {
        m = b_.mul(b_.silu(fc(h2, L.gate, q + "gate"), q + "silu"), fc(h2, L.up, q + "up"), q + "swiglu");
      }
      x = b_.add(x, fc(m, L.down, q + "down"), q + "res2");
    }
    ValueId last = b_.gather_last(x, count, p + "last");
    last = gpt2 ? b_.layer_norm(last, norm_, norm_b_, eps, p + "norm")
                : b_.rms_norm(last, norm_, eps, p + "norm");
    const ValueId logits = b_.fully_connected(last, lm_head_, kInvalidValue, plan::Activation::none, p + "logits");
    b_.output(logits);
  }

  const DecoderConfig& c_;
  const Checkpoint& ck_;
  const HfImportOptions& o_;
  GraphBuilder b_;
  ValueId wte_ = kInvalidValue, wpe_ = kInvalidValue, norm_ = kInvalidValue, norm_b_ = kInvalidValue;
  ValueId lm_head_ = kInvalidValue;
  std::vector<Layer> layers_;
  std::vector<Cache> caches_;
  std::vector<Heads> heads_;
};

Result<ValueId> DecoderBuilder::conv1d_weight(const std::string& name, int64_t in, int64_t out) {
  MINT_ASSIGN_OR_RETURN(std::vector<float> t, conv1d_floats(name, in, out));
  return constant(name, {out, in}, t);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string input_name(const Graph& graph, plan::OpCode code, const std::string& node_name, size_t i) {
  for (const Node& node : graph.nodes) {
    if (node.code == code && node.name == node_name && node.inputs.size() > i && node.inputs[i] >= 0) {
      return graph.values[node.inputs[i]].name;
    }
  }
  return "";
}

// HfImportOptions::kept_heads against the config (hf_import.h).
Status check_kept_heads(const DecoderConfig& c, const std::vector<std::vector<int64_t>>& kept) {
  if (kept.empty()) return Status::ok();
  if (static_cast<int64_t>(kept.size()) != c.layers) {
    return Status::invalid_argument("kept heads are given for " + std::to_string(kept.size()) +
                                    " layers, the model has " + std::to_string(c.layers));
  }
  const int64_t group = c.heads / c.kv_heads;
  for (size_t l = 0; l < kept.size(); ++l) {
    const std::string where = "layer " + std::to_string(l) + ": ";
    if (kept[l].empty()) return Status::invalid_argument(where + "keeps no attention head");
    std::vector<int64_t> per_group(static_cast<size_t>(c.kv_heads), 0);
    for (size_t i = 0; i < kept[l].size(); ++i) {
      const int64_t h = kept[l][i];
      if (h < 0 || h >= c.heads || (i > 0 && h <= kept[l][i - 1])) {
        return Status::invalid_argument(where + "kept heads must be ascending indices in [0, " +
                                        std::to_string(c.heads) + ")");
      }
      ++per_group[static_cast<size_t>(h / group)];
    }
    const int64_t n = *std::max_element(per_group.begin(), per_group.end());
    for (int64_t k : per_group) {
      if (k != 0 && k != n) {
        return Status::invalid_argument(where + "the kept heads fill their KV groups of " + std::to_string(group) +
                                        " unequally (each kept group must keep the same number)");
      }
    }
  }
  return Status::ok();
}

}  // namespace

std::string hf_embedding_table_name(const Graph& graph) {
  return input_name(graph, plan::OpCode::embedding, "decode.embed", 0);
}

std::string hf_head_weight_name(const Graph& graph) {
  return input_name(graph, plan::OpCode::fully_connected, "decode.logits", 1);
}

bool is_hf_checkpoint_dir(const std::string& dir) { return file_exists(dir + "/config.json"); }

Result<Graph> import_hf_checkpoint(const std::string& dir, const HfImportOptions& options) {
  const std::string config_path = dir + "/config.json";
  MINT_ASSIGN_OR_RETURN(std::string text, hf::read_text_file(config_path, 1u << 20));
  MINT_ASSIGN_OR_RETURN(DecoderConfig config, hf::parse_decoder_config(text, config_path));
  HfImportOptions o = options;
  if (o.context == 0) o.context = std::min<int64_t>(config.max_positions, 2048);
  if (o.context < 1 || o.context > config.max_positions) {
    return Status::invalid_argument("context " + std::to_string(o.context) + " is outside [1, " +
                                    std::to_string(config.max_positions) +
                                    "] (the model's max_position_embeddings / n_positions)");
  }
  if (config.sliding_window > 0 && o.context > config.sliding_window) {
    return Status::invalid_argument("context " + std::to_string(o.context) + " exceeds the sliding_window " +
                                    std::to_string(config.sliding_window) + " of '" + config_path +
                                    "' (sliding-window attention is not supported)");
  }
  if (o.prefill_chunks.empty()) return Status::invalid_argument("no prefill chunk given");
  for (int64_t& t : o.prefill_chunks) {
    if (t < 2 || t > 4096) {
      return Status::invalid_argument("prefill chunk " + std::to_string(t) + " is outside [2, 4096]");
    }
    t = std::max<int64_t>(2, std::min(t, o.context));
  }
  std::sort(o.prefill_chunks.begin(), o.prefill_chunks.end());
  o.prefill_chunks.erase(std::unique(o.prefill_chunks.begin(), o.prefill_chunks.end()), o.prefill_chunks.end());
  if (o.kv_cache != DType::f32 && o.kv_cache != DType::f16 && o.kv_cache != DType::i8) {
    return Status::invalid_argument("the KV cache must be f32, f16 or i8");
  }
  MINT_RETURN_IF_ERROR(check_kept_heads(config, o.kept_heads));
  MINT_ASSIGN_OR_RETURN(Checkpoint ck, Checkpoint::open(dir));
  DecoderBuilder builder(config, ck, o);
  MINT_ASSIGN_OR_RETURN(Graph graph, builder.build());
  std::vector<std::string> eos;
  for (int64_t id : config.eos_token_ids) eos.push_back(std::to_string(id));
  std::vector<std::string> tokenizer_files;
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt",
                        "tokenizer.model", "special_tokens_map.json", "generation_config.json"}) {
    if (file_exists(dir + "/" + f)) tokenizer_files.push_back(f);
  }
  const char* cache = o.kv_cache == DType::f32 ? "f32" : o.kv_cache == DType::f16 ? "f16" : "int8";
  graph.metadata["mint.text"] = "1";
  graph.metadata["text.vocab_size"] = std::to_string(config.vocab_size);
  graph.metadata["text.context_length"] = std::to_string(o.context);
  graph.metadata["text.prefill_chunk"] = std::to_string(o.prefill_chunks.back());
  std::vector<std::string> chunks;
  for (int64_t t : o.prefill_chunks) chunks.push_back(std::to_string(t));
  graph.metadata["text.prefill_chunks"] = join(chunks);
  graph.metadata["text.kv_cache"] = cache;
  graph.metadata["text.eos_token_ids"] = join(eos);
  graph.metadata["text.bos_token_id"] = std::to_string(config.bos_token_id);
  graph.metadata["hf.model_type"] = config.model_type;
  graph.metadata["hf.checkpoint_files"] = join(ck.files());
  graph.metadata["hf.tokenizer_files"] = join(tokenizer_files);
  graph.metadata["hf.checkpoint_dir"] = dir;
  return graph;
}

}  // namespace mint::compiler
