// int4 group-wise fully-connected layers (kernels/qs4_gemm.h) against mint's int8 and
// XNNPACK's fp32, measured in the same run.
//
// For each shape M x K by K x N, group size G (32, 128; symmetric weights) and thread count:
//   int4:    f32 activations quantized per group (qs4_quantize_rows_scalar) + run_qs4_gemm,
//            f32 out: what fully_connected does with gemm_qs4 weights;
//   int8:    f32 activations quantized per row (select_quantize_rows) + run_qs8_gemm with
//            f32 out (per-channel weights): the gemm_qs8 dynamic path;
//   xnnpack: XNNPACK's fp32 fully-connected operator (f32 in and out).
// All three take f32 in and give f32 out, so activation quantization is inside the timed loop.
// Packing is outside. One pthreadpool per thread count is shared by all sides.
//
// After the Google Benchmark table, a summary row per (shape, G, threads): the median over
// repetitions (or the single run) of each side, and int8 / int4 and fp32 / int4 time ratios
// (> 1: int4 is faster).
//
//   qs4_gemm_bench --benchmark_repetitions=5 --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/prepack.h"
#include "kernels/qs4_gemm.h"
#include "kernels/quantize.h"
#include "kernels/registry.h"
#include "runtime/hardware.h"
#include "runtime/ops/gemm_operator.h"

namespace {

using namespace mint;

struct FcShape {
  size_t m, k, n;
};

constexpr FcShape kShapes[] = {{1, 768, 3072}, {1, 4096, 4096}, {1, 576, 1536}, {64, 768, 3072}};
constexpr size_t kGroups[] = {32, 128};
constexpr size_t kThreads[] = {1, 2};

std::string shape_name(const FcShape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.k) + "_by_" + std::to_string(s.k) + "x" +
         std::to_string(s.n);
}

pthreadpool_t pool_for(size_t threads) {
  static std::map<size_t, std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>> pools;
  auto it = pools.find(threads);
  if (it == pools.end()) {
    it = pools.emplace(threads, std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>(
                                    pthreadpool_create(threads), &pthreadpool_destroy))
             .first;
  }
  return it->second.get();
}

// 64-byte aligned bytes, as weights in a mapped plan.
struct Aligned {
  explicit Aligned(const std::vector<uint8_t>& bytes)
      : p(static_cast<uint8_t*>(std::aligned_alloc(64, round_up(bytes.size(), 64)))) {
    std::memcpy(p, bytes.data(), bytes.size());
  }
  ~Aligned() { std::free(p); }
  Aligned(const Aligned&) = delete;
  Aligned& operator=(const Aligned&) = delete;
  uint8_t* p;
};

// One layer's data and the three prepared sides, built once per (shape, G).
struct Layer {
  FcShape s;
  size_t gs;
  std::vector<float> x, w, bias, c;
  std::unique_ptr<Aligned> qs4, qs8;
  std::vector<int8_t> a4, a8;
  std::vector<Qs4ActQuant> quant4;
  std::vector<Qs8RowQuant> quant8;
  xnn_operator_t xnn = nullptr;

  Layer(const FcShape& shape, size_t group) : s(shape), gs(group) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    x.resize(s.m * s.k);
    w.resize(s.n * s.k);
    bias.resize(s.n);
    c.resize(s.m * s.n);
    for (float& v : x) v = dist(rng);
    for (float& v : w) v = dist(rng);
    for (float& v : bias) v = dist(rng);
    qs4 = std::make_unique<Aligned>(pack_qs4_gemm_weights(quantize_qs4_weights(s.n, s.k, w.data(), gs, false),
                                                          bias.data()));
    const size_t ng = qs4_group_count(s.k, gs);
    a4.resize(s.m * ng * gs);
    quant4.resize(s.m * ng);
    // int8 per-channel weights, as the compiler makes them.
    std::vector<int8_t> q8(s.n * s.k);
    std::vector<float> scale8(s.n);
    for (size_t j = 0; j < s.n; ++j) {
      float amax = 0.0f;
      for (size_t kk = 0; kk < s.k; ++kk) amax = std::max(amax, std::fabs(w[j * s.k + kk]));
      scale8[j] = amax > 0.0f ? amax / 127.0f : 1.0f;
      for (size_t kk = 0; kk < s.k; ++kk) {
        q8[j * s.k + kk] = static_cast<int8_t>(std::nearbyint(w[j * s.k + kk] / scale8[j]));
      }
    }
    qs8 = std::make_unique<Aligned>(pack_qs8_gemm_weights(s.n, s.k, q8.data(), scale8.data(), nullptr,
                                                          bias.data()));
    a8.resize(s.m * round_up(s.k, kQs8KR));
    quant8.resize(s.m);
    if (xnn_initialize(nullptr) != xnn_status_success ||
        xnn_create_fully_connected_nc_f32(s.k, s.n, s.k, s.n, w.data(), bias.data(), -INFINITY,
                                          INFINITY, 0, &xnn) != xnn_status_success) {
      xnn = nullptr;
    }
  }
  ~Layer() {
    if (xnn) xnn_delete_operator(xnn);
  }

  void run_int4(pthreadpool_t pool, const GemmSelection<Qs4GemmFn>& kernels) {
    const size_t ng = qs4_group_count(s.k, gs);
    qs4_quantize_rows_scalar(s.m, s.k, gs, x.data(), s.k, a4.data(), ng * gs, quant4.data());
    const Qs4GemmParams p{quant4.data(), ng, gs, -INFINITY, INFINITY};
    run_qs4_gemm(pool, kernels, s.m, s.n, s.k, a4.data(), ng * gs, qs4->p, c.data(), s.n, p);
  }
  void run_int8(pthreadpool_t pool, const GemmSelection<Qs8GemmFn>& kernels, QuantizeRowsFn quantize) {
    const size_t kp = round_up(s.k, kQs8KR);
    quantize(s.m, s.k, x.data(), s.k, a8.data(), kp, quant8.data());
    Qs8GemmParams p{};
    p.a_quant = quant8.data();
    p.a_quant_stride = 1;
    p.output = Qs8Output::kF32;
    p.f32_min = -INFINITY;
    p.f32_max = INFINITY;
    run_qs8_gemm(pool, kernels, s.m, s.n, s.k, a8.data(), kp, qs8->p, c.data(), s.n * sizeof(float), p);
  }
};

Layer& layer(const FcShape& s, size_t gs) {
  static std::map<std::tuple<size_t, size_t, size_t, size_t>, std::unique_ptr<Layer>> cache;
  auto& slot = cache[{s.m, s.k, s.n, gs}];
  if (!slot) slot = std::make_unique<Layer>(s, gs);
  return *slot;
}

void bench_int4(benchmark::State& state, FcShape s, size_t gs, size_t threads) {
  Layer& l = layer(s, gs);
  const auto kernels = select_qs4_gemm(hardware_isa_mask());
  state.SetLabel((s.m == 1 ? kernels.gemv : kernels.gemm)->name);
  for (auto _ : state) {
    l.run_int4(pool_for(threads), kernels);
    benchmark::ClobberMemory();
  }
}

void bench_int8(benchmark::State& state, FcShape s, size_t gs, size_t threads) {
  Layer& l = layer(s, gs);
  const auto kernels = select_qs8_gemm(hardware_isa_mask());
  const QuantizeRowsFn quantize = select_quantize_rows(hardware_isa_mask());
  state.SetLabel((s.m == 1 ? kernels.gemv : kernels.gemm)->name);
  for (auto _ : state) {
    l.run_int8(pool_for(threads), kernels, quantize);
    benchmark::ClobberMemory();
  }
}

void bench_xnnpack(benchmark::State& state, FcShape s, size_t gs, size_t threads) {
  Layer& l = layer(s, gs);
  pthreadpool_t pool = pool_for(threads);
  if (l.xnn == nullptr ||
      xnn_setup_fully_connected_nc_f32(l.xnn, s.m, l.x.data(), l.c.data(), pool) != xnn_status_success) {
    return state.SkipWithError("XNNPACK fp32 fully-connected: create or setup failed");
  }
  for (auto _ : state) {
    xnn_run_operator(l.xnn, pool);
    benchmark::ClobberMemory();
  }
}

// Benchmarks are named "<shape>/G<g>/threads:<t>/<side>".
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : benchmark::ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate;
      if (median && run.aggregate_name != "median") continue;
      const std::string& name = run.run_name.function_name;
      const size_t cut = name.rfind('/');
      if (cut == std::string::npos) continue;
      const std::string side = name.substr(cut + 1);
      const int idx = side == "int4" ? 0 : side == "int8" ? 1 : 2;
      const double scale = run.time_unit == benchmark::kMicrosecond ? 1e3 : run.time_unit == benchmark::kMillisecond ? 1e6 : 1.0;
      Row& row = rows_[name.substr(0, cut)];
      if (median || !row.median[idx]) {
        row.ns[idx] = run.GetAdjustedRealTime() * scale;
        row.median[idx] = median;
      }
    }
  }
  void PrintSummary() const {
    std::printf("\nSummary (real time per call, f32 in and out; ratios > 1: int4 is faster)\n");
    std::printf("%-36s %10s %10s %12s %10s %10s\n", "shape/G/threads", "int4 us", "int8 us",
                "xnn f32 us", "int8/int4", "f32/int4");
    for (const auto& [key, r] : rows_) {
      std::printf("%-36s %10.1f %10.1f %12.1f %10.2f %10.2f\n", key.c_str(), r.ns[0] / 1e3,
                  r.ns[1] / 1e3, r.ns[2] / 1e3, r.ns[1] / r.ns[0], r.ns[2] / r.ns[0]);
    }
  }

 private:
  struct Row {
    double ns[3] = {NAN, NAN, NAN};
    bool median[3] = {false, false, false};
  };
  std::map<std::string, Row> rows_;
};

// The int4 layer must compute what the f32 layer computes, within int4 quantization error:
// checked once per shape before timing, so a setup mistake cannot pass as a speedup.
bool check_agreement() {
  bool ok = true;
  for (const FcShape& s : kShapes) {
    Layer& l = layer(s, 32);
    if (l.xnn == nullptr ||
        xnn_setup_fully_connected_nc_f32(l.xnn, s.m, l.x.data(), l.c.data(), nullptr) != xnn_status_success ||
        xnn_run_operator(l.xnn, nullptr) != xnn_status_success) {
      std::fprintf(stderr, "check: XNNPACK %s failed\n", shape_name(s).c_str());
      ok = false;
      continue;
    }
    const std::vector<float> ref = l.c;
    l.run_int4(nullptr, select_qs4_gemm(hardware_isa_mask()));
    double err = 0.0, mag = 0.0;
    for (size_t i = 0; i < ref.size(); ++i) {
      err += (double{l.c[i]} - ref[i]) * (double{l.c[i]} - ref[i]);
      mag += double{ref[i]} * ref[i];
    }
    // Relative RMS error of 4-bit weights on uniform data: about 0.1; 0.25 catches mistakes.
    if (!(std::sqrt(err / mag) < 0.25)) {
      std::fprintf(stderr, "check: int4 %s: relative RMS error %g vs fp32\n", shape_name(s).c_str(),
                   std::sqrt(err / mag));
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  for (const FcShape& s : kShapes) {
    for (size_t gs : kGroups) {
      for (size_t t : kThreads) {
        const std::string mid = shape_name(s) + "/G" + std::to_string(gs) + "/threads:" + std::to_string(t) + "/";
        for (const auto& [side, fn] : {std::pair{"int4", bench_int4}, {"int8", bench_int8}, {"xnn_f32", bench_xnnpack}}) {
          benchmark::RegisterBenchmark((mid + side).c_str(), fn, s, gs, t)
              ->UseRealTime()
              ->Unit(benchmark::kMicrosecond);
        }
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!check_agreement()) return 1;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
