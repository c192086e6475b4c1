// `mint decode-bench PLAN`: times a text plan through the PlanDecoder
// (runtime/generate/plan_decoder.h), the protocol of benchmarks/text/ort_decode.js: one warm-up
// run (16 prompt tokens, 2 decode steps), then `runs` runs, each from an empty context, of a
// prefill of the prompt followed by `tokens` decode steps feeding back the greedy (argmax)
// token. Per run: prefill tokens/s (prompt / time of the prefill and the first argmax, which is
// also the time to first token), decode tokens/s (tokens / time of the decode steps), and the
// process CPU time (user + system, all threads) per prompt / decoded token. Reports the median,
// min and max over the runs (median of an even count: the mean of the two middle values).
// The prompt: `prompt_ids` when given, else `prompt` ids (i * 7919 + 13) mod vocab. Not
// `mint generate`: no tokenizer, no sampling.
//
// json: one JSON object on stdout with those statistics (ort_decode.js's keys), the first 8
// greedy tokens, the peak RSS (VmHWM) of the process after the runs, the plan's bytes, its
// parameters and constant bytes (evaluation/plan_cost.h), the session's persistent state (the
// KV cache, allocated for the whole context; pages are committed when first written) and arena
// bytes, and the context length. Errors (a bad plan, a prompt that does not fit, an id out of
// the vocabulary) are a message on stderr and exit status 1.
//
// profile: after the timed runs, one more run with per-node timing (Session::set_profile):
// the time of the prefill and decode segments' nodes grouped by op, kernel and weight shape,
// on stderr (and under profile_* in the JSON), in ms per prompt and ms per decoded token.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mint::tool {

struct DecodeBenchOptions {
  std::string plan;
  size_t threads = 1, tokens = 64, prompt = 32, runs = 3;
  std::vector<int32_t> prompt_ids;  // empty: `prompt` generated ids
  bool json = false, profile = false;
};

int cmd_decode_bench(const DecodeBenchOptions& options);

}  // namespace mint::tool
