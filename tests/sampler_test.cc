// Sampler (runtime/generate/sampler.h): xoshiro256** against its reference outputs, option
// checks, greedy, top-k / top-p boundaries, temperature limits, repetition penalty, seed
// reproducibility, and empirical frequencies against the softmax within a binomial bound.
#include "runtime/generate/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace mint::generate {
namespace {

Sampler make(const SamplerOptions& o) {
  Result<Sampler> s = Sampler::create(o);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  return std::move(s).value();
}

int32_t draw(Sampler& s, const std::vector<float>& logits,
             const std::vector<int32_t>& history = {}) {
  Result<int32_t> r = s.sample(logits.data(), logits.size(), history.data(), history.size());
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? r.value() : -1;
}

std::vector<double> softmax(const std::vector<float>& l, double t) {
  double m = l[0];
  for (float v : l) m = std::max(m, static_cast<double>(v));
  std::vector<double> p(l.size());
  double sum = 0;
  for (size_t i = 0; i < l.size(); ++i) sum += p[i] = std::exp((l[i] - m) / t);
  for (double& v : p) v /= sum;
  return p;
}

TEST(Xoshiro256, MatchesSplitmixSeededReference) {
  // State from splitmix64(0), then xoshiro256** as in Vigna's reference C code; the values
  // were computed independently with Python integers.
  Xoshiro256 a(0), b(0), c(1);
  uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
  EXPECT_EQ(first, 0x99ec5f36cb75f2b4ull);
  for (int i = 0; i < 1000; ++i) {
    const double u = a.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(Sampler, RejectsBadOptions) {
  auto bad = [](SamplerOptions o, const char* field) {
    Result<Sampler> s = Sampler::create(o);
    ASSERT_FALSE(s.is_ok()) << field;
    EXPECT_EQ(s.status().code(), mint_status_invalid_argument);
    EXPECT_NE(s.status().message().find(field), std::string::npos) << s.status().message();
  };
  SamplerOptions o;
  o.temperature = -1;
  bad(o, "temperature");
  o.temperature = std::numeric_limits<float>::quiet_NaN();
  bad(o, "temperature");
  o = {};
  o.top_k = -2;
  bad(o, "top_k");
  o = {};
  o.top_p = 0;
  bad(o, "top_p");
  o.top_p = 1.5f;
  bad(o, "top_p");
  o.top_p = std::numeric_limits<float>::quiet_NaN();
  bad(o, "top_p");
  o = {};
  o.repetition_penalty = 0;
  bad(o, "repetition_penalty");
  o.repetition_penalty = std::numeric_limits<float>::infinity();
  bad(o, "repetition_penalty");
}

TEST(Sampler, RejectsBadCalls) {
  Sampler s = make({});
  const std::vector<float> l = {1, 2, 3};
  EXPECT_EQ(s.sample(nullptr, 3, nullptr, 0).status().code(), mint_status_invalid_argument);
  EXPECT_EQ(s.sample(l.data(), 0, nullptr, 0).status().code(), mint_status_invalid_argument);
  EXPECT_EQ(s.sample(l.data(), 3, nullptr, 2).status().code(), mint_status_invalid_argument);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float ninf = -std::numeric_limits<float>::infinity();
  const std::vector<float> dead = {nan, ninf, nan};
  EXPECT_EQ(s.sample(dead.data(), 3, nullptr, 0).status().code(), mint_status_invalid_argument);
  SamplerOptions greedy;
  greedy.temperature = 0;
  Sampler g = make(greedy);
  EXPECT_EQ(g.sample(dead.data(), 3, nullptr, 0).status().code(), mint_status_invalid_argument);
  SamplerOptions pen;
  pen.repetition_penalty = 1.3f;
  Sampler p = make(pen);
  const std::vector<int32_t> history = {0, 3};
  Result<int32_t> r = p.sample(l.data(), 3, history.data(), history.size());
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("history token 1 is id 3"), std::string::npos)
      << r.status().message();
}

TEST(Sampler, GreedyPicksTheLargestLowestIdOnTies) {
  SamplerOptions o;
  o.temperature = 0;
  Sampler s = make(o);
  EXPECT_EQ(draw(s, {0.1f, 3.0f, -2.0f, 2.9f}), 1);
  EXPECT_EQ(draw(s, {5.0f, 1.0f, 5.0f}), 0);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(draw(s, {nan, -1.0f, nan}), 1);
}

TEST(Sampler, NanAndMinusInfinityAreNeverDrawn) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float ninf = -std::numeric_limits<float>::infinity();
  SamplerOptions o;
  o.seed = 7;
  Sampler s = make(o);
  for (int i = 0; i < 500; ++i) {
    const int32_t id = draw(s, {nan, 0.0f, ninf, 0.0f});
    ASSERT_TRUE(id == 1 || id == 3) << id;
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(draw(s, {0.0f, inf, 1e30f}), 1);
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplerOptions g;
  g.temperature = 0;
  SamplerOptions k1;
  k1.top_k = 1;
  k1.temperature = 1.7f;
  k1.seed = 123;
  Sampler greedy = make(g), topk = make(k1);
  Xoshiro256 gen(99);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<float> l(37);
    for (float& v : l) v = static_cast<float>(gen.uniform() * 8.0 - 4.0);
    ASSERT_EQ(draw(topk, l), draw(greedy, l)) << trial;
  }
}

TEST(Sampler, TopKKeepsOnlyTheKLargest) {
  SamplerOptions o;
  o.top_k = 3;
  o.seed = 5;
  Sampler s = make(o);
  const std::vector<float> l = {0.0f, 2.0f, 1.9f, -1.0f, 1.8f, 1.7f};
  std::vector<int> count(l.size());
  for (int i = 0; i < 3000; ++i) ++count[draw(s, l)];
  EXPECT_EQ(count[0] + count[3] + count[5], 0);
  EXPECT_GT(count[1], 0);
  EXPECT_GT(count[2], 0);
  EXPECT_GT(count[4], 0);
}

TEST(Sampler, TopPBoundaries) {
  // Probabilities 0.5, 0.25, 0.125, 0.125 (logits log 4, log 2, 0, 0 at temperature 1).
  const std::vector<float> l = {std::log(4.0f), std::log(2.0f), 0.0f, 0.0f};
  auto support = [&](float top_p) {
    SamplerOptions o;
    o.top_p = top_p;
    o.seed = 11;
    Sampler s = make(o);
    std::vector<int> seen(l.size());
    for (int i = 0; i < 4000; ++i) seen[draw(s, l)] = 1;
    return seen;
  };
  EXPECT_EQ(support(0.01f), (std::vector<int>{1, 0, 0, 0}));  // only the top token
  EXPECT_EQ(support(0.49f), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(support(0.51f), (std::vector<int>{1, 1, 0, 0}));  // 0.5 < p: the second joins
  EXPECT_EQ(support(0.74f), (std::vector<int>{1, 1, 0, 0}));
  EXPECT_EQ(support(0.76f), (std::vector<int>{1, 1, 1, 0}));  // ties: the lower id first
  EXPECT_EQ(support(0.9f), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(support(1.0f), (std::vector<int>{1, 1, 1, 1}));
}

TEST(Sampler, TopPRenormalizesTheKeptTokens) {
  // top_p 0.7 keeps {0, 1}: then P(0) = 2/3.
  const std::vector<float> l = {std::log(4.0f), std::log(2.0f), 0.0f, 0.0f};
  SamplerOptions o;
  o.top_p = 0.7f;
  o.seed = 3;
  Sampler s = make(o);
  const int n = 30000;
  int zeros = 0;
  for (int i = 0; i < n; ++i) zeros += draw(s, l) == 0;
  const double p = 2.0 / 3.0, sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(zeros, n * p, 5 * sd);
}

TEST(Sampler, TinyTemperatureIsGreedy) {
  SamplerOptions g;
  g.temperature = 0;
  SamplerOptions cold;
  cold.temperature = 1e-4f;
  cold.seed = 17;
  Sampler greedy = make(g), s = make(cold);
  Xoshiro256 gen(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<float> l(50);
    for (float& v : l) v = static_cast<float>(gen.uniform() * 10.0);
    ASSERT_EQ(draw(s, l), draw(greedy, l)) << trial;
  }
}

TEST(Sampler, SameSeedSameSequenceOtherSeedOtherSequence) {
  std::vector<float> l(100);
  for (size_t i = 0; i < l.size(); ++i) l[i] = static_cast<float>(std::sin(i * 1.3) * 2.0);
  auto run = [&](uint64_t seed) {
    SamplerOptions o;
    o.seed = seed;
    o.top_k = 40;
    o.top_p = 0.95f;
    o.temperature = 0.8f;
    Sampler s = make(o);
    std::vector<int32_t> out;
    for (int i = 0; i < 200; ++i) out.push_back(draw(s, l, out));
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

// Over many draws with a fixed seed, each token's count is within 5 standard deviations of
// the binomial mean n * p, p the softmax of logit / temperature.
TEST(Sampler, FrequenciesFollowTheSoftmax) {
  const std::vector<float> l = {1.0f, 0.5f, -0.3f, 2.0f, 0.0f, -1.5f, 1.2f, 0.8f};
  for (float t : {1.0f, 0.6f, 2.0f}) {
    SamplerOptions o;
    o.temperature = t;
    o.seed = 2024;
    Sampler s = make(o);
    const int n = 40000;
    std::vector<int> count(l.size());
    for (int i = 0; i < n; ++i) ++count[draw(s, l)];
    const std::vector<double> p = softmax(l, t);
    for (size_t i = 0; i < l.size(); ++i) {
      const double sd = std::sqrt(n * p[i] * (1 - p[i]));
      EXPECT_NEAR(count[i], n * p[i], 5 * sd) << "token " << i << " temperature " << t;
    }
  }
}

TEST(Sampler, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  // Greedy makes the effect exact: logits 2.0 and 1.5; penalizing id 0 by 1.5 gives 1.333 < 1.5.
  SamplerOptions o;
  o.temperature = 0;
  o.repetition_penalty = 1.5f;
  Sampler s = make(o);
  EXPECT_EQ(draw(s, {2.0f, 1.5f}, {}), 0);
  EXPECT_EQ(draw(s, {2.0f, 1.5f}, {0}), 1);
  // Each distinct id once: repeated ids in the history are not penalized twice.
  EXPECT_EQ(draw(s, {2.0f, 1.3f}, {0, 0, 0}), 0);  // 2 / 1.5 = 1.33 > 1.3
  // Negative logits are multiplied: -1 * 1.5 = -1.5 < -1.2.
  EXPECT_EQ(draw(s, {-1.0f, -1.2f}, {0}), 1);
  // Window: only the last token counts.
  o.repetition_window = 1;
  Sampler w = make(o);
  EXPECT_EQ(draw(w, {2.0f, 1.5f, 0.0f}, {0, 2}), 0);
  EXPECT_EQ(draw(w, {2.0f, 1.5f, 0.0f}, {2, 0}), 1);
}

TEST(Sampler, RepetitionPenaltyShiftsFrequencies) {
  // Two equal logits 1.0; id 0 penalized by 2 -> logits 0.5 and 1.0.
  SamplerOptions o;
  o.repetition_penalty = 2.0f;
  o.seed = 9;
  Sampler s = make(o);
  const int n = 20000;
  int zeros = 0;
  for (int i = 0; i < n; ++i) zeros += draw(s, {1.0f, 1.0f}, {0}) == 0;
  const double p = softmax({0.5f, 1.0f}, 1.0)[0], sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(zeros, n * p, 5 * sd);
}

}  // namespace
}  // namespace mint::generate
