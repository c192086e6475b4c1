#include "evaluation/text_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace mint::eval {
namespace {

// Length of the whitespace character (Python's str.isspace) at s[i], or 0.
size_t space_at(const std::string& s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c < 0xc2) return 0;
  auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  if (c == 0xc2 && (b(1) == 0x85 || b(1) == 0xa0)) return 2;  // U+0085, U+00A0
  if (c == 0xe1 && b(1) == 0x9a && b(2) == 0x80) return 3;    // U+1680
  if (c == 0xe2 && b(1) == 0x80 && (b(2) <= 0x8a || b(2) == 0xa8 || b(2) == 0xa9 || b(2) == 0xaf)) {
    return b(2) >= 0x80 ? 3 : 0;  // U+2000-200A, 2028, 2029, 202F
  }
  if (c == 0xe2 && b(1) == 0x81 && b(2) == 0x9f) return 3;  // U+205F
  if (c == 0xe3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  return 0;
}

std::string rstrip(const std::string& s) {
  // Scan forward, remembering where the last run of whitespace began.
  size_t end = 0, i = 0;
  while (i < s.size()) {
    const size_t k = space_at(s, i);
    if (k) {
      i += k;
    } else {
      ++i;
      end = i;
    }
  }
  return s.substr(0, end);
}

void replace_all(std::string* s, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t hit = s->find(from, pos);
    if (hit == std::string::npos) break;
    out.append(*s, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(*s, pos, std::string::npos);
  *s = std::move(out);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Python re.sub semantics for a pattern of two single-character groups: leftmost,
// non-overlapping matches, scanning resumes after each match.
template <typename First, typename Second, typename Emit>
std::string sub_pairs(const std::string& s, First first, Second second, Emit emit) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      emit(&out, s[i], s[i + 1]);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& tokens, size_t begin, size_t n) {
  std::string key;
  for (size_t k = 0; k < n; ++k) {
    if (k) key += ' ';
    key += tokens[begin + k];
  }
  return key;
}

using NgramCounts = std::unordered_map<std::string, uint32_t>;

// n-grams of orders 1..4 (keys joined by ' ', tokens hold no whitespace).
NgramCounts ngrams(const std::vector<std::string>& tokens) {
  NgramCounts counts;
  for (size_t n = 1; n <= 4; ++n) {
    for (size_t i = 0; i + n <= tokens.size(); ++i)
      counts[std::to_string(n) + "|" + join(tokens, i, n)]++;
  }
  return counts;
}

}  // namespace

std::vector<std::string> split_whitespace(const std::string& text) {
  std::vector<std::string> tokens;
  std::string cur;
  size_t i = 0;
  while (i < text.size()) {
    const size_t k = space_at(text, i);
    if (k) {
      if (!cur.empty()) tokens.push_back(std::move(cur));
      cur.clear();
      i += k;
    } else {
      cur += text[i++];
    }
  }
  if (!cur.empty()) tokens.push_back(std::move(cur));
  return tokens;
}

std::string tokenize_13a(const std::string& input) {
  std::string line = input;
  replace_all(&line, "<skipped>", "");
  replace_all(&line, "-\n", "");
  replace_all(&line, "\n", " ");
  replace_all(&line, "&quot;", "\"");
  replace_all(&line, "&amp;", "&");
  replace_all(&line, "&lt;", "<");
  replace_all(&line, "&gt;", ">");
  line = " " + line + " ";
  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
  std::string padded;
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 0x7b && c <= 0x7e) || (c >= 0x5b && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
        (c >= 0x28 && c <= 0x2b) || (c >= 0x3a && c <= 0x40) || c == 0x2f) {
      padded += ' ';
      padded += ch;
      padded += ' ';
    } else {
      padded += ch;
    }
  }
  auto is_period_comma = [](char c) { return c == '.' || c == ','; };
  auto not_digit = [](char c) { return !is_digit(c); };
  // ([^0-9])([\.,]) -> "\1 \2 "
  line = sub_pairs(padded, not_digit, is_period_comma, [](std::string* o, char a, char b) {
    *o += a;
    *o += ' ';
    *o += b;
    *o += ' ';
  });
  // ([\.,])([^0-9]) -> " \1 \2"
  line = sub_pairs(line, is_period_comma, not_digit, [](std::string* o, char a, char b) {
    *o += ' ';
    *o += a;
    *o += ' ';
    *o += b;
  });
  // ([0-9])(-) -> "\1 \2 "
  line = sub_pairs(
      line, is_digit, [](char c) { return c == '-'; },
      [](std::string* o, char a, char b) {
        *o += a;
        *o += ' ';
        *o += b;
        *o += ' ';
      });
  const std::vector<std::string> tokens = split_whitespace(line);
  return join(tokens, 0, tokens.size());
}

Result<BleuScore> corpus_bleu(const std::vector<std::string>& hyps,
                              const std::vector<std::vector<std::string>>& refs,
                              BleuSmooth smooth) {
  if (refs.empty()) return Status::invalid_argument("corpus_bleu: no reference stream");
  for (size_t k = 0; k < refs.size(); ++k) {
    if (refs[k].size() != hyps.size()) {
      return Status::invalid_argument("corpus_bleu: reference stream " + std::to_string(k) +
                                      " has " + std::to_string(refs[k].size()) +
                                      " segments, hypotheses " + std::to_string(hyps.size()));
    }
  }
  BleuScore r;
  for (size_t i = 0; i < hyps.size(); ++i) {
    NgramCounts ref_max;
    std::vector<size_t> ref_lens;
    for (const auto& stream : refs) {
      const std::vector<std::string> tokens = split_whitespace(tokenize_13a(rstrip(stream[i])));
      ref_lens.push_back(tokens.size());
      for (const auto& [gram, count] : ngrams(tokens))
        ref_max[gram] = std::max(ref_max[gram], count);
    }
    const std::vector<std::string> hyp = split_whitespace(tokenize_13a(rstrip(hyps[i])));
    const size_t hyp_len = hyp.size();
    size_t closest = 0, closest_diff = SIZE_MAX;
    for (size_t len : ref_lens) {
      const size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
      if (diff < closest_diff || (diff == closest_diff && len < closest)) {
        closest_diff = diff;
        closest = len;
      }
    }
    r.sys_len += hyp_len;
    r.ref_len += closest;
    for (const auto& [gram, count] : ngrams(hyp)) {
      const size_t n = size_t(gram[0] - '0');
      const auto it = ref_max.find(gram);
      if (it != ref_max.end()) r.correct[n - 1] += std::min(count, it->second);
    }
    for (size_t n = 1; n <= 4; ++n) r.total[n - 1] += hyp_len >= n ? hyp_len - n + 1 : 0;
  }
  if (r.sys_len < r.ref_len) {
    r.bp = r.sys_len > 0 ? std::exp(1.0 - double(r.ref_len) / double(r.sys_len)) : 0.0;
  } else {
    r.bp = 1.0;
  }
  bool any = false;
  for (uint64_t c : r.correct) any = any || c > 0;
  if (!any) return r;
  double smooth_mteval = 1.0;
  for (size_t n = 0; n < 4; ++n) {
    if (r.total[n] == 0) break;
    if (r.correct[n] == 0) {
      if (smooth == BleuSmooth::kExp) {
        smooth_mteval *= 2.0;
        r.precisions[n] = 100.0 / (smooth_mteval * double(r.total[n]));
      }
    } else {
      r.precisions[n] = 100.0 * double(r.correct[n]) / double(r.total[n]);
    }
  }
  double log_sum = 0.0;
  for (double p : r.precisions) log_sum += p == 0.0 ? -9999999999.0 : std::log(p);
  r.score = r.bp * std::exp(log_sum / 4.0);
  return r;
}

Result<Distinct> distinct_n(const std::vector<std::string>& texts, size_t n) {
  if (n == 0) return Status::invalid_argument("distinct_n: n must be at least 1");
  std::unordered_set<std::string> seen;
  Distinct d;
  for (const std::string& text : texts) {
    const std::vector<std::string> tokens = split_whitespace(text);
    for (size_t i = 0; i + n <= tokens.size(); ++i) {
      seen.insert(join(tokens, i, n));
      ++d.total;
    }
  }
  d.unique = seen.size();
  d.ratio = d.total ? double(d.unique) / double(d.total) : 0.0;
  return d;
}

Result<Perplexity> perplexity(const std::vector<int32_t>& tokens, size_t vocab,
                              const WindowLogitsFn& logits, const PerplexityOptions& options) {
  const size_t n_ctx = options.n_ctx;
  if (n_ctx < 2) return Status::invalid_argument("perplexity: n_ctx must be at least 2");
  if (vocab == 0) return Status::invalid_argument("perplexity: empty vocabulary");
  if (tokens.size() < 2 * n_ctx) {
    return Status::invalid_argument("perplexity: " + std::to_string(tokens.size()) +
                                    " tokens; a context of " + std::to_string(n_ctx) +
                                    " needs at least " + std::to_string(2 * n_ctx));
  }
  const size_t stride = options.stride;
  if (stride >= n_ctx) {
    return Status::invalid_argument("perplexity: stride " + std::to_string(stride) +
                                    " must be below n_ctx " + std::to_string(n_ctx));
  }
  for (int32_t t : tokens) {
    if (t < 0 || size_t(t) >= vocab) {
      return Status::invalid_argument("perplexity: token " + std::to_string(t) +
                                      " outside the vocabulary of " + std::to_string(vocab));
    }
  }
  if (options.bos >= 0 && size_t(options.bos) >= vocab) {
    return Status::invalid_argument("perplexity: BOS id outside the vocabulary");
  }
  size_t chunks =
      stride == 0 ? tokens.size() / n_ctx : (tokens.size() - n_ctx + stride - 1) / stride;
  if (options.max_chunks > 0) chunks = std::min(chunks, options.max_chunks);
  const size_t first = stride == 0 ? n_ctx / 2 : n_ctx - stride - 1;
  Perplexity r;
  double nll = 0.0;
  std::vector<int32_t> window(n_ctx);
  std::vector<float> out;
  for (size_t c = 0; c < chunks; ++c) {
    const size_t start = c * (stride == 0 ? n_ctx : stride);
    std::copy(tokens.begin() + start, tokens.begin() + start + n_ctx, window.begin());
    if (stride == 0 && options.bos >= 0) window[0] = options.bos;
    out.clear();
    MINT_RETURN_IF_ERROR(
        logits(window, &out).with_context("perplexity: window " + std::to_string(c)));
    if (out.size() != n_ctx * vocab) {
      return Status::invalid_argument("perplexity: window " + std::to_string(c) +
                                      ": logits callback gave " + std::to_string(out.size()) +
                                      " values, want " + std::to_string(n_ctx) + " x " +
                                      std::to_string(vocab));
    }
    for (size_t j = first; j + 1 < n_ctx; ++j) {
      const float* l = &out[j * vocab];
      const float mx = *std::max_element(l, l + vocab);
      double sum = 0.0;
      for (size_t v = 0; v < vocab; ++v) sum += std::exp(l[v] - mx);
      const double logp = double(l[tokens[start + j + 1]] - mx) - std::log(sum);
      if (!std::isfinite(logp)) {
        return Status::invalid_argument("perplexity: window " + std::to_string(c) + " position " +
                                        std::to_string(j) + ": non-finite log-probability");
      }
      nll -= logp;
      ++r.scored;
    }
  }
  r.chunks = chunks;
  r.mean_nll = nll / double(r.scored);
  r.ppl = std::exp(r.mean_nll);
  return r;
}

}  // namespace mint::eval
