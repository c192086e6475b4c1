// The f32 activation family (kernels/elementwise.h, list kernels/activation.inc): every variant
// the CPU runs is compared with the scalar reference for tanh, sigmoid, gelu, gelu_tanh and silu
// on uniform inputs of several ranges (1e-3 .. 1e3), special values (+-0, +-inf, NaN, the edges
// of exp's range, denormals, +-1e30), every length 1..67 (all vector tails), misaligned starts
// and in place. The bound is the one kernels/elementwise.h states:
//   |y - ref| <= 2^-23 * (6 |ref| + 2 |x| [gelu and gelu_tanh, x < 0 only]) + 1e-35,
// NaN exactly where the reference gives NaN, and the reference's infinities. The ops pick the
// best variant at session creation and the reference under max_isa "scalar".
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "kernels/elementwise.h"
#include "runtime/hardware.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

enum Fn { kTanh, kSigmoid, kGelu, kGeluTanh, kSilu, kFnCount };
const char* const kFnName[kFnCount] = {"tanh", "sigmoid", "gelu", "gelu_tanh", "silu"};

F32UnaryFn fn_of(const F32ActivationKernel& k, int f) {
  const F32UnaryFn fns[kFnCount] = {k.tanh, k.sigmoid, k.gelu, k.gelu_tanh, k.silu};
  return fns[f];
}

bool runs_here(const F32ActivationKernel& k) {
  return k.isa == Isa::kScalar || (hardware_isa_mask() & isa_bit(k.isa)) != 0;
}

// The stated bound for one element; also returns how much of it the error used.
double allowed_error(int f, float x, float ref) {
  const bool cancels = (f == kGelu || f == kGeluTanh) && x < 0;
  return 0x1p-23 * (6.0 * std::fabs(ref) + (cancels ? 2.0 * std::fabs(x) : 0.0)) + 1e-35;
}

// Compares y with ref element by element; returns the largest error / bound ratio seen.
double check(const char* isa, int f, const std::vector<float>& x, const std::vector<float>& ref,
             const std::vector<float>& y, const std::string& where) {
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(ref[i]) || std::isnan(y[i])) {
      EXPECT_EQ(std::isnan(ref[i]), std::isnan(y[i]))
          << isa << " " << kFnName[f] << " " << where << " x=" << x[i] << " y=" << y[i]
          << " ref=" << ref[i];
      continue;
    }
    if (std::isinf(ref[i]) || std::isinf(y[i])) {
      EXPECT_EQ(ref[i], y[i]) << isa << " " << kFnName[f] << " " << where << " x=" << x[i];
      continue;
    }
    const double err = std::fabs(static_cast<double>(y[i]) - ref[i]);
    const double bound = allowed_error(f, x[i], ref[i]);
    worst = std::max(worst, err / bound);
    EXPECT_LE(err, bound) << isa << " " << kFnName[f] << " " << where << " x=" << x[i]
                          << " y=" << y[i] << " ref=" << ref[i];
  }
  return worst;
}

std::vector<float> specials() {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float denorm = std::numeric_limits<float>::denorm_min();
  std::vector<float> s = {0.0f,
                          -0.0f,
                          inf,
                          -inf,
                          nan,
                          -nan,
                          87.3f,
                          87.4f,
                          88.0f,
                          88.8f,
                          89.0f,
                          -87.3f,
                          -87.4f,
                          -88.0f,
                          -89.0f,
                          -103.0f,
                          -104.0f,
                          1e30f,
                          -1e30f,
                          denorm,
                          -denorm,
                          1e-38f,
                          -1e-38f,
                          0.625f,
                          -0.625f,
                          0.62499f,
                          -0.62501f,
                          1e-20f,
                          -1e-20f,
                          9.0f,
                          -9.0f,
                          std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max()};
  return s;
}

TEST(ActivationKernels, EveryVariantMatchesTheReference) {
  size_t count = 0;
  const F32ActivationKernel* ks = f32_activation_kernels(&count);
  ASSERT_GE(count, 1u);
  ASSERT_EQ(ks[0].isa, Isa::kScalar);
  std::mt19937 rng(11);
  std::vector<std::vector<float>> inputs;
  for (float range : {1e-3f, 1.0f, 4.0f, 10.0f, 100.0f, 1000.0f}) {
    inputs.push_back(testing_util::random_floats(rng, 4099, -range, range));
  }
  inputs.push_back(specials());
  size_t checked = 0;
  for (size_t ki = 1; ki < count; ++ki) {
    if (!runs_here(ks[ki])) continue;
    for (int f = 0; f < kFnCount; ++f) {
      double worst = 0;
      for (const std::vector<float>& x : inputs) {
        std::vector<float> ref(x.size()), y(x.size(), -7.0f);
        fn_of(ks[0], f)(x.size(), x.data(), ref.data(), nullptr);
        fn_of(ks[ki], f)(x.size(), x.data(), y.data(), nullptr);
        worst = std::max(worst, check(ks[ki].name, f, x, ref, y, "n=" + std::to_string(x.size())));
        ++checked;
      }
      std::printf("%-7s %-9s worst error / bound %.3f\n", ks[ki].name, kFnName[f], worst);
    }
  }
  if ((hardware_isa_mask() & ~isa_bit(Isa::kScalar)) != 0) {
    EXPECT_GT(checked, 0u);
  }
}

// Every length 1..67 (every tail of 4, 8 and 16 lanes), at misaligned starts, out of place
// (elements past n untouched) and in place (the same values as out of place).
TEST(ActivationKernels, TailsMisalignmentAndInPlace) {
  size_t count = 0;
  const F32ActivationKernel* ks = f32_activation_kernels(&count);
  std::mt19937 rng(12);
  const std::vector<float> pool = testing_util::random_floats(rng, 80, -6.0f, 6.0f);
  for (size_t ki = 0; ki < count; ++ki) {
    if (!runs_here(ks[ki])) continue;
    for (int f = 0; f < kFnCount; ++f) {
      for (size_t n = 1; n <= 67; ++n) {
        for (size_t offset : {0u, 1u, 3u}) {
          const std::vector<float> x(pool.begin() + offset, pool.begin() + offset + n);
          std::vector<float> ref(n);
          fn_of(ks[0], f)(n, x.data(), ref.data(), nullptr);
          std::vector<float> out(n + 5, -7.0f);
          fn_of(ks[ki], f)(n, pool.data() + offset, out.data() + offset, nullptr);
          const std::vector<float> y(out.begin() + offset, out.begin() + offset + n);
          const std::string where = "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
          check(ks[ki].name, f, x, ref, y, where);
          for (size_t i = 0; i < offset; ++i) {
            EXPECT_EQ(out[i], -7.0f) << where;
          }
          for (size_t i = offset + n; i < out.size(); ++i) {
            EXPECT_EQ(out[i], -7.0f) << where;
          }
          std::vector<float> inplace(pool.begin(), pool.begin() + offset + n);
          fn_of(ks[ki], f)(n, inplace.data() + offset, inplace.data() + offset, nullptr);
          for (size_t i = 0; i < n; ++i) {
            EXPECT_EQ(inplace[offset + i], y[i])
                << ks[ki].name << " " << kFnName[f] << " " << where;
          }
        }
      }
    }
  }
}

// The tanh, sigmoid, gelu (both forms) and silu ops: the best variant by default, the reference
// under max_isa "scalar" (kernel names checked); the outputs agree within the kernel bound.
TEST(ActivationKernels, OpsSelectOnceAndHonourTheIsaLimit) {
  using compiler::GraphBuilder;
  using compiler::ValueId;
  struct Case {
    const char* fn;
    int f;
  };
  for (const Case c : {Case{"tanh", kTanh}, Case{"sigmoid", kSigmoid}, Case{"gelu", kGelu},
                       Case{"gelu_tanh", kGeluTanh}, Case{"silu", kSilu}}) {
    GraphBuilder b;
    const ValueId x = b.input("x", DType::f32, {3, 37});
    ValueId y;
    switch (c.f) {
      case kTanh:
        y = b.unary(plan::OpCode::tanh, x);
        break;
      case kSigmoid:
        y = b.unary(plan::OpCode::sigmoid, x);
        break;
      case kGelu:
        y = b.gelu(x, false);
        break;
      case kGeluTanh:
        y = b.gelu(x, true);
        break;
      default:
        y = b.silu(x);
        break;
    }
    b.output(y);
    testing_util::AlignedPlan plan(testing_util::compile_or_die(b));
    auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    std::mt19937 rng(13);
    const std::vector<float> xv = testing_util::random_floats(rng, 3 * 37, -8.0f, 8.0f);
    std::vector<std::vector<float>> outs;
    for (const char* isa : {"scalar", static_cast<const char*>(nullptr)}) {
      SessionOptions so;
      so.max_isa = isa;
      auto s = Session::create(*model.value(), so);
      ASSERT_TRUE(s.is_ok()) << s.status().message();
      const std::string want =
          std::string("f32_") + c.fn + "_" +
          select_f32_activation(isa ? isa_bit(Isa::kScalar) : hardware_isa_mask())->name;
      EXPECT_EQ(s.value()->nodes()[0]->kernel_name(), want);
      ASSERT_TRUE(s.value()->set_input(0, xv.data(), xv.size() * 4).is_ok());
      ASSERT_TRUE(s.value()->run().is_ok());
      size_t bytes = 0;
      auto out = s.value()->output(0, &bytes);
      ASSERT_TRUE(out.is_ok());
      const float* p = reinterpret_cast<const float*>(out.value());
      outs.emplace_back(p, p + bytes / 4);
    }
    ASSERT_EQ(outs[1].size(), xv.size());
    check("op", c.f, xv, outs[0], outs[1], c.fn);
  }
}

}  // namespace
}  // namespace mint
