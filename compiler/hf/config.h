// config.json of a Hugging Face decoder-only checkpoint, reduced to what the graph needs.
//
// parse_decoder_config(text, path) accepts model_type gpt2, llama, mistral, qwen2 and phi3
// ("architectures", if present, must list GPT2LMHeadModel, LlamaForCausalLM,
// MistralForCausalLM, Qwen2ForCausalLM or Phi3ForCausalLM, as the type wants) and rejects,
// with an unsupported / invalid_argument Status naming the file and key: any other
// model_type or head, missing or non-integer sizes, num_attention_heads not dividing
// hidden_size (without head_dim), num_attention_heads not a multiple of num_key_value_heads,
// an activation other than gelu_new / gelu_pytorch_tanh / gelu (gpt2) or silu (the others),
// rope_scaling other than null, a partial_rotary_factor giving an odd rotary dimension,
// use_sliding_window true, mlp_bias true. Defaults follow transformers' configuration
// classes; the importer checks sliding_window against the context.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace mint::compiler::hf {

enum class Family : uint8_t { kGpt2, kLlama, kPhi3 };  // llama covers mistral and qwen2

struct DecoderConfig {
  std::string model_type;       // as in config.json
  Family family = Family::kLlama;
  int64_t vocab_size = 0, hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0;
  int64_t intermediate = 0, max_positions = 0, rotary_dim = 0;
  double norm_eps = 1e-5, rope_theta = 10000.0;
  bool tied = false;            // lm_head shares the token embedding
  bool qkv_bias = false;        // q/k/v projections have biases (qwen2, llama attention_bias)
  bool o_bias = false;          // o_proj has a bias (llama attention_bias)
  bool gelu_tanh = true;        // gpt2: gelu_new / gelu_pytorch_tanh (true) or erf gelu
  int64_t sliding_window = 0;   // mistral / phi3: attention window (0: none); the importer
                                // rejects contexts longer than it
  std::vector<int64_t> eos_token_ids;
  int64_t bos_token_id = -1;
};

Result<DecoderConfig> parse_decoder_config(const std::string& text, const std::string& path);

}  // namespace mint::compiler::hf
