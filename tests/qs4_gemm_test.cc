// The qs4 GEMM family (kernels/qs4_gemm.h): every kernel of kernels/qs4_gemm.inc that this CPU
// runs against the scalar reference, bit for bit (the contract fixes every float operation and
// its order); the reference against a direct computation from unpacked weights; the activation
// quantizer and the weight quantizer against their contracts; the threaded operator.
#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compiler/prepack.h"
#include "kernels/fp16.h"
#include "kernels/qs4_gemm.h"
#include "kernels/registry.h"
#include "runtime/hardware.h"
#include "runtime/ops/gemm_operator.h"

namespace mint {

template <typename Fn>
void PrintTo(const KernelInfo<Fn>& kernel, std::ostream* os) {
  *os << kernel.name;
}

namespace {

bool cpu_runs(Isa isa) { return (hardware_isa_mask() & isa_bit(isa)) != 0; }

std::vector<float> random_floats(std::mt19937& rng, size_t count, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng);
  return v;
}

// Activations quantized with the reference quantizer into rows of q_stride bytes (> kp; the
// bytes past kp hold garbage the kernels must not read into the result).
struct QuantRows {
  std::vector<int8_t> q;
  std::vector<Qs4ActQuant> quant;
  size_t stride = 0, ng = 0;
};

QuantRows quantize(size_t m, size_t k, size_t gs, const std::vector<float>& x) {
  QuantRows r;
  r.ng = qs4_group_count(k, gs);
  r.stride = r.ng * gs + 8;
  r.q.assign(m * r.stride, int8_t{0x55});
  r.quant.resize(m * r.ng);
  qs4_quantize_rows_scalar(m, k, gs, x.data(), k, r.q.data(), r.stride, r.quant.data());
  return r;
}

Qs4GemmParams params_for(const QuantRows& r, size_t gs, float lo, float hi) {
  return {r.quant.data(), r.ng, gs, lo, hi};
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class Qs4GemmKernelTest : public testing::TestWithParam<Qs4GemmKernel> {};

TEST_P(Qs4GemmKernelTest, MatchesReferenceExactly) {
  const Qs4GemmKernel& kernel = GetParam();
  if (!cpu_runs(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
  std::mt19937 rng(4321);
  const size_t ns[] = {1, 5, 16, 17, 33, 64, 67};
  const size_t ks[] = {1, 31, 32, 33, 100, 128, 257, 768};
  for (size_t m = 1; m <= kernel.mr; ++m) {
    for (size_t gs : {32, 64, 128}) {
      for (bool asym : {false, true}) {
        for (size_t n : ns) {
          for (size_t k : ks) {
            const auto w = random_floats(rng, n * k, -1.0f, asym ? 3.0f : 1.0f);
            const auto bias = random_floats(rng, n, -1.0f, 1.0f);
            const auto x = random_floats(rng, m * k, -2.0f, 2.0f);
            const auto packed = pack_qs4_gemm_weights(quantize_qs4_weights(n, k, w.data(), gs, asym),
                                                      bias.data());
            const QuantRows r = quantize(m, k, gs, x);
            for (const auto& clamp : {std::pair<float, float>{-INFINITY, INFINITY}, {-0.5f, 0.75f}}) {
              const Qs4GemmParams p = params_for(r, gs, clamp.first, clamp.second);
              const size_t c_stride = n + 3;
              std::vector<float> c(m * c_stride, 123.0f), ref(m * c_stride, 123.0f);
              kernel.fn(m, n, k, r.q.data(), r.stride, packed.data(), c.data(), c_stride, &p);
              qs4_gemm_minmax_4x16c8_scalar(m, n, k, r.q.data(), r.stride, packed.data(),
                                            ref.data(), c_stride, &p);
              ASSERT_TRUE(same_bits(c, ref))
                  << kernel.name << " m=" << m << " n=" << n << " k=" << k << " G=" << gs
                  << (asym ? " asymmetric" : " symmetric") << " clamp " << clamp.first;
            }
          }
        }
      }
    }
  }
}
INSTANTIATE_TEST_SUITE_P(AllKernels, Qs4GemmKernelTest,
                         testing::ValuesIn(qs4_gemm_kernels().begin(), qs4_gemm_kernels().end()),
                         [](const testing::TestParamInfo<Qs4GemmKernel>& info) {
                           return std::string(info.param.name);
                         });

// The reference against the contract's formula evaluated from the unpacked weights.
TEST(Qs4GemmReference, MatchesDirectFormula) {
  std::mt19937 rng(11);
  for (bool asym : {false, true}) {
    const size_t m = 3, n = 21, k = 100, gs = 32, ng = 4, kp = 128;
    const auto w = random_floats(rng, n * k, -1.0f, 2.0f);
    const auto bias = random_floats(rng, n, -1.0f, 1.0f);
    const auto x = random_floats(rng, m * k, -1.0f, 1.0f);
    const Qs4Weights qw = quantize_qs4_weights(n, k, w.data(), gs, asym);
    const auto packed = pack_qs4_gemm_weights(qw, bias.data());
    ASSERT_EQ(packed.size(), gemm_panel_count(n) * qs4_gemm_panel_bytes(k, gs));
    const QuantRows r = quantize(m, k, gs, x);
    const Qs4GemmParams p = params_for(r, gs, -INFINITY, INFINITY);
    std::vector<float> c(m * n);
    qs4_gemm_minmax_1x16c8_scalar(m, n, k, r.q.data(), r.stride, packed.data(), c.data(), n, &p);
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j) {
        float out = bias[j];
        for (size_t g = 0; g < ng; ++g) {
          int32_t acc = 0;
          for (size_t kk = g * gs; kk < (g + 1) * gs; ++kk) {
            acc += int32_t{r.q[i * r.stride + kk]} *
                   (int32_t{qw.q[j * kp + kk]} - int32_t{qw.zero[j * ng + g]});
          }
          const float s = r.quant[i * ng + g].scale * f16_to_f32(qw.scale[j * ng + g]);
          const float prod = static_cast<float>(acc) * s;
          out = out + prod;
        }
        ASSERT_EQ(c[i * n + j], out) << (asym ? "asym" : "sym") << " i=" << i << " j=" << j;
      }
    }
  }
}

TEST(Qs4QuantizeRows, FollowsContract) {
  const size_t k = 40, gs = 32;  // two groups, the second 8 values then padding
  std::vector<float> x(k);
  for (size_t kk = 0; kk < k; ++kk) x[kk] = (kk % 2 ? -0.5f : 0.25f) * static_cast<float>(kk + 1);
  std::vector<int8_t> q(64, 0x11);
  Qs4ActQuant quant[2];
  qs4_quantize_rows_scalar(1, k, gs, x.data(), k, q.data(), q.size(), quant);
  for (size_t g = 0; g < 2; ++g) {
    float amax = 0.0f;
    for (size_t kk = g * gs; kk < std::min(k, (g + 1) * gs); ++kk) amax = std::max(amax, std::fabs(x[kk]));
    EXPECT_EQ(quant[g].scale, amax / 127.0f);
    int32_t sum = 0;
    for (size_t kk = g * gs; kk < (g + 1) * gs; ++kk) {
      const int32_t want = kk < k ? static_cast<int32_t>(std::nearbyint(x[kk] * (127.0f / amax))) : 0;
      EXPECT_EQ(q[kk], want) << kk;
      sum += q[kk];
    }
    EXPECT_EQ(quant[g].sum, sum);
  }
  // An all-zero group: scale 0, all q 0.
  std::vector<float> zeros(32, 0.0f);
  qs4_quantize_rows_scalar(1, 32, 32, zeros.data(), 32, q.data(), 32, quant);
  EXPECT_EQ(quant[0].scale, 0.0f);
  EXPECT_EQ(quant[0].sum, 0);
}

// Dequantized weights are within one step d of the originals (half a step from rounding, up
// to a whole one where the symmetric range [-8, 7] d clamps the +8 end, or the asymmetric zero
// point rounds), plus 1% for the f16 rounding of d (15 steps of relative error 2^-11 each).
TEST(Qs4QuantizeWeights, WithinOneStep) {
  std::mt19937 rng(5);
  for (bool asym : {false, true}) {
    for (size_t gs : {32, 64, 128}) {
      const size_t n = 9, k = 300;
      const auto w = random_floats(rng, n * k, asym ? -0.2f : -1.0f, 1.0f);
      const Qs4Weights qw = quantize_qs4_weights(n, k, w.data(), gs, asym);
      const auto deq = dequantize_qs4_weights(qw);
      const size_t ng = qs4_group_count(k, gs);
      for (size_t j = 0; j < n; ++j) {
        for (size_t kk = 0; kk < k; ++kk) {
          const float d = std::fabs(f16_to_f32(qw.scale[j * ng + kk / gs]));
          ASSERT_LE(std::fabs(deq[j * k + kk] - w[j * k + kk]), d * 1.01f)
              << (asym ? "asym" : "sym") << " G=" << gs << " j=" << j << " k=" << kk;
        }
      }
    }
  }
}

// The result against f32 arithmetic on the dequantized weights: the only approximation left is
// the activation quantization, |x - scale q| <= scale / 2 per element, so
//   |c - ref| <= sum_g (scale_g / 2) sum_{kk in g} |w_deq| + 1e-5 (|bias| + sum |x w_deq|) + 1e-6.
TEST(Qs4GemmReference, WithinActivationQuantizationBound) {
  std::mt19937 rng(77);
  for (bool asym : {false, true}) {
    for (size_t gs : {32, 128}) {
      const size_t m = 2, n = 40, k = 333;
      const auto w = random_floats(rng, n * k, -1.0f, 1.0f);
      const auto bias = random_floats(rng, n, -1.0f, 1.0f);
      const auto x = random_floats(rng, m * k, -3.0f, 3.0f);
      const Qs4Weights qw = quantize_qs4_weights(n, k, w.data(), gs, asym);
      const auto deq = dequantize_qs4_weights(qw);
      const QuantRows r = quantize(m, k, gs, x);
      const Qs4GemmParams p = params_for(r, gs, -INFINITY, INFINITY);
      std::vector<float> c(m * n);
      const auto packed = pack_qs4_gemm_weights(qw, bias.data());
      qs4_gemm_minmax_4x16c8_scalar(m, n, k, r.q.data(), r.stride, packed.data(), c.data(), n, &p);
      for (size_t i = 0; i < m; ++i) {
        for (size_t j = 0; j < n; ++j) {
          double ref = bias[j], mag = std::fabs(bias[j]), bound = 0.0;
          for (size_t kk = 0; kk < k; ++kk) {
            const double prod = double{x[i * k + kk]} * deq[j * k + kk];
            ref += prod;
            mag += std::fabs(prod);
            bound += 0.5 * r.quant[i * r.ng + kk / gs].scale * std::fabs(deq[j * k + kk]);
          }
          ASSERT_NEAR(c[i * n + j], ref, bound + 1e-5 * mag + 1e-6) << i << "," << j;
        }
      }
    }
  }
}

// run_qs4_gemm tiles over 1 and 2 threads with the best kernels here; bit-exact with the
// reference whatever the tiling.
TEST(Qs4GemmOperator, ThreadedTilingMatchesReference) {
  std::mt19937 rng(3);
  const auto kernels = select_qs4_gemm(hardware_isa_mask());
  struct S { size_t m, n, k, gs; };
  for (const S s : {S{1, 3072, 768, 32}, S{1, 200, 576, 64}, S{7, 96, 256, 128}, S{33, 50, 64, 32}}) {
    const auto w = random_floats(rng, s.n * s.k, -1.0f, 1.0f);
    const auto bias = random_floats(rng, s.n, -1.0f, 1.0f);
    const auto x = random_floats(rng, s.m * s.k, -1.0f, 1.0f);
    const auto packed = pack_qs4_gemm_weights(quantize_qs4_weights(s.n, s.k, w.data(), s.gs, true),
                                              bias.data());
    const QuantRows r = quantize(s.m, s.k, s.gs, x);
    const Qs4GemmParams p = params_for(r, s.gs, -INFINITY, INFINITY);
    std::vector<float> ref(s.m * s.n);
    for (size_t i = 0; i < s.m; ++i) {
      Qs4GemmParams row = p;
      row.a_quant = p.a_quant + i * r.ng;
      qs4_gemm_minmax_1x16c8_scalar(1, s.n, s.k, r.q.data() + i * r.stride, r.stride,
                                    packed.data(), ref.data() + i * s.n, s.n, &row);
    }
    for (size_t threads : {1, 2}) {
      pthreadpool_t pool = pthreadpool_create(threads);
      std::vector<float> c(s.m * s.n, -1.0f);
      run_qs4_gemm(pool, kernels, s.m, s.n, s.k, r.q.data(), r.stride, packed.data(), c.data(), s.n, p);
      pthreadpool_destroy(pool);
      ASSERT_TRUE(same_bits(c, ref)) << "threads=" << threads << " m=" << s.m << " n=" << s.n;
    }
  }
}

}  // namespace
}  // namespace mint
