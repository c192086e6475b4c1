// Attention-head kernels (kernels/attention.h) on GPT-2 Small's layout (12 heads of 64 in rows
// of 768, one layer's f32 / f16 / int8 KV cache), each ISA variant against the same run's scalar
// reference:
//   decode:  one query row over len cache rows, for every head (f32_attention_head_*);
//   prefill: len query rows causally over the cache, for every head, row by row with the head
//            kernel and with the rows kernel (four rows per pass over K and V).
//
//   build/release/benchmarks/attention_bench [ITERATIONS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels/attention.h"
#include "runtime/hardware.h"

namespace {

using namespace mint;

template <typename F>
double time_ms(int iterations, F&& f) {
  f();  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(t1 - t0).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 3;
  const size_t heads = 12, d = 64, width = heads * d;
  size_t count = 0;
  const AttentionHeadKernel* kernels = attention_head_kernels(&count);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const char* caches[] = {"f32", "f16", "qs8"};
  const KvStoreRowFn stores[] = {kv_store_row_f32, kv_store_row_f16, kv_store_row_qs8};
  const size_t elems[] = {4, 2, 1};
  for (size_t len : {size_t{128}, size_t{512}}) {
    std::vector<float> q(len * width), y(len * width), scores(4 * (len + 3));
    for (float& x : q) x = dist(rng);
    for (int c = 0; c < 3; ++c) {
      std::vector<uint8_t> kc(len * width * elems[c]), vc(len * width * elems[c]);
      std::vector<float> ks(len * heads), vs(len * heads), row(d);
      for (size_t p = 0; p < len; ++p) {
        for (size_t h = 0; h < heads; ++h) {
          for (float& x : row) x = dist(rng);
          stores[c](d, row.data(), kc.data() + (p * width + h * d) * elems[c], &ks[p * heads + h]);
          for (float& x : row) x = dist(rng);
          stores[c](d, row.data(), vc.data() + (p * width + h * d) * elems[c], &vs[p * heads + h]);
        }
      }
      const float* kss = c == 2 ? ks.data() : nullptr;
      const float* vss = c == 2 ? vs.data() : nullptr;
      double base_decode = 0, base_prefill = 0;
      for (size_t n = 0; n < count; ++n) {
        const AttentionHeadKernel& k = kernels[n];
        if (k.isa != Isa::kScalar && (hardware_isa_mask() & isa_bit(k.isa)) == 0) continue;
        const F32AttentionHeadFn head = c == 0 ? k.f32kv : c == 1 ? k.f16kv : k.qs8kv;
        const F32AttentionRowsFn rows = c == 0   ? k.rows_f32kv
                                        : c == 1 ? k.rows_f16kv
                                                 : k.rows_qs8kv;
        const auto kv = [&](const std::vector<uint8_t>& cache, size_t h) {
          return cache.data() + h * d * elems[c];
        };
        const double decode = time_ms(iterations * 20, [&] {
          for (size_t h = 0; h < heads; ++h) {
            head(len, d, q.data() + h * d, kv(kc, h), kv(vc, h), width, kss ? kss + h : nullptr,
                 vss ? vss + h : nullptr, heads, 0.125f, scores.data(), y.data() + h * d);
          }
        });
        const double by_row = time_ms(iterations, [&] {
          for (size_t h = 0; h < heads; ++h) {
            for (size_t t = 0; t < len; ++t) {
              head(t + 1, d, q.data() + t * width + h * d, kv(kc, h), kv(vc, h), width,
                   kss ? kss + h : nullptr, vss ? vss + h : nullptr, heads, 0.125f, scores.data(),
                   y.data() + t * width + h * d);
            }
          }
        });
        const double by_rows = time_ms(iterations, [&] {
          for (size_t h = 0; h < heads; ++h) {
            rows(len, 1, d, q.data() + h * d, width, kv(kc, h), kv(vc, h), width,
                 kss ? kss + h : nullptr, vss ? vss + h : nullptr, heads, 0.125f, scores.data(),
                 y.data() + h * d, width);
          }
        });
        if (k.isa == Isa::kScalar) {
          base_decode = decode;
          base_prefill = by_row;
        }
        std::printf(
            "%s cache, len %4zu, %-7s decode %7.3f ms (%5.2fx)  prefill by row %8.3f ms "
            "(%5.2fx)  rows kernel %8.3f ms (%5.2fx)\n",
            caches[c], len, k.name, decode, base_decode / decode, by_row, base_prefill / by_row,
            by_rows, base_prefill / by_rows);
      }
    }
  }
  return 0;
}
