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
// A third side, "floor", only reads the layer's weights (K x N elements of the dtype, unpacked,
// 64-byte aligned) with the widest vector loads this CPU has, split into one contiguous part per
// thread on the same pool. No GEMV can take less time than reading its weights once, so on the
// GEMV rows the floor is the memory roofline of this machine, and XNNPACK / floor is the highest
// ratio any kernel could reach against XNNPACK there.
//
// After the Google Benchmark table the program prints a summary, one row per
// (dtype, shape, threads): the median over repetitions (or the single run) of each side, the
// ratio XNNPACK / mint (> 1 means mint is faster), the floor and that ceiling XNNPACK / floor.
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

#if defined(__x86_64__)
// GCC 12's _mm512_undefined_*() self-initialise a variable, which -Wuninitialized reports where
// _mm512_reduce_add_epi64 is inlined (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

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

// ---- floor: reading the weights once ---------------------------------------------------------

// Sums `bytes` (a multiple of 256) from `p` with four independent accumulators, so that the loop
// is bound by the loads alone. Returns the sum so the reads cannot be dropped.
#if defined(__x86_64__)
__attribute__((target("avx512f"))) uint64_t read_bytes_avx512(const uint8_t* p, size_t bytes) {
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < bytes; i += 256) {
    s0 = _mm512_add_epi64(s0, _mm512_load_si512(p + i));
    s1 = _mm512_add_epi64(s1, _mm512_load_si512(p + i + 64));
    s2 = _mm512_add_epi64(s2, _mm512_load_si512(p + i + 128));
    s3 = _mm512_add_epi64(s3, _mm512_load_si512(p + i + 192));
  }
  return _mm512_reduce_add_epi64(
      _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3)));
}
__attribute__((target("avx2"))) uint64_t read_bytes_avx2(const uint8_t* p, size_t bytes) {
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < bytes; i += 128) {
    s0 = _mm256_add_epi64(s0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    s1 = _mm256_add_epi64(s1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    s2 = _mm256_add_epi64(s2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    s3 = _mm256_add_epi64(s3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                     _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)));
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}
#endif

// Portable: eight 64-bit loads per step (GCC vectorises this with NEON on aarch64 at -O3; at -O2
// the loads are still independent and the loop is load-bound).
uint64_t read_bytes_portable(const uint8_t* p, size_t bytes) {
  uint64_t s[8] = {};
  for (size_t i = 0; i < bytes; i += 64) {
    for (size_t j = 0; j < 8; ++j) {
      uint64_t v;
      std::memcpy(&v, p + i + 8 * j, sizeof(v));
      s[j] += v;
    }
  }
  uint64_t total = 0;
  for (uint64_t v : s) total += v;
  return total;
}

using ReadBytesFn = uint64_t (*)(const uint8_t*, size_t);

ReadBytesFn widest_read_bytes() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return read_bytes_avx512;
  if (__builtin_cpu_supports("avx2")) return read_bytes_avx2;
#endif
  return read_bytes_portable;
}

// The floor reads the first K x N x sizeof(element) bytes of mint's packed weights: the pages mint
// reads (so that cache placement, which matters for weights about the size of L2, is the same),
// less the panel headers (bias, scales), rounded down to whole 256-byte steps.
template <typename Mint>
std::pair<const uint8_t*, size_t> weight_bytes(const FcShape& s, size_t elem_bytes) {
  return {cached<Mint>(s).packed.data(), s.k * s.n * elem_bytes / 256 * 256};
}

struct ReadContext {
  ReadBytesFn fn;
  const uint8_t* data;
  size_t part_bytes, total_bytes;
  uint64_t sums[2];
};

void read_part(void* context, size_t part) {
  auto* ctx = static_cast<ReadContext*>(context);
  const size_t begin = part * ctx->part_bytes;
  const size_t end = std::min(ctx->total_bytes, begin + ctx->part_bytes);
  if (begin < end) ctx->sums[part % 2] += ctx->fn(ctx->data + begin, end - begin);
}

template <typename Mint, size_t kElemBytes>
void bench_floor(benchmark::State& state, FcShape s, size_t threads) {
  const auto [data, size] = weight_bytes<Mint>(s, kElemBytes);
  pthreadpool_t pool = pool_for(threads);
  ReadContext ctx{
      widest_read_bytes(), data, round_up((size + threads - 1) / threads, 256), size, {0, 0}};
  for (auto _ : state) {
    if (threads <= 1) {
      read_part(&ctx, 0);
    } else {
      pthreadpool_parallelize_1d(pool, read_part, &ctx, threads, 0);
    }
    benchmark::DoNotOptimize(ctx.sums);
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(size) * state.iterations(),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

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
enum Side { kMint, kXnnpack, kFloor, kSides };
struct RowTimes {
  double ns[kSides] = {NAN, NAN, NAN};
  bool median[kSides] = {false, false, false};
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
      const Side which = side == "mint" ? kMint : side == "xnnpack" ? kXnnpack : kFloor;
      RowTimes& row = rows_[key];
      if (median || !row.median[which]) {  // a median replaces single repetitions
        row.ns[which] = ns;
        row.median[which] = median;
      }
    }
  }

  void PrintSummary() const {
    std::printf(
        "\nSummary (real time per call, median of repetitions; ratio = XNNPACK / mint, "
        "> 1 means mint is faster;\n floor = reading the weights once, ceiling = XNNPACK / floor, "
        "the highest ratio a kernel bound by that read could reach)\n");
    std::printf("%-5s %-22s %7s %10s %11s %7s %10s %8s\n", "dtype", "shape (MxK by KxN)", "threads",
                "mint us", "XNNPACK us", "ratio", "floor us", "ceiling");
    for (const auto& [key, t] : rows_) {
      std::printf("%-5s %-22s %7zu %10.1f %11.1f %7.2f", key.dtype.c_str(), key.shape.c_str(),
                  key.threads, t.ns[kMint] / 1e3, t.ns[kXnnpack] / 1e3,
                  t.ns[kXnnpack] / t.ns[kMint]);
      if (std::isnan(t.ns[kFloor])) {
        std::printf(" %10s %8s\n", "-", "-");
      } else {
        std::printf(" %10.1f %8.2f\n", t.ns[kFloor] / 1e3, t.ns[kXnnpack] / t.ns[kFloor]);
      }
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
      // The floor bounds a GEMV (each weight used once); a GEMM reuses its weights M times and
      // is bound by arithmetic, so it gets no floor.
      if (s.m != 1) continue;
      benchmark::RegisterBenchmark(("fp32" + mid + "floor").c_str(),
                                   bench_floor<MintF32, sizeof(float)>, s, t)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("int8" + mid + "floor").c_str(),
                                   bench_floor<MintQs8, sizeof(int8_t)>, s, t)
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
