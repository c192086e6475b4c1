#include "runtime/generate/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace mint::generate {
namespace {

uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Logit descending, then id ascending.
bool before(const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
  if (a.first != b.first) return a.first > b.first;
  return a.second < b.second;
}

}  // namespace

Xoshiro256::Xoshiro256(uint64_t seed) {
  for (uint64_t& s : s_) s = splitmix64(&seed);
}

uint64_t Xoshiro256::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Xoshiro256::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

Status Sampler::check(const SamplerOptions& o) {
  if (!std::isfinite(o.temperature) || o.temperature < 0.0f) {
    return Status::invalid_argument("temperature " + std::to_string(o.temperature) +
                                    ": want a finite value >= 0 (0: greedy)");
  }
  if (o.top_k < 0) {
    return Status::invalid_argument("top_k " + std::to_string(o.top_k) + ": want >= 0 (0: off)");
  }
  if (!(o.top_p > 0.0f && o.top_p <= 1.0f)) {
    return Status::invalid_argument("top_p " + std::to_string(o.top_p) +
                                    ": want a value in (0, 1]");
  }
  if (!std::isfinite(o.repetition_penalty) || o.repetition_penalty <= 0.0f) {
    return Status::invalid_argument("repetition_penalty " + std::to_string(o.repetition_penalty) +
                                    ": want a finite value > 0 (1: off)");
  }
  return Status::ok();
}

Result<Sampler> Sampler::create(const SamplerOptions& options) {
  MINT_RETURN_IF_ERROR(check(options));
  Sampler s;
  s.options_ = options;
  s.rng_ = Xoshiro256(options.seed);
  return s;
}

Result<int32_t> Sampler::sample(const float* logits, size_t vocab, const int32_t* history,
                                size_t history_size) {
  if (logits == nullptr) return Status::invalid_argument("logits are null");
  if (vocab == 0) return Status::invalid_argument("vocabulary size is 0");
  if (vocab > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::invalid_argument("vocabulary size " + std::to_string(vocab) +
                                    " exceeds 2^31 - 1");
  }
  if (history == nullptr && history_size != 0) return Status::invalid_argument("history is null");

  const float* l = logits;
  if (options_.repetition_penalty != 1.0f && history_size != 0) {
    const size_t window = options_.repetition_window;
    const size_t first = window == 0 || window >= history_size ? 0 : history_size - window;
    for (size_t i = first; i < history_size; ++i) {
      if (history[i] < 0 || static_cast<size_t>(history[i]) >= vocab) {
        return Status::invalid_argument("history token " + std::to_string(i) + " is id " +
                                        std::to_string(history[i]) + ", outside [0, " +
                                        std::to_string(vocab) + ")");
      }
    }
    work_.assign(logits, logits + vocab);
    seen_.assign(vocab, 0);
    const float penalty = options_.repetition_penalty;
    for (size_t i = first; i < history_size; ++i) {
      const int32_t id = history[i];
      if (seen_[id]) continue;
      seen_[id] = 1;
      float& v = work_[id];
      v = v > 0.0f ? v / penalty : v * penalty;
    }
    l = work_.data();
  }

  // Finite candidates only (NaN and -inf are never picked).
  auto usable = [](float v) {
    return !std::isnan(v) && v != -std::numeric_limits<float>::infinity();
  };
  if (options_.temperature == 0.0f) {
    int32_t best = -1;
    for (size_t i = 0; i < vocab; ++i) {
      if (usable(l[i]) && (best < 0 || l[i] > l[best])) best = static_cast<int32_t>(i);
    }
    if (best < 0) return Status::invalid_argument("every logit is NaN or -infinity");
    return best;
  }

  candidates_.clear();
  for (size_t i = 0; i < vocab; ++i) {
    if (usable(l[i])) candidates_.emplace_back(l[i], static_cast<int32_t>(i));
  }
  if (candidates_.empty()) return Status::invalid_argument("every logit is NaN or -infinity");
  // +inf logits: only they remain, with equal weight.
  if (std::any_of(candidates_.begin(), candidates_.end(),
                  [](const auto& c) { return std::isinf(c.first); })) {
    candidates_.erase(std::remove_if(candidates_.begin(), candidates_.end(),
                                     [](const auto& c) { return !std::isinf(c.first); }),
                      candidates_.end());
    for (auto& c : candidates_) c.first = 0.0f;
  }

  bool sorted = false;
  const size_t k = static_cast<size_t>(options_.top_k);
  if (k > 0 && k < candidates_.size()) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(k),
                      candidates_.end(), before);
    candidates_.resize(k);
    sorted = true;
  }

  // Softmax weights of logit / temperature, in double.
  float max_logit = candidates_.front().first;
  for (const auto& c : candidates_) max_logit = std::max(max_logit, c.first);
  const double inv_t = 1.0 / static_cast<double>(options_.temperature);
  auto weight = [&](float logit) {
    return std::exp((static_cast<double>(logit) - max_logit) * inv_t);
  };
  size_t n = candidates_.size();
  if (options_.top_p < 1.0f) {
    double all = 0.0;
    for (const auto& c : candidates_) all += weight(c.first);
    const double target = static_cast<double>(options_.top_p) * all;
    // Sort only as far as the nucleus reaches: the top 64 first, then 16 times more a round.
    // A longer sorted prefix starts with the shorter one (the order is total), so the running
    // sum goes on where it stopped.
    size_t sorted_count = sorted ? n : 0;
    size_t round = std::min<size_t>(n, 64);
    size_t keep = 0;
    double cum = 0.0;
    for (;;) {
      if (sorted_count < round) {
        std::partial_sort(candidates_.begin() + static_cast<std::ptrdiff_t>(sorted_count),
                          candidates_.begin() + static_cast<std::ptrdiff_t>(round),
                          candidates_.end(), before);
        sorted_count = round;
      }
      while (keep < sorted_count && cum < target) cum += weight(candidates_[keep++].first);
      if (cum >= target || sorted_count == n) break;
      round = std::min(n, round * 16);
    }
    n = keep;
  }
  probs_.resize(n);
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) total += probs_[i] = weight(candidates_[i].first);

  const double u = rng_.uniform() * total;
  double cum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    cum += probs_[i];
    if (u < cum) return candidates_[i].second;
  }
  return candidates_[n - 1].second;  // rounding: u * total can reach the last partial sum
}

}  // namespace mint::generate
