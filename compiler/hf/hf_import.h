// The Hugging Face frontend: a checkpoint directory (config.json + model.safetensors or a
// sharded model.safetensors.index.json) of a decoder-only language model -> a text plan Graph
// for compile() (compiler/compile.h).
//
// Architectures (compiler/hf/config.h): GPT-2 (Conv1D weights [in, out], transposed here;
// learned position embeddings; LayerNorm; tanh GELU; lm_head tied to wte), Llama and its
// relatives Mistral and Qwen2 (RMSNorm, RoPE rotate_half with rope_theta, SwiGLU MLP,
// grouped-query attention, Qwen2's q/k/v biases), Phi-3 (fused qkv_proj and gate_up_proj,
// split here by rows). Tensor names follow transformers (GPT-2's with or without the
// "transformer." prefix); lm_head.weight is used when present, else the tied embedding.
//
// The graph's segments share every weight and the KV cache (schema/plan.fbs Segment;
// docs/plan-format.md "Text plans"):
//   "prefill":     inputs tokens i32 [T], positions i32 [T], count i32 [1], T the largest of
//                  HfImportOptions::prefill_chunks;
//   "decode":      the same with 1 row;
//   "prefill_<T>": the same with T rows, for each smaller prefill chunk (after "decode");
//   each outputs logits f32 [1, vocab] of row count - 1. Rows t < count are the tokens at
//   positions[t] = positions[0] + t; the others are padding (ids and positions must still be in
//   range; their results are ignored).
// Per layer the KV cache is two state values [context, kv_heads * head_dim] of the chosen
// dtype (f32, f16, or i8 with [context, kv_heads] f32 scales per row). Metadata: mint.text=1,
// text.vocab_size, text.context_length, text.prefill_chunk (the largest T), text.prefill_chunks
// (every T, ascending, comma-separated), text.kv_cache, text.eos_token_ids,
// text.bos_token_id, hf.model_type, hf.checkpoint_files, hf.tokenizer_files (tokenizer files
// present in the directory, comma-separated, for the tokenizer-in-plan to embed).
//
// Node names: "<segment>.l<L>.attn" is layer L's attention ([rows, heads * head_dim] output),
// "<segment>.l<L>.o" its output projection (input 1 the f32 weight [hidden, heads * head_dim]).
//
// Errors name the file, tensor or key: a missing or misshaped tensor is invalid_argument
// ("tensor 'model.layers.0.self_attn.q_proj.weight' in '.../model.safetensors' has shape
// [8,16], want [16,16]"), an unknown model_type unsupported, a context longer than the model's
// positions (or a sliding window) invalid_argument.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "runtime/tensor.h"

namespace mint::compiler {

struct HfImportOptions {
  int64_t context = 0;          // KV cache positions; 0: min(max positions, 2048)
  // Rows of the prefill segments, each in [2, 4096], any order (duplicates count once); one
  // above the context is lowered to it (but not below 2). A run costs about the same to read
  // the weights whatever its rows, so long prompts want a large chunk and short ones a small
  // one: runtime/generate/plan_decoder.cc picks per prompt.
  std::vector<int64_t> prefill_chunks = {8, 32, 128};
  DType kv_cache = DType::f32;  // f32, f16 or i8
  // Structured attention-head pruning (compiler/hf/prune_heads.h): the query heads each layer
  // keeps, ascending indices into the checkpoint's heads; empty: every head of every layer.
  // Otherwise one non-empty list per layer whose heads fill the KV groups they touch equally
  // (a group being the heads/kv_heads query heads sharing one KV head): the KV heads of the
  // touched groups are kept, in order. The layer's q/k/v rows (and biases) of the removed
  // heads and groups and the matching o_proj / c_proj input columns are dropped; its rope and
  // attention take the kept counts, its KV cache [context, kept_kv_heads * head_dim].
  std::vector<std::vector<int64_t>> kept_heads;
};

// The names of the token embedding table (the decode segment's embedding) and of the output
// head's weight (the logits fully_connected) of an imported graph, for
// CompileOptions::embedding_tables / weight_overrides; empty if the graph has none. With tied
// embeddings both are the one f32 value.
std::string hf_embedding_table_name(const Graph& graph);
std::string hf_head_weight_name(const Graph& graph);

Result<Graph> import_hf_checkpoint(const std::string& dir, const HfImportOptions& options);

// True if `dir` looks like a checkpoint directory (has config.json).
bool is_hf_checkpoint_dir(const std::string& dir);

}  // namespace mint::compiler
