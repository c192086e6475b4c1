#include "compiler/hf/config.h"

#include <cmath>
#include <utility>

#include "compiler/hf/json.h"

namespace mint::compiler::hf {
namespace {

class Reader {
 public:
  Reader(const JsonValue& root, const std::string& path) : root_(root), path_(path) {}

  Status bad(const std::string& key, const std::string& m) const {
    return Status::invalid_argument("'" + path_ + "': key \"" + key + "\" " + m);
  }
  const JsonValue* get(const std::string& key) const {
    const JsonValue* v = root_.find(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }
  // An integer >= min; `fallback` if absent (a negative fallback means required).
  Result<int64_t> integer(const std::string& key, int64_t fallback, int64_t min = 1) const {
    const JsonValue* v = get(key);
    if (v == nullptr) {
      if (fallback < 0) return bad(key, "is missing");
      return fallback;
    }
    if (!v->is_number() || !v->is_integer) return bad(key, "must be an integer");
    if (v->integer < min || v->integer > (int64_t{1} << 31)) {
      return bad(key, "is " + std::to_string(v->integer) + ", want >= " + std::to_string(min));
    }
    return v->integer;
  }
  Result<double> real(const std::string& key, double fallback) const {
    const JsonValue* v = get(key);
    if (v == nullptr) return fallback;
    if (!v->is_number() || !std::isfinite(v->number) || v->number <= 0) {
      return bad(key, "must be a finite number > 0");
    }
    return v->number;
  }
  Result<bool> boolean(const std::string& key, bool fallback) const {
    const JsonValue* v = get(key);
    if (v == nullptr) return fallback;
    if (v->kind != JsonValue::Kind::kBool) return bad(key, "must be true or false");
    return v->boolean;
  }
  Result<std::string> string(const std::string& key, const std::string& fallback) const {
    const JsonValue* v = get(key);
    if (v == nullptr) return fallback;
    if (!v->is_string()) return bad(key, "must be a string");
    return v->string;
  }
  std::vector<int64_t> ids(const std::string& key) const {
    std::vector<int64_t> out;
    const JsonValue* v = get(key);
    if (v == nullptr) return out;
    if (v->is_integer) out.push_back(v->integer);
    for (const JsonValue& e : v->array) {
      if (e.is_integer) out.push_back(e.integer);
    }
    return out;
  }

 private:
  const JsonValue& root_;
  const std::string& path_;
};

}  // namespace

Result<DecoderConfig> parse_decoder_config(const std::string& text, const std::string& path) {
  MINT_ASSIGN_OR_RETURN(JsonValue root, parse_json(text, path));
  if (!root.is_object()) return Status::invalid_argument("'" + path + "' is not a JSON object");
  const Reader r(root, path);
  DecoderConfig c;
  MINT_ASSIGN_OR_RETURN(c.model_type, r.string("model_type", ""));
  if (c.model_type.empty()) return r.bad("model_type", "is missing");
  // "architectures", when given, must name the causal-LM head of the model type.
  static const std::pair<const char*, const char*> kHeads[] = {
      {"gpt2", "GPT2LMHeadModel"}, {"llama", "LlamaForCausalLM"}, {"mistral", "MistralForCausalLM"},
      {"qwen2", "Qwen2ForCausalLM"}, {"phi3", "Phi3ForCausalLM"}};
  if (const JsonValue* archs = r.get("architectures"); archs != nullptr && archs->is_array()) {
    for (const auto& [type, head] : kHeads) {
      if (c.model_type != type) continue;
      bool found = false;
      for (const JsonValue& a : archs->array) found = found || (a.is_string() && a.string == head);
      if (!found) {
        return Status::unsupported("'" + path + "': key \"architectures\" does not list " + head +
                                   " (only the causal language-model head is supported)");
      }
    }
  }
  c.eos_token_ids = r.ids("eos_token_id");
  const std::vector<int64_t> bos = r.ids("bos_token_id");
  if (!bos.empty()) c.bos_token_id = bos[0];

  if (c.model_type == "gpt2") {
    c.family = Family::kGpt2;
    MINT_ASSIGN_OR_RETURN(c.vocab_size, r.integer("vocab_size", -1));
    MINT_ASSIGN_OR_RETURN(c.hidden, r.integer("n_embd", -1));
    MINT_ASSIGN_OR_RETURN(c.layers, r.integer("n_layer", -1));
    MINT_ASSIGN_OR_RETURN(c.heads, r.integer("n_head", -1));
    MINT_ASSIGN_OR_RETURN(c.max_positions, r.integer("n_positions", -1));
    MINT_ASSIGN_OR_RETURN(c.intermediate, r.integer("n_inner", 4 * c.hidden));
    MINT_ASSIGN_OR_RETURN(c.norm_eps, r.real("layer_norm_epsilon", 1e-5));
    MINT_ASSIGN_OR_RETURN(c.tied, r.boolean("tie_word_embeddings", true));
    MINT_ASSIGN_OR_RETURN(const std::string act, r.string("activation_function", "gelu_new"));
    if (act == "gelu_new" || act == "gelu_pytorch_tanh") {
      c.gelu_tanh = true;
    } else if (act == "gelu") {
      c.gelu_tanh = false;
    } else {
      return r.bad("activation_function", "is '" + act + "', want gelu_new, gelu_pytorch_tanh or gelu");
    }
    MINT_ASSIGN_OR_RETURN(const bool scale_attn, r.boolean("scale_attn_weights", true));
    MINT_ASSIGN_OR_RETURN(const bool by_layer, r.boolean("scale_attn_by_inverse_layer_idx", false));
    MINT_ASSIGN_OR_RETURN(const bool reorder, r.boolean("reorder_and_upcast_attn", false));
    if (!scale_attn || by_layer || reorder) {
      return r.bad("scale_attn_weights", "and related options must keep GPT-2's default attention scaling");
    }
    if (c.hidden % c.heads != 0) return r.bad("n_head", "does not divide n_embd");
    c.kv_heads = c.heads;
    c.head_dim = c.hidden / c.heads;
    c.qkv_bias = c.o_bias = true;
    return c;
  }

  if (c.model_type == "llama" || c.model_type == "mistral" || c.model_type == "qwen2") {
    c.family = Family::kLlama;
  } else if (c.model_type == "phi3") {
    c.family = Family::kPhi3;
  } else {
    return Status::unsupported("'" + path + "': model_type '" + c.model_type +
                               "' is not supported (want gpt2, llama, mistral, qwen2 or phi3)");
  }
  MINT_ASSIGN_OR_RETURN(c.vocab_size, r.integer("vocab_size", -1));
  MINT_ASSIGN_OR_RETURN(c.hidden, r.integer("hidden_size", -1));
  MINT_ASSIGN_OR_RETURN(c.layers, r.integer("num_hidden_layers", -1));
  MINT_ASSIGN_OR_RETURN(c.heads, r.integer("num_attention_heads", -1));
  MINT_ASSIGN_OR_RETURN(c.kv_heads, r.integer("num_key_value_heads", c.heads));
  MINT_ASSIGN_OR_RETURN(c.intermediate, r.integer("intermediate_size", -1));
  MINT_ASSIGN_OR_RETURN(c.max_positions, r.integer("max_position_embeddings", 2048));
  MINT_ASSIGN_OR_RETURN(c.norm_eps, r.real("rms_norm_eps", 1e-6));
  MINT_ASSIGN_OR_RETURN(c.rope_theta, r.real("rope_theta", 10000.0));
  MINT_ASSIGN_OR_RETURN(c.tied, r.boolean("tie_word_embeddings", false));
  if (c.heads % c.kv_heads != 0) {
    return r.bad("num_key_value_heads", "(" + std::to_string(c.kv_heads) +
                                            ") does not divide num_attention_heads (" +
                                            std::to_string(c.heads) + ")");
  }
  if (r.get("head_dim") != nullptr) {
    MINT_ASSIGN_OR_RETURN(c.head_dim, r.integer("head_dim", -1));
  } else {
    if (c.hidden % c.heads != 0) return r.bad("num_attention_heads", "does not divide hidden_size");
    c.head_dim = c.hidden / c.heads;
  }
  MINT_ASSIGN_OR_RETURN(const std::string act, r.string("hidden_act", "silu"));
  if (act != "silu") return r.bad("hidden_act", "is '" + act + "', want silu");
  if (r.get("rope_scaling") != nullptr) return r.bad("rope_scaling", "is set; only plain RoPE (null) is supported");
  MINT_ASSIGN_OR_RETURN(const double partial, r.real("partial_rotary_factor", 1.0));
  const double rot = static_cast<double>(c.head_dim) * partial;
  c.rotary_dim = static_cast<int64_t>(rot);
  if (partial > 1.0 || c.rotary_dim != rot || c.rotary_dim < 2 || c.rotary_dim % 2 != 0) {
    return r.bad("partial_rotary_factor", "gives a rotary dimension that is not an even integer <= head_dim");
  }
  MINT_ASSIGN_OR_RETURN(const bool sliding, r.boolean("use_sliding_window", false));
  if (sliding) return r.bad("use_sliding_window", "is true; sliding-window attention is not supported");
  if ((c.model_type == "mistral" || c.model_type == "phi3") && r.get("sliding_window") != nullptr) {
    MINT_ASSIGN_OR_RETURN(c.sliding_window, r.integer("sliding_window", -1));
  }
  MINT_ASSIGN_OR_RETURN(const bool mlp_bias, r.boolean("mlp_bias", false));
  if (mlp_bias) return r.bad("mlp_bias", "is true; MLP biases are not supported");
  if (c.model_type == "qwen2") {
    c.qkv_bias = true;
  } else if (c.model_type == "llama") {
    MINT_ASSIGN_OR_RETURN(const bool attention_bias, r.boolean("attention_bias", false));
    c.qkv_bias = c.o_bias = attention_bias;
  }
  return c;
}

}  // namespace mint::compiler::hf
