// Sampler cost per token over GPT-2's vocabulary (50,257 logits), each configuration against
// the same run's baseline: a plain argmax loop over the logits (the least any sampler does).
//
//   build/release/benchmarks/sampler_bench [ITERATIONS]
//
// Two seeded logit sets, the same every run: "flat", N(0, 2)-like values (a sum of uniforms;
// top-p 0.95 then keeps thousands of tokens), and "peaked", the same with 20 tokens raised by
// 12 (most of the mass on a few tokens, as language models usually put it). The history for
// the repetition penalty is 1,024 tokens.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "runtime/generate/sampler.h"

namespace {

using mint::generate::Sampler;
using mint::generate::SamplerOptions;
using mint::generate::Xoshiro256;

template <typename F>
double time_us(int iterations, F&& f) {
  f();  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  const size_t vocab = 50257;
  Xoshiro256 rng(1);
  std::vector<float> logits(vocab);
  for (float& v : logits)
    v = static_cast<float>((rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * 4.0);
  std::vector<int32_t> history(1024);
  for (int32_t& t : history) t = static_cast<int32_t>(rng.next() % vocab);

  std::vector<float> peaked = logits;
  for (int i = 0; i < 20; ++i) peaked[rng.next() % vocab] += 12.0f;

  volatile int32_t sink = 0;
  for (const bool flat : {true, false}) {
    if (!flat) logits = peaked;
    const double base = time_us(iterations, [&] {
      size_t best = 0;
      for (size_t i = 1; i < vocab; ++i)
        if (logits[i] > logits[best]) best = i;
      sink = static_cast<int32_t>(best);
    });
    std::printf("%s logits (%zu), %d iterations; baseline argmax loop %.2f us/token\n",
                flat ? "flat" : "peaked", vocab, iterations, base);
    struct Config {
      const char* name;
      SamplerOptions o;
    };
    auto opts = [](float t, int k, float p, float pen) {
      SamplerOptions o;
      o.temperature = t;
      o.top_k = k;
      o.top_p = p;
      o.repetition_penalty = pen;
      o.seed = 7;
      return o;
    };
    const Config configs[] = {
        {"greedy", opts(0, 0, 1, 1)},
        {"temperature 0.8", opts(0.8f, 0, 1, 1)},
        {"top-k 40", opts(0.8f, 40, 1, 1)},
        {"top-p 0.95", opts(0.8f, 0, 0.95f, 1)},
        {"top-k 40 + top-p 0.95", opts(0.8f, 40, 0.95f, 1)},
        {"greedy + repetition penalty 1.1 (1024 tokens)", opts(0, 0, 1, 1.1f)},
        {"top-k 40 + penalty 1.1 (1024 tokens)", opts(0.8f, 40, 1, 1.1f)},
    };
    for (const Config& c : configs) {
      mint::Result<Sampler> s = Sampler::create(c.o);
      if (!s.is_ok()) return 1;
      Sampler sampler = std::move(s).value();
      const double us = time_us(iterations, [&] {
        sink = sampler.sample(logits.data(), vocab, history.data(), history.size()).value();
      });
      std::printf("  %-48s %9.2f us/token  %6.2fx the argmax baseline\n", c.name, us, us / base);
    }
  }
  (void)sink;
  return 0;
}
