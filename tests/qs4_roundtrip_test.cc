// Graph -> plan -> run round trips of fully_connected with int4 group-wise weights
// (CompileOptions::weights = kInt4): every group size, symmetric and asymmetric, every ISA
// level this machine has, 1 and 2 threads. The result is compared with double-precision
// arithmetic on the dequantized weights (the compiler's quantization, replayed here), within
// the bound of the activation quantization:
//     |y - ref| <= sum_g (scale_g / 2) sum_{kk in g} |w_deq| + 1e-5 (|b| + sum |x w_deq|) + 1e-6
// (scale_g: the per-group activation scale, |x - scale q| <= scale / 2). The integer paths are
// exact, so every ISA and thread count must give the same bits.
#include <gtest/gtest.h>

#include <cmath>

#include "compiler/prepack.h"
#include "kernels/qs4_gemm.h"
#include "runtime/model.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::CompileOptions;
using compiler::GraphBuilder;
using compiler::ValueId;
using compiler::WeightPrecision;
using namespace testing_util;

struct FcCase {
  size_t m, k, n;
};

std::vector<uint8_t> build_fc(const FcCase& c, const std::vector<float>& w,
                              const std::vector<float>& bias, plan::Activation act,
                              const CompileOptions& options) {
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {int64_t(c.m), int64_t(c.k)});
  const ValueId y = b.fully_connected(x, b.constant_f32("w", {int64_t(c.n), int64_t(c.k)}, w),
                                      b.constant_f32("b", {int64_t(c.n)}, bias), act, "fc");
  b.output(y);
  return compile_or_die(b, options);
}

TEST(Qs4FullyConnected, RoundTripMatchesDequantizedReference) {
  std::mt19937 rng(2024);
  for (const FcCase c : {FcCase{1, 256, 40}, FcCase{5, 128, 17}, FcCase{1, 768, 96}}) {
    const std::vector<float> w = random_floats(rng, c.n * c.k, -0.5f, 0.5f);
    const std::vector<float> bias = random_floats(rng, c.n);
    const std::vector<float> x = random_floats(rng, c.m * c.k, -2.0f, 2.0f);
    for (size_t gs : {32, 64, 128}) {
      for (bool asym : {false, true}) {
        for (plan::Activation act : {plan::Activation::none, plan::Activation::relu}) {
          CompileOptions options;
          options.weights = WeightPrecision::kInt4;
          options.int4_group_size = static_cast<uint32_t>(gs);
          options.int4_asymmetric = asym;
          AlignedPlan plan(build_fc(c, w, bias, act, options));
          // The reference: dequantized weights, and the activation scales of the bound.
          const auto deq = dequantize_qs4_weights(quantize_qs4_weights(c.n, c.k, w.data(), gs, asym));
          const size_t ng = qs4_group_count(c.k, gs);
          std::vector<int8_t> q(c.m * ng * gs);
          std::vector<Qs4ActQuant> aq(c.m * ng);
          qs4_quantize_rows_scalar(c.m, c.k, gs, x.data(), c.k, q.data(), ng * gs, aq.data());
          std::vector<float> first;
          for (const std::string& isa : available_isas()) {
            for (size_t threads : {size_t{1}, size_t{2}}) {
              const std::vector<float> y = run_f32(plan, {x}, threads, isa.c_str());
              ASSERT_EQ(y.size(), c.m * c.n);
              for (size_t i = 0; i < c.m; ++i) {
                for (size_t j = 0; j < c.n; ++j) {
                  double ref = bias[j], mag = std::fabs(bias[j]), bound = 0.0;
                  for (size_t kk = 0; kk < c.k; ++kk) {
                    const double prod = double{x[i * c.k + kk]} * deq[j * c.k + kk];
                    ref += prod;
                    mag += std::fabs(prod);
                    bound += 0.5 * aq[i * ng + kk / gs].scale * std::fabs(deq[j * c.k + kk]);
                  }
                  if (act == plan::Activation::relu) ref = std::max(ref, 0.0);
                  ASSERT_NEAR(y[i * c.n + j], ref, bound + 1e-5 * mag + 1e-6)
                      << "G=" << gs << (asym ? " asym" : " sym") << " isa " << isa << " threads "
                      << threads << " at " << i << "," << j;
                }
              }
              if (first.empty()) {
                first = y;
              } else {
                ASSERT_EQ(y, first) << "isa " << isa << " threads " << threads;
              }
            }
          }
        }
      }
    }
  }
}

// The plan records the int4 tensor as dtype i4, layout gemm_qs4, per_group on axis 1; a k
// that the group size does not divide falls back to int8 weights.
TEST(Qs4FullyConnected, PlanTensorsAndInt8Fallback) {
  std::mt19937 rng(8);
  for (const FcCase c : {FcCase{2, 64, 20}, FcCase{2, 100, 20}}) {
    const std::vector<float> w = random_floats(rng, c.n * c.k, -0.5f, 0.5f);
    CompileOptions options;
    options.weights = WeightPrecision::kInt4;
    options.int4_group_size = 64;
    options.int4_asymmetric = true;
    AlignedPlan plan(build_fc(c, w, std::vector<float>(c.n, 0.0f), plan::Activation::none, options));
    auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    bool found = false;
    for (const TensorDesc& t : model.value()->tensors()) {
      if (t.storage != plan::Storage::constant) continue;
      found = true;
      if (c.k % 64 == 0) {
        EXPECT_EQ(t.dtype, DType::i4);
        EXPECT_EQ(t.layout, plan::Layout::gemm_qs4);
        EXPECT_EQ(t.quant.kind, plan::QuantKind::per_group);
        EXPECT_EQ(t.quant.axis, 1);
        EXPECT_EQ(t.quant.group_size, 64);
        EXPECT_EQ(t.quant.count, c.n * c.k / 64);
        EXPECT_NE(t.quant.zero_points, nullptr);
        EXPECT_EQ(t.byte_size, gemm_panel_count(c.n) * qs4_gemm_panel_bytes(c.k, 64));
      } else {
        EXPECT_EQ(t.layout, plan::Layout::gemm_qs8);
      }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(run_f32(plan, {random_floats(rng, c.m * c.k)}).size(), c.m * c.n);
  }
}

TEST(Qs4FullyConnected, RejectsBadGroupSize) {
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {1, 64});
  b.output(b.fully_connected(x, b.constant_f32("w", {4, 64}, std::vector<float>(256, 0.5f)),
                             compiler::kInvalidValue, plan::Activation::none, "fc"));
  auto graph = b.finish();
  ASSERT_TRUE(graph.is_ok());
  CompileOptions options;
  options.weights = WeightPrecision::kInt4;
  options.int4_group_size = 48;
  auto bytes = compiler::compile(std::move(graph).value(), options);
  ASSERT_FALSE(bytes.is_ok());
  EXPECT_NE(bytes.status().message().find("group size 48"), std::string::npos)
      << bytes.status().message();
}

}  // namespace
}  // namespace mint
