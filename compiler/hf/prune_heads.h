// Structured attention-head pruning of Hugging Face checkpoints (`mint compile DIR
// --prune-heads R --calibration-text FILE`).
//
// Score. Layer l's attention output is o = sum_h W_o[:, h] c_h (+ bias), where c_h [head_dim]
// is head h's context (its softmax-weighted values) and W_o[:, h] the head_dim columns of the
// output projection (o_proj, GPT-2's c_proj) that read it. The importance of head h is
//   score(l, h) = mean over calibration positions t of || W_o[:, h] c_h(t) ||_2,
// the average size of what the head adds to the residual stream. It is measured on the float
// model: the unpruned f32 plan (f32 KV cache) is compiled with every layer's attention output
// as an extra output of the prefill segment and run through the runtime over the calibration
// text, in windows of the plan's context length (each from position 0, BOS first when the
// tokenizer adds it), in prefill chunks. The text is the first `calibration_tokens` tokens of
// the file as the checkpoint's tokenizer encodes it (the tokenizer the plan embeds). A head
// whose W_o columns are zero scores exactly 0.
//
// Selection (uniform: every layer loses n = round(R * heads) query heads). With grouped-query
// attention (kv_heads groups of g = heads / kv_heads query heads sharing a KV head) the kept
// heads must fill the groups they keep equally, so a layer's removal is a pattern (G, r):
// G whole groups (their KV heads too) and r query heads of every other group, with
// G * g + r * (kv_heads - G) = n, 0 <= G < kv_heads, 0 <= r < g. For each feasible pattern the
// cheapest removal is exact: every group drops its r lowest-scoring heads, and the G groups
// where dropping the rest costs least drop whole; the layer takes the pattern of least removed
// score (ties: more whole groups, which also shrinks the KV cache; then lower head indices).
// Multi-head attention (kv_heads == heads) is G = n: the n lowest-scoring heads. Ties between
// heads go to the lower index.
//
// Errors (invalid_argument, naming the value): R outside [0, 1]; R removing every head of a
// layer (n == heads); an n no pattern reaches (the message lists the removable counts); a
// missing, unreadable or empty calibration file or one giving no tokens; no tokenizer; a graph
// without the importer's attention / projection nodes (hf_import.h names them).
//
// The pruned graph (import_hf_checkpoint_pruned) is the importer's output with
// HfImportOptions::kept_heads set, plus metadata: prune.heads.ratio, prune.heads.removed
// ("L:h,h;L:h" per layer, query-head indices of the checkpoint), prune.heads.kv_removed (the
// same for KV heads), prune.heads.scores ("s,s,..;s,.." per layer) and
// prune.heads.calibration_tokens. R = 0 (or an n of 0) scores, removes nothing and gives the
// unpruned graph with that metadata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "compiler/hf/hf_import.h"
#include "compiler/plan_writer.h"

namespace mint::compiler {

struct HeadPruneOptions {
  double ratio = 0.0;               // R: fraction of query heads removed per layer
  std::string calibration_text;     // path of a UTF-8 text file
  size_t calibration_tokens = 2048; // tokens of it scored (fewer if the file is shorter)
  PlanTokenizer tokenizer;          // the checkpoint's (checkpoint_plan_tokenizer)
};

struct HeadPruneReport {
  int64_t heads = 0, kv_heads = 0;             // per layer, before pruning
  size_t tokens = 0;                           // calibration tokens scored (text, no BOS)
  std::vector<std::vector<double>> scores;     // [layer][query head]
  std::vector<std::vector<int64_t>> removed;   // [layer] query heads removed, ascending
  std::vector<std::vector<int64_t>> kv_removed;  // [layer] KV heads removed, ascending
  std::vector<std::vector<int64_t>> kept;      // [layer] query heads kept (kept_heads)
};

// The first `max_tokens` tokens of a text file under `tokenizer` (no BOS).
Result<std::vector<int32_t>> read_calibration_tokens(const std::string& path, const PlanTokenizer& tokenizer,
                                                     size_t max_tokens);

// score(l, h) as above for an unpruned imported graph (f32 weights). `tokens` are text tokens;
// `bos` >= 0 is put first in every window.
Result<std::vector<std::vector<double>>> score_attention_heads(const Graph& graph,
                                                               const std::vector<int32_t>& tokens,
                                                               int32_t bos);

// The heads each layer removes for `ratio` (selection above); fills report->removed,
// kv_removed and kept from report->scores, heads and kv_heads.
Status select_heads_to_remove(double ratio, HeadPruneReport* report);

// Imports `dir`, scores its heads, selects and imports again without them. `report` (may be
// null) receives the scores and the selection.
Result<Graph> import_hf_checkpoint_pruned(const std::string& dir, const HfImportOptions& options,
                                          const HeadPruneOptions& prune, HeadPruneReport* report);

// Human-readable lines: the scores and removed heads of every layer.
std::string format_head_report(const HeadPruneReport& report);

}  // namespace mint::compiler
