// Text-generation metrics as pure functions (no model inside: callers pass texts or a logits
// callback).
//
// corpus_bleu
//   Corpus BLEU exactly as sacrebleu 2.x computes it with its defaults
//   (sacrebleu.corpus_bleu(hyps, refs): 4-gram, smooth_method='exp', tokenize='13a',
//   lowercase=False, effective_order=False):
//   - each segment is right-stripped and tokenized with tokenize_13a, then split on whitespace;
//   - per segment: clipped n-gram matches against the maximum count over the references,
//     hypothesis n-gram totals, hypothesis length, and the closest reference length (ties go
//     to the shorter reference); all summed over the corpus;
//   - precision_n = 100 * correct_n / total_n; if correct_n == 0 the 'exp' smoothing uses
//     100 / (2^k * total_n) for the k-th such order; if total_n == 0 that order and all later
//     ones stay 0 (log 0 is floored at -9999999999, so the score is ~0); no match at all
//     gives 0;
//   - BP = exp(1 - ref_len / sys_len) if sys_len < ref_len (0 if sys_len == 0), else 1;
//   - score = BP * exp(mean of log precision_n), in 0..100.
//   refs[k] is the k-th reference stream (sacrebleu's layout): refs[k][i] is a reference of
//   hyps[i]; every stream must have hyps.size() entries. smooth_none gives
//   smooth_method='none'.
//
// tokenize_13a
//   sacrebleu's Tokenizer13a (mteval-v13a): removes "<skipped>" and "-\n", turns "\n" into a
//   space, unescapes &quot; &amp; &lt; &gt;, pads ASCII punctuation and symbols with spaces,
//   splits '.' and ',' unless between digits, splits '-' after a digit, and collapses
//   whitespace. Text is UTF-8; whitespace is Python's str.split() set (ASCII and the Unicode
//   space characters).
//
// distinct_n
//   Over a set of texts, each split on whitespace (Python's str.split()): the number of
//   distinct n-grams over all texts divided by the total number of n-grams (each text
//   contributes max(0, tokens - n + 1)). 0 when there is no n-gram at all.
//
// perplexity
//   Over a token stream, as llama.cpp's llama-perplexity computes it:
//   - default (stride 0): the stream is cut into n_chunks = tokens / n_ctx windows of n_ctx
//     tokens, [i n_ctx, (i + 1) n_ctx); with a BOS id the first token of each window is
//     replaced by BOS before the logits are computed; in each window the logits at positions
//     j = n_ctx/2 .. n_ctx-2 score the next token (window[j + 1]), i.e. only the second half
//     of every window is scored, always with at least n_ctx/2 tokens of context;
//   - stride s (llama-perplexity --ppl-stride s, 0 < s < n_ctx): windows of n_ctx tokens
//     start every s tokens, n_chunks = (tokens - n_ctx + s - 1) / s, and positions
//     j = n_ctx - s - 1 .. n_ctx - 2 are scored (the last s tokens of each window); llama.cpp
//     sets its BOS only after evaluating the window in this mode, so no BOS is applied here;
//   - both need tokens.size() >= 2 n_ctx, as llama.cpp does; max_chunks > 0 caps the count;
//   - log p = (l[t] - max l) - log(sum exp(l - max l)) (float differences, double sum, as
//     llama.cpp's log_softmax); perplexity = exp(mean of -log p over all scored tokens).
//   `logits(window, out)` must fill out with window.size() x vocab floats: row j is the
//   model's prediction after window[0..j]. A failing callback stops the computation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace mint::eval {

std::string tokenize_13a(const std::string& line);
// Python str.split() on UTF-8 text.
std::vector<std::string> split_whitespace(const std::string& text);

enum class BleuSmooth { kExp, kNone };

struct BleuScore {
  double score = 0.0;  // 0..100
  double bp = 0.0;
  std::array<double, 4> precisions{};  // percent
  std::array<uint64_t, 4> correct{}, total{};
  uint64_t sys_len = 0, ref_len = 0;
};

Result<BleuScore> corpus_bleu(const std::vector<std::string>& hyps,
                              const std::vector<std::vector<std::string>>& refs,
                              BleuSmooth smooth = BleuSmooth::kExp);

struct Distinct {
  uint64_t unique = 0, total = 0;
  double ratio = 0.0;
};
Result<Distinct> distinct_n(const std::vector<std::string>& texts, size_t n);

struct PerplexityOptions {
  size_t n_ctx = 512;
  size_t stride = 0;      // 0: llama-perplexity's default; else --ppl-stride
  int32_t bos = -1;       // >= 0: BOS token id put first in each window (default mode)
  size_t max_chunks = 0;  // 0: all
};

struct Perplexity {
  double ppl = 0.0;
  double mean_nll = 0.0;
  uint64_t scored = 0;
  size_t chunks = 0;
};

using WindowLogitsFn =
    std::function<Status(const std::vector<int32_t>& window, std::vector<float>* logits)>;

Result<Perplexity> perplexity(const std::vector<int32_t>& tokens, size_t vocab,
                              const WindowLogitsFn& logits, const PerplexityOptions& options);

}  // namespace mint::eval
