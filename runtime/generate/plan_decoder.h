// A TokenDecoder backed by a session of a text-generation plan (the Hugging Face importer's
// output: prefill and decode graphs over one KV cache held as session state).
//
// make_plan_decoder(session): invalid_argument when the session's plan is not a text plan
// (is_text_plan false), else a decoder that runs the session; the session must outlive it
// and must not be run by anything else meanwhile.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "runtime/generate/decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace mint::generate {

bool is_text_plan(const Model& model);
Result<std::unique_ptr<TokenDecoder>> make_plan_decoder(Session& session);

// What one run of a segment costs beyond its rows, in rows: reading every weight once. On
// GPT-2 Small int8 (docs/benchmarks.md, "Prefill chunks") a run of T rows took about
// 6 ms + 0.4 ms * T (prompts of 8, 32 and 128 tokens at 1 thread), some 15 rows.
inline constexpr size_t kRunCostRows = 16;

// How the decoder splits `count` tokens over its segments: the rows of each run in order, a run
// of T rows taking min(T, tokens left) of them (the rest padding), 1 being the decode segment.
// `chunks` are the prefill segments' rows, ascending (empty: decode steps only). While twice
// the largest chunk or more is left, the largest runs; the rest is split at the least
// (rows run, padding included) + kRunCostRows per run, by dynamic programming, largest runs
// first (so only the last run is padded): with chunks 8, 32, 128, 33 tokens run as 32 + 1, 31
// as one padded 32, 72 as 32 + 32 + 8.
std::vector<size_t> split_into_runs(const std::vector<size_t>& chunks, size_t count);

}  // namespace mint::generate
