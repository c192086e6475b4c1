// Fully-connected layers, mint against XNNPACK, measured in the same run.
//
// For each shape M x K by K x N (activations times weights), thread count (1, 2) and data type:
//   fp32: f32 activations, f32 weights, f32 bias, no clamp;
//   int8: qs8 activations in, qs8 out, int32 bias. mint uses per-channel weight scales;
//         Debian's XNNPACK (2022) has only a per-tensor weight scale for qs8 fully-connected
//         (xnn_create_fully_connected_nc_qs8), so its scale is uniform. The arithmetic per
//         output is the same; only the requantization multiplier differs per channel.
// mint runs run_f32_gemm / run_qs8_gemm with the kernels select_*_gemm(hardware_isa_mask())
// picks; XNNPACK runs its own operator. Both sides share one pthreadpool per thread count and
// use prepacked weights (packing is outside the timed loop).
//
// After the Google Benchmark table the program prints a summary, one row per
// (dtype, shape, threads): the median over repetitions (or the single run) of each side and the
// ratio XNNPACK / mint, so > 1 means mint is faster.
//
//   gemm_bench --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true
//              --benchmark_min_time=0.1
// (docs/benchmarks.md has the figures and the machine; run it on an idle machine.)
#include <benchmark/benchmark.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
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
#include "kernels/registry.h"
#include "runtime/hardware.h"
#include "runtime/ops/gemm_operator.h"

namespace {

using namespace mint;

struct FcShape {
  size_t m, k, n;
};

constexpr FcShape kShapes[] = {{1, 768, 3072}, {1, 4096, 4096}, {128, 768, 3072}};
constexpr size_t kThreads[] = {1, 2};

std::string shape_name(const FcShape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.k) + "_by_" + std::to_string(s.k) + "x" +
         std::to_string(s.n);
}

// One pool per thread count, shared by mint and XNNPACK.
pthreadpool_t pool_for(size_t threads) {
  static std::map<size_t, std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>> pools;
  auto it = pools.find(threads);
  if (it == pools.end()) {
    it = pools
             .emplace(threads, std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>(
                                   pthreadpool_create(threads), &pthreadpool_destroy))
             .first;
  }
  return it->second.get();
}

bool init_xnnpack() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

// Random problem data, shared by both sides of a row so they compute the same layer.
struct F32Problem {
  std::vector<float> a, w, bias, c;
  explicit F32Problem(const FcShape& s) : a(s.m * s.k), w(s.n * s.k), bias(s.n), c(s.m * s.n) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& v : a) v = dist(rng);
    for (float& v : w) v = dist(rng);
    for (float& v : bias) v = dist(rng);
  }
};

struct Qs8Problem {
  std::vector<int8_t> a, w, c;
  std::vector<int32_t> bias;
  std::vector<float> w_scale;
  Qs8RowQuant a_quant{-3, 0.02f};
  float out_scale;
  int8_t out_zero_point = 5;
  explicit Qs8Problem(const FcShape& s)
      : a(s.m * round_up(s.k, kQs8KR)), w(s.n * s.k), c(s.m * s.n), bias(s.n), w_scale(s.n) {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> i8(-128, 127);
    std::uniform_real_distribution<float> unit(0.9f, 1.1f);
    for (auto& v : a) v = static_cast<int8_t>(i8(rng));
    for (auto& v : w) v = static_cast<int8_t>(i8(rng));
    for (auto& v : bias) v = i8(rng) * 64;
    for (auto& v : w_scale) v = 0.01f * unit(rng);
    // Outputs of about 40 quantization steps of standard deviation: few saturate.
    out_scale = 0.02f * 0.01f * 74.0f * 74.0f * std::sqrt(static_cast<float>(s.k)) / 40.0f;
  }
};

// Problems, packed weights and XNNPACK operators are built once per shape and reused by every
// run and repetition (Google Benchmark calls each function several times).
template <typename T>
T& cached(const FcShape& s) {
  static std::map<std::tuple<size_t, size_t, size_t>, std::unique_ptr<T>> cache;
  auto& slot = cache[{s.m, s.k, s.n}];
  if (!slot) slot = std::make_unique<T>(s);
  return *slot;
}

// Packed weights at a 64-byte boundary, as in a mapped plan (and as XNNPACK keeps its own).
class AlignedBytes {
 public:
  explicit AlignedBytes(const std::vector<uint8_t>& bytes)
      : data_(static_cast<uint8_t*>(std::aligned_alloc(64, round_up(bytes.size(), 64)))) {
    std::memcpy(data_.get(), bytes.data(), bytes.size());
  }
  const uint8_t* data() const { return data_.get(); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
};

struct MintF32 {
  F32Problem p;
  AlignedBytes packed;
  explicit MintF32(const FcShape& s)
      : p(s), packed(pack_f32_gemm_weights(s.n, s.k, p.w.data(), p.bias.data())) {}
};

struct MintQs8 {
  Qs8Problem p;
  AlignedBytes packed;
  explicit MintQs8(const FcShape& s)
      : p(s),
        packed(pack_qs8_gemm_weights(s.n, s.k, p.w.data(), p.w_scale.data(), p.bias.data(),
                                     nullptr)) {}
};

struct XnnOperator {
  xnn_operator_t op = nullptr;
  ~XnnOperator() {
    if (op != nullptr) xnn_delete_operator(op);
  }
};

struct XnnF32 : XnnOperator {
  F32Problem p;
  explicit XnnF32(const FcShape& s) : p(s) {
    if (!init_xnnpack() ||
        xnn_create_fully_connected_nc_f32(s.k, s.n, s.k, s.n, p.w.data(), p.bias.data(), -INFINITY,
                                          INFINITY, 0, &op) != xnn_status_success) {
      op = nullptr;
    }
  }
};

struct XnnQs8 : XnnOperator {
  Qs8Problem p;
  explicit XnnQs8(const FcShape& s) : p(s) {
    // Per-tensor weight scale (the only kind this XNNPACK offers for qs8 fully-connected).
    if (!init_xnnpack() ||
        xnn_create_fully_connected_nc_qs8(
            s.k, s.n, round_up(s.k, kQs8KR), s.n, static_cast<int8_t>(p.a_quant.zero_point),
            p.a_quant.scale, 0.01f, p.w.data(), p.bias.data(), p.out_zero_point, p.out_scale, -128,
            127, 0, &op) != xnn_status_success) {
      op = nullptr;
    }
  }
};

void set_flops(benchmark::State& state, const FcShape& s, const char* counter) {
  state.counters[counter] =
      benchmark::Counter(2.0 * s.m * s.n * s.k * state.iterations(), benchmark::Counter::kIsRate);
}

void bench_mint_f32(benchmark::State& state, FcShape s, size_t threads) {
  MintF32& b = cached<MintF32>(s);
  const auto kernels = select_f32_gemm(hardware_isa_mask());
  const F32MinMaxParams params{-INFINITY, INFINITY};
  pthreadpool_t pool = pool_for(threads);
  state.SetLabel((s.m == 1 ? kernels.gemv : kernels.gemm)->name);
  for (auto _ : state) {
    run_f32_gemm(pool, kernels, s.m, s.n, s.k, b.p.a.data(), s.k, b.packed.data(),
                 f32_gemm_panel_bytes(s.k), b.p.c.data(), s.n, params);
    benchmark::DoNotOptimize(b.p.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, s, "GFLOPS");
}

void bench_xnnpack_f32(benchmark::State& state, FcShape s, size_t threads) {
  XnnF32& b = cached<XnnF32>(s);
  pthreadpool_t pool = pool_for(threads);
  if (b.op == nullptr || xnn_setup_fully_connected_nc_f32(b.op, s.m, b.p.a.data(), b.p.c.data(),
                                                          pool) != xnn_status_success) {
    return state.SkipWithError("XNNPACK f32 fully-connected: create or setup failed");
  }
  for (auto _ : state) {
    xnn_run_operator(b.op, pool);
    benchmark::DoNotOptimize(b.p.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, s, "GFLOPS");
}

void bench_mint_qs8(benchmark::State& state, FcShape s, size_t threads) {
  MintQs8& b = cached<MintQs8>(s);
  const auto kernels = select_qs8_gemm(hardware_isa_mask());
  Qs8GemmParams params{};
  params.a_quant = &b.p.a_quant;
  params.a_quant_stride = 0;
  params.output = Qs8Output::kQs8;
  params.out_inv_scale = 1.0f / b.p.out_scale;
  params.out_zero_point = b.p.out_zero_point;
  params.out_min = -128;
  params.out_max = 127;
  pthreadpool_t pool = pool_for(threads);
  state.SetLabel((s.m == 1 ? kernels.gemv : kernels.gemm)->name);
  const size_t a_stride = round_up(s.k, kQs8KR);
  for (auto _ : state) {
    run_qs8_gemm(pool, kernels, s.m, s.n, s.k, b.p.a.data(), a_stride, b.packed.data(),
                 b.p.c.data(), s.n, params);
    benchmark::DoNotOptimize(b.p.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, s, "GOPS");
}

void bench_xnnpack_qs8(benchmark::State& state, FcShape s, size_t threads) {
  XnnQs8& b = cached<XnnQs8>(s);
  pthreadpool_t pool = pool_for(threads);
  if (b.op == nullptr || xnn_setup_fully_connected_nc_qs8(b.op, s.m, b.p.a.data(), b.p.c.data(),
                                                          pool) != xnn_status_success) {
    return state.SkipWithError("XNNPACK qs8 fully-connected: create or setup failed");
  }
  for (auto _ : state) {
    xnn_run_operator(b.op, pool);
    benchmark::DoNotOptimize(b.p.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, s, "GOPS");
}

// ---- summary ---------------------------------------------------------------------------------

// Benchmarks are named "<dtype>/<shape>/threads:<t>/<side>"; the summary groups by the first
// three fields.
struct RowKey {
  std::string dtype, shape;
  size_t threads;
  bool operator<(const RowKey& o) const {
    return std::tie(dtype, shape, threads) < std::tie(o.dtype, o.shape, o.threads);
  }
};
struct RowTimes {
  double mint_ns = NAN, xnnpack_ns = NAN;
  bool mint_median = false, xnnpack_median = false;
};

// Console output as usual, plus the per-iteration real time of every run kept for the summary:
// the "median" aggregate when there are repetitions, otherwise the single run.
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
      const size_t a = name.find('/'), b = name.find('/', a + 1), c = name.find('/', b + 1);
      if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
      RowKey key{name.substr(0, a), name.substr(a + 1, b - a - 1),
                 std::stoul(name.substr(b + 9, c - b - 9))};
      const std::string side = name.substr(c + 1);
      const double ns = run.GetAdjustedRealTime() * to_ns(run.time_unit);
      RowTimes& row = rows_[key];
      double& slot = side == "mint" ? row.mint_ns : row.xnnpack_ns;
      bool& slot_median = side == "mint" ? row.mint_median : row.xnnpack_median;
      if (median || !slot_median) {  // a median replaces single repetitions
        slot = ns;
        slot_median = median;
      }
    }
  }

  void PrintSummary() const {
    std::printf(
        "\nSummary (real time per call, median of repetitions; ratio = XNNPACK / mint, "
        "> 1 means mint is faster)\n");
    std::printf("%-5s %-22s %7s %12s %12s %7s\n", "dtype", "shape (MxK by KxN)", "threads",
                "mint us", "XNNPACK us", "ratio");
    for (const auto& [key, t] : rows_) {
      std::printf("%-5s %-22s %7zu %12.1f %12.1f %7.2f\n", key.dtype.c_str(), key.shape.c_str(),
                  key.threads, t.mint_ns / 1e3, t.xnnpack_ns / 1e3, t.xnnpack_ns / t.mint_ns);
    }
  }

 private:
  static double to_ns(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1.0;
      case benchmark::kMicrosecond:
        return 1e3;
      case benchmark::kMillisecond:
        return 1e6;
      case benchmark::kSecond:
        return 1e9;
    }
    return 1.0;
  }
  std::map<RowKey, RowTimes> rows_;
};

// Both sides compute the same fp32 layer: compare their outputs once per shape before timing,
// so that a mistake in the setup (layout, strides) cannot pass as a speedup.
bool check_f32_agreement() {
  bool ok = true;
  for (const FcShape& s : kShapes) {
    MintF32& m = cached<MintF32>(s);
    XnnF32& x = cached<XnnF32>(s);
    if (x.op == nullptr ||
        xnn_setup_fully_connected_nc_f32(x.op, s.m, x.p.a.data(), x.p.c.data(), nullptr) !=
            xnn_status_success ||
        xnn_run_operator(x.op, nullptr) != xnn_status_success) {
      std::fprintf(stderr, "check: XNNPACK fp32 %s failed to run\n", shape_name(s).c_str());
      ok = false;
      continue;
    }
    run_f32_gemm(nullptr, select_f32_gemm(hardware_isa_mask()), s.m, s.n, s.k, m.p.a.data(), s.k,
                 m.packed.data(), f32_gemm_panel_bytes(s.k), m.p.c.data(), s.n,
                 {-INFINITY, INFINITY});
    double worst = 0.0;
    for (size_t i = 0; i < m.p.c.size(); ++i) {
      // Sums of k products of magnitude <= 1: allow a few ulps of the sum's scale.
      worst = std::max(worst, std::fabs(double{m.p.c[i]} - x.p.c[i]) / std::sqrt(double(s.k)));
    }
    if (!(worst < 1e-4)) {
      std::fprintf(stderr, "check: fp32 %s: mint and XNNPACK differ (%g)\n", shape_name(s).c_str(),
                   worst);
      ok = false;
    }
  }
  return ok;
}

void register_all() {
  for (const FcShape& s : kShapes) {
    for (size_t t : kThreads) {
      const std::string mid = "/" + shape_name(s) + "/threads:" + std::to_string(t) + "/";
      benchmark::RegisterBenchmark(("fp32" + mid + "mint").c_str(), bench_mint_f32, s, t)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("fp32" + mid + "xnnpack").c_str(), bench_xnnpack_f32, s, t)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("int8" + mid + "mint").c_str(), bench_mint_qs8, s, t)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("int8" + mid + "xnnpack").c_str(), bench_xnnpack_qs8, s, t)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!check_f32_agreement()) return 1;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
