// Token sampling: logits -> one token id, deterministic for a seed.
//
// Xoshiro256
//   xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64 from one 64-bit seed, so
//   every seed (0 included) gives a valid, well-mixed state. next() is the raw 64-bit output;
//   uniform() is a double in [0, 1) from its top 53 bits. The same seed gives the same stream
//   on every platform and build.
//
// Sampler (one per generation; it owns its scratch memory and RNG state)
//   create(options) checks the options: temperature finite and >= 0; top_k >= 0; top_p in
//   (0, 1]; repetition_penalty finite and > 0. Anything else is invalid_argument naming the field.
//
//   sample(logits, vocab, history, history_size) picks one id in [0, vocab). The steps, in the
//   order of Hugging Face's logits processors and llama.cpp's sampler chain:
//     1. repetition penalty (when != 1): every DISTINCT id among the last
//        `repetition_window` tokens of `history` (all of it when the window is 0) has its logit
//        divided by the penalty when positive and multiplied by it when negative (HF's
//        RepetitionPenaltyLogitsProcessor, llama.cpp's penalty_repeat);
//     2. temperature == 0: greedy, the id of the largest logit (the lowest such id on ties);
//        steps 3-5 are skipped and no random number is drawn;
//     3. top-k (when 0 < top_k < vocab): keep the k largest logits;
//     4. top-p (when < 1): sort the kept tokens by probability (softmax of logit / temperature),
//        keep the shortest prefix whose cumulative probability reaches top_p (at least one);
//     5. draw u = uniform() once and return the kept token at which the cumulative softmax
//        probability (logit / temperature, renormalized over the kept tokens) first exceeds
//        u * total.
//   The walk in step 5 goes over the kept tokens by logit descending, then id ascending, when
//   top-k or top-p applied, and by id otherwise; both orders are total, so results do not depend
//   on the standard library's sort. top-p sorts only as far as the nucleus reaches (64 tokens,
//   then 16 times more a round). +infinity logits, if any, are the only candidates, with equal
//   weight. NaN logits are treated as -infinity; -infinity logits are never picked.
//   Errors: invalid_argument for a null pointer, vocab == 0, an id in the penalty's window
//   outside [0, vocab) (checked when the penalty applies), or every logit NaN or -infinity.
//   The caller's logits are not modified. The result for a given (seed, sequence of calls) is
//   the same on every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/status.h"

namespace mint::generate {

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed = 0);
  uint64_t next();
  double uniform();  // [0, 1)

 private:
  uint64_t s_[4];
};

struct SamplerOptions {
  float temperature = 1.0f;         // 0: greedy
  int32_t top_k = 0;                // 0: off
  float top_p = 1.0f;               // 1: off
  float repetition_penalty = 1.0f;  // 1: off
  size_t repetition_window = 0;     // last tokens the penalty looks at; 0: the whole history
  uint64_t seed = 0;
};

class Sampler {
 public:
  static Result<Sampler> create(const SamplerOptions& options);
  static Status check(const SamplerOptions& options);

  Result<int32_t> sample(const float* logits, size_t vocab, const int32_t* history,
                         size_t history_size);

  const SamplerOptions& options() const { return options_; }

 private:
  template <typename>
  friend class ::mint::Result;
  Sampler() = default;

  SamplerOptions options_;
  Xoshiro256 rng_;
  std::vector<float> work_;                            // penalized logits
  std::vector<uint8_t> seen_;                          // per id: penalized already this call
  std::vector<std::pair<float, int32_t>> candidates_;  // (logit, id)
  std::vector<double> probs_;
};

}  // namespace mint::generate
