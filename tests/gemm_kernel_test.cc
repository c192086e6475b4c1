// One test per GEMM kernel family: every kernel in the family's list (kernels/*.inc) that this
// CPU runs is compared with the scalar reference on random shapes, odd sizes included.
// Integer kernels must match exactly; float kernels within a stated tolerance:
//     |c - ref| <= 1e-5 * (|bias| + sum_k |a_k * w_k|) + 1e-6
// (the error bound of a float dot product of length k summed in any order, with a margin).
#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compiler/prepack.h"
#include "kernels/fp16.h"
#include "kernels/registry.h"
#include "runtime/hardware.h"
#include "runtime/ops/gemm_operator.h"

namespace mint {

// Test names and failure messages show the kernel's name rather than its bytes.
template <typename Fn>
void PrintTo(const KernelInfo<Fn>& kernel, std::ostream* os) {
  *os << kernel.name;
}

namespace {

struct Shape {
  size_t m, n, k;
};

// Shapes for a kernel of the given MR: every m up to MR, n around panel edges, k odd and even.
std::vector<Shape> shapes_for(size_t mr) {
  std::vector<Shape> shapes;
  const size_t ns[] = {1, 3, 15, 16, 17, 31, 48, 67, 129};
  const size_t ks[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 33, 64, 127, 260, 1031, 4099};
  for (size_t m = 1; m <= mr; ++m) {
    for (size_t n : ns) {
      for (size_t k : ks) shapes.push_back({m, n, k});
    }
  }
  return shapes;
}

template <typename Fn>
std::string kernel_name(const testing::TestParamInfo<KernelInfo<Fn>>& info) {
  return info.param.name;
}

bool cpu_runs(Isa isa) { return (hardware_isa_mask() & isa_bit(isa)) != 0; }

// ---- f32 / f16 weights -------------------------------------------------------------------

void check_float_kernel(const F32GemmKernel& kernel, bool f16_weights) {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const Shape& s : shapes_for(kernel.mr)) {
    const size_t a_stride = s.k + 3, c_stride = s.n + 5;
    std::vector<float> a(s.m * a_stride), w(s.n * s.k), bias(s.n);
    for (float& v : a) v = dist(rng);
    for (float& v : w) v = dist(rng);
    for (float& v : bias) v = dist(rng);
    if (f16_weights) {
      for (float& v : w) v = f16_to_f32(f32_to_f16(v));
    }
    const auto packed = f16_weights ? pack_f16_gemm_weights(s.n, s.k, w.data(), bias.data())
                                    : pack_f32_gemm_weights(s.n, s.k, w.data(), bias.data());
    for (const auto& clamp : {F32MinMaxParams{-INFINITY, INFINITY}, F32MinMaxParams{-0.5f, 0.75f}}) {
      std::vector<float> c(s.m * c_stride, 123.0f);
      kernel.fn(s.m, s.n, s.k, a.data(), a_stride, packed.data(), c.data(), c_stride, &clamp);
      for (size_t i = 0; i < s.m; ++i) {
        for (size_t j = 0; j < s.n; ++j) {
          double ref = bias[j], mag = std::fabs(bias[j]);
          for (size_t kk = 0; kk < s.k; ++kk) {
            ref += double{a[i * a_stride + kk]} * w[j * s.k + kk];
            mag += std::fabs(double{a[i * a_stride + kk]} * w[j * s.k + kk]);
          }
          ref = std::min<double>(std::max<double>(ref, clamp.min), clamp.max);
          ASSERT_NEAR(c[i * c_stride + j], ref, 1e-5 * mag + 1e-6)
              << kernel.name << " m=" << s.m << " n=" << s.n << " k=" << s.k << " i=" << i
              << " j=" << j;
        }
        for (size_t j = s.n; j < c_stride; ++j) {
          ASSERT_EQ(c[i * c_stride + j], 123.0f) << kernel.name << ": wrote past n";
        }
      }
    }
  }
}

class F32GemmKernelTest : public testing::TestWithParam<F32GemmKernel> {};
TEST_P(F32GemmKernelTest, MatchesReference) {
  if (!cpu_runs(GetParam().isa)) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam().isa);
  check_float_kernel(GetParam(), false);
}
INSTANTIATE_TEST_SUITE_P(AllKernels, F32GemmKernelTest,
                         testing::ValuesIn(f32_gemm_kernels().begin(), f32_gemm_kernels().end()),
                         kernel_name<F32GemmFn>);

class F16wGemmKernelTest : public testing::TestWithParam<F32GemmKernel> {};
TEST_P(F16wGemmKernelTest, MatchesReference) {
  if (!cpu_runs(GetParam().isa)) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam().isa);
  check_float_kernel(GetParam(), true);
}
INSTANTIATE_TEST_SUITE_P(AllKernels, F16wGemmKernelTest,
                         testing::ValuesIn(f16w_gemm_kernels().begin(), f16w_gemm_kernels().end()),
                         kernel_name<F32GemmFn>);

// ---- int8 ------------------------------------------------------------------------------------

// The reference is the scalar kernel of MR 1, applied row by row; it implements the contract
// of kernels/gemm.h literally.
void qs8_reference(const Shape& s, const int8_t* a, size_t a_stride, const void* packed, void* c,
                   size_t c_stride, const Qs8GemmParams& params) {
  for (size_t i = 0; i < s.m; ++i) {
    Qs8GemmParams row_params = params;
    row_params.a_quant = params.a_quant + i * params.a_quant_stride;
    qs8_gemm_minmax_1x16c4_scalar(1, s.n, s.k, a + i * a_stride, a_stride, packed,
                                  static_cast<char*>(c) + i * c_stride, c_stride, &row_params);
  }
}

class Qs8GemmKernelTest : public testing::TestWithParam<Qs8GemmKernel> {};
TEST_P(Qs8GemmKernelTest, MatchesReferenceExactly) {
  const Qs8GemmKernel& kernel = GetParam();
  if (!cpu_runs(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> i8(-128, 127);
  std::uniform_real_distribution<float> unit(0.5f, 1.5f);
  for (const Shape& s : shapes_for(kernel.mr)) {
    const size_t kp = round_up(s.k, kQs8KR);
    const size_t a_stride = kp + 4;
    std::vector<int8_t> a(s.m * a_stride), w(s.n * s.k);
    for (auto& v : a) v = static_cast<int8_t>(i8(rng));  // garbage past k must not matter
    for (auto& v : w) v = static_cast<int8_t>(i8(rng));
    std::vector<float> w_scale(s.n), bias_f(s.n);
    std::vector<int32_t> bias_q(s.n);
    for (size_t j = 0; j < s.n; ++j) {
      w_scale[j] = 0.01f * unit(rng);
      bias_f[j] = unit(rng) - 1.0f;
      bias_q[j] = i8(rng) * 37;
    }
    const auto packed =
        pack_qs8_gemm_weights(s.n, s.k, w.data(), w_scale.data(), bias_q.data(), bias_f.data());
    std::vector<Qs8RowQuant> quant(s.m);
    for (auto& q : quant) q = {i8(rng) / 4, 0.02f * unit(rng)};
    for (const size_t quant_stride : {size_t{0}, size_t{1}}) {
      for (const Qs8Output output : {Qs8Output::kQs8, Qs8Output::kF32}) {
        Qs8GemmParams params{};
        params.a_quant = quant.data();
        params.a_quant_stride = quant_stride;
        params.output = output;
        params.out_inv_scale = 1.0f / (0.05f + 0.001f * s.k);
        params.out_zero_point = 3;
        params.out_min = -100;
        params.out_max = 120;
        params.f32_min = -5.0f;
        params.f32_max = 6.0f;
        const size_t elem = output == Qs8Output::kQs8 ? 1 : 4;
        const size_t c_stride = (s.n + 7) * elem;
        std::vector<uint8_t> c(s.m * c_stride, 0xAB), ref(s.m * c_stride, 0xAB);
        kernel.fn(s.m, s.n, s.k, a.data(), a_stride, packed.data(), c.data(), c_stride, &params);
        qs8_reference(s, a.data(), a_stride, packed.data(), ref.data(), c_stride, params);
        ASSERT_EQ(c, ref) << kernel.name << " m=" << s.m << " n=" << s.n << " k=" << s.k
                          << (output == Qs8Output::kQs8 ? " qs8" : " f32") << " out, quant stride "
                          << quant_stride;
      }
    }
  }
}
INSTANTIATE_TEST_SUITE_P(AllKernels, Qs8GemmKernelTest,
                         testing::ValuesIn(qs8_gemm_kernels().begin(), qs8_gemm_kernels().end()),
                         kernel_name<Qs8GemmFn>);

// The reference itself against a direct computation from unpacked data, so that the oracle is
// not trusted blindly.
TEST(Qs8GemmReference, MatchesDirectFormula) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> i8(-128, 127);
  const size_t n = 19, k = 37;
  std::vector<int8_t> a(round_up(k, 4)), w(n * k);
  for (auto& v : a) v = static_cast<int8_t>(i8(rng));
  for (auto& v : w) v = static_cast<int8_t>(i8(rng));
  std::vector<float> w_scale(n, 0.003f), bias_f(n, 0.25f);
  std::vector<int32_t> bias_q(n, -40);
  const auto packed = pack_qs8_gemm_weights(n, k, w.data(), w_scale.data(), bias_q.data(), bias_f.data());
  const Qs8RowQuant q{5, 0.01f};
  Qs8GemmParams p{};
  p.a_quant = &q;
  p.output = Qs8Output::kF32;
  p.f32_min = -INFINITY;
  p.f32_max = INFINITY;
  std::vector<float> c(n);
  qs8_gemm_minmax_1x16c4_scalar(1, n, k, a.data(), a.size(), packed.data(), c.data(), 0, &p);
  for (size_t j = 0; j < n; ++j) {
    int32_t acc = bias_q[j];
    for (size_t kk = 0; kk < k; ++kk) acc += (a[kk] - q.zero_point) * int32_t{w[j * k + kk]};
    EXPECT_EQ(c[j], static_cast<float>(acc) * (q.scale * w_scale[j]) + bias_f[j]) << j;
  }
}

// ---- threaded operators (runtime/ops/gemm_operator.h) ----------------------------------------

// run_f32_gemm / run_qs8_gemm tile the output over 1 and 2 threads with the best kernels of this
// CPU; every output must match the reference (exactly for qs8), whatever the tiling.
TEST(GemmOperator, ThreadedTilingMatchesReference) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::uniform_int_distribution<int> i8(-128, 127);
  const auto f32_kernels = select_f32_gemm(hardware_isa_mask());
  const auto qs8_kernels = select_qs8_gemm(hardware_isa_mask());
  for (const size_t threads : {size_t{1}, size_t{2}}) {
    pthreadpool_t pool = pthreadpool_create(threads);
    for (const Shape s : {Shape{1, 1, 1}, Shape{1, 300, 70}, Shape{2, 17, 9}, Shape{9, 33, 65},
                          Shape{17, 100, 40}, Shape{40, 700, 19}, Shape{130, 48, 33}}) {
      // f32
      const size_t a_stride = s.k + 1, c_stride = s.n + 2;
      std::vector<float> a(s.m * a_stride), w(s.n * s.k), bias(s.n), c(s.m * c_stride, 7.0f);
      for (float& v : a) v = dist(rng);
      for (float& v : w) v = dist(rng);
      for (float& v : bias) v = dist(rng);
      const auto packed = pack_f32_gemm_weights(s.n, s.k, w.data(), bias.data());
      run_f32_gemm(pool, f32_kernels, s.m, s.n, s.k, a.data(), a_stride, packed.data(),
                   f32_gemm_panel_bytes(s.k), c.data(), c_stride, {-INFINITY, INFINITY});
      for (size_t i = 0; i < s.m; ++i) {
        for (size_t j = 0; j < c_stride; ++j) {
          if (j >= s.n) {
            ASSERT_EQ(c[i * c_stride + j], 7.0f) << "wrote past n";
            continue;
          }
          double ref = bias[j], mag = std::fabs(bias[j]);
          for (size_t kk = 0; kk < s.k; ++kk) {
            ref += double{a[i * a_stride + kk]} * w[j * s.k + kk];
            mag += std::fabs(double{a[i * a_stride + kk]} * w[j * s.k + kk]);
          }
          ASSERT_NEAR(c[i * c_stride + j], ref, 1e-5 * mag + 1e-6)
              << "f32 threads=" << threads << " m=" << s.m << " n=" << s.n << " k=" << s.k;
        }
      }
      // qs8, per-row activation quantization, qs8 output
      const size_t kp = round_up(s.k, kQs8KR);
      std::vector<int8_t> qa(s.m * kp), qw(s.n * s.k);
      for (auto& v : qa) v = static_cast<int8_t>(i8(rng));
      for (auto& v : qw) v = static_cast<int8_t>(i8(rng));
      std::vector<float> w_scale(s.n, 0.004f);
      std::vector<int32_t> bias_q(s.n);
      for (auto& v : bias_q) v = i8(rng) * 11;
      const auto qpacked =
          pack_qs8_gemm_weights(s.n, s.k, qw.data(), w_scale.data(), bias_q.data(), nullptr);
      std::vector<Qs8RowQuant> quant(s.m);
      for (auto& q : quant) q = {i8(rng) / 8, 0.03f};
      Qs8GemmParams params{};
      params.a_quant = quant.data();
      params.a_quant_stride = 1;
      params.output = Qs8Output::kQs8;
      params.out_inv_scale = 1.0f / (0.02f * std::sqrt(static_cast<float>(s.k)));
      params.out_zero_point = -2;
      params.out_min = -120;
      params.out_max = 125;
      std::vector<uint8_t> qc(s.m * c_stride, 0xCD), qref(s.m * c_stride, 0xCD);
      run_qs8_gemm(pool, qs8_kernels, s.m, s.n, s.k, qa.data(), kp, qpacked.data(), qc.data(),
                   c_stride, params);
      qs8_reference(s, qa.data(), kp, qpacked.data(), qref.data(), c_stride, params);
      ASSERT_EQ(qc, qref) << "qs8 threads=" << threads << " m=" << s.m << " n=" << s.n
                          << " k=" << s.k;
    }
    pthreadpool_destroy(pool);
  }
}

TEST(KernelSelection, PrefersBestIsaAndFallsBackToScalar) {
  const auto scalar = select_f32_gemm(isa_bit(Isa::kScalar));
  EXPECT_EQ(scalar.gemm->isa, Isa::kScalar);
  EXPECT_EQ(scalar.gemv->mr, 1u);
  const auto best = select_qs8_gemm(hardware_isa_mask());
  EXPECT_TRUE(hardware_isa_mask() & isa_bit(best.gemm->isa));
  EXPECT_GT(best.gemm->mr, 1u);
  EXPECT_EQ(best.gemv->mr, 1u);
}

}  // namespace
}  // namespace mint
