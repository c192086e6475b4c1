// The XNNPACK route of f32 conv2d / transposed_conv2d (runtime/ops/conv_xnnpack.h) against
// mint's own kernels (the scalar-referenced im2col / col2im + GEMM and direct paths, tested in
// ops_test): the same plan runs in sessions created with MINT_XNNPACK=on and =off, and the
// outputs must agree within K * 2e-6, K = products per output (kh * kw * cin / groups), for
// inputs in [-1, 1] and weights in [-0.1, 0.1]: each partial sum is at most 0.1 K in magnitude
// and the two sides differ only in summation order and FMA contraction, a few ulps (6e-8
// relative) of the partial sums per step. Also checks which path each session took, and the
// routing rule of auto mode on the image models' shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using namespace testing_util;

struct XCase {
  std::string name;
  bool transposed;
  int batch, h, w, cin, cout, k, stride, pad_tl, pad_br, dilation, groups, output_pad;
  plan::Activation act;
  bool auto_routes;  // what MINT_XNNPACK unset decides
};

std::vector<XCase> cases() {
  using A = plan::Activation;
  return {
      {"conv3x3_p1_relu", false, 1, 9, 8, 8, 16, 3, 1, 1, 1, 1, 1, 0, A::relu, false},
      {"conv4x4_s2_batch2", false, 2, 14, 14, 32, 64, 4, 2, 1, 1, 1, 1, 0, A::none, false},
      {"conv3x3_large_im2col", false, 1, 64, 64, 32, 16, 3, 1, 1, 1, 1, 1, 0, A::none, true},
      {"conv4x4_s2_cin1", false, 1, 28, 28, 1, 32, 4, 2, 1, 1, 1, 1, 0, A::none, true},
      {"conv3x3_dilated_asym_pad", false, 1, 10, 9, 3, 5, 3, 1, 0, 2, 2, 1, 0, A::relu6, true},
      {"depthwise3x3", false, 1, 12, 12, 16, 16, 3, 1, 1, 1, 1, 16, 0, A::none, true},
      {"grouped3x3", false, 1, 8, 8, 8, 12, 3, 1, 1, 1, 1, 4, 0, A::relu, true},
      {"conv1x1_pointwise", false, 1, 7, 7, 16, 24, 1, 1, 0, 0, 1, 1, 0, A::none, false},
      {"tconv4x4_s2_7x7", true, 1, 7, 7, 64, 32, 4, 2, 1, 1, 1, 1, 0, A::relu, true},
      {"tconv4x4_s2_14x14_to1", true, 1, 14, 14, 32, 1, 4, 2, 1, 1, 1, 1, 0, A::none, false},
      {"tconv3x3_s2_outpad_batch2", true, 2, 6, 6, 8, 8, 3, 2, 1, 1, 1, 1, 1, A::none, false},
      {"tconv3x3_s2_outpad_16ch", true, 1, 6, 6, 8, 16, 3, 2, 1, 1, 1, 1, 1, A::relu, true},
      {"tconv_small_input_stays_mint", true, 1, 4, 4, 32, 16, 3, 2, 1, 1, 1, 1, 0, A::relu, false},
  };
}

class ConvXnnpack : public ::testing::TestWithParam<size_t> {};

TEST_P(ConvXnnpack, MatchesMintKernels) {
  const XCase c = cases()[GetParam()];
  std::mt19937 rng(31 + static_cast<unsigned>(GetParam()));
  const int cg = c.cin / c.groups;
  compiler::GraphBuilder b;
  const auto x = b.input("x", DType::f32, {c.batch, c.h, c.w, c.cin});
  const auto w = b.constant_f32("w", {c.cout, c.k, c.k, c.transposed ? c.cin : cg},
                                random_floats(rng, size_t(c.cout) * c.k * c.k * cg, -0.1f, 0.1f));
  const auto bias = b.constant_f32("b", {c.cout}, random_floats(rng, c.cout));
  compiler::ValueId y;
  if (c.transposed) {
    plan::TransposedConv2DOptionsT o;
    o.kernel_h = o.kernel_w = c.k;
    o.stride_h = o.stride_w = c.stride;
    o.dilation_h = o.dilation_w = c.dilation;
    o.pad_top = o.pad_left = c.pad_tl;
    o.pad_bottom = o.pad_right = c.pad_br;
    o.output_pad_h = o.output_pad_w = c.output_pad;
    o.activation = c.act;
    y = b.transposed_conv2d(x, w, bias, o, "conv");
  } else {
    plan::Conv2DOptionsT o;
    o.kernel_h = o.kernel_w = c.k;
    o.stride_h = o.stride_w = c.stride;
    o.dilation_h = o.dilation_w = c.dilation;
    o.pad_top = o.pad_left = c.pad_tl;
    o.pad_bottom = o.pad_right = c.pad_br;
    o.groups = c.groups;
    o.activation = c.act;
    y = b.conv2d(x, w, bias, o, "conv");
  }
  b.output(y);
  const std::vector<uint8_t> bytes = compile_or_die(b);
  ASSERT_FALSE(bytes.empty());
  AlignedPlan plan(bytes);
  auto model = Model::load_memory(plan.data(), plan.size(), {});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  const std::vector<float> input =
      random_floats(rng, size_t(c.batch) * c.h * c.w * c.cin);

  const auto run = [&](const char* mode, size_t threads, std::string* kernel) {
    if (mode) setenv("MINT_XNNPACK", mode, 1);
    else unsetenv("MINT_XNNPACK");
    SessionOptions so;
    so.num_threads = threads;
    auto s = Session::create(*model.value(), so);
    unsetenv("MINT_XNNPACK");
    EXPECT_TRUE(s.is_ok()) << s.status().message();
    if (!s.is_ok()) return std::vector<float>{};
    *kernel = s.value()->nodes()[0]->kernel_name();
    EXPECT_TRUE(s.value()->set_input(0, input.data(), input.size() * 4).is_ok());
    std::vector<float> out;
    for (int rep = 0; rep < 2; ++rep) {  // the second run reuses the XNNPACK setup
      EXPECT_TRUE(s.value()->run().is_ok());
      size_t n = 0;
      auto data = s.value()->output(0, &n);
      EXPECT_TRUE(data.is_ok());
      out.assign(reinterpret_cast<const float*>(data.value()),
                 reinterpret_cast<const float*>(data.value()) + n / 4);
    }
    return out;
  };
  std::string k_off, k_on, k_auto;
  const std::vector<float> ref = run("off", 1, &k_off);
  EXPECT_EQ(k_off.rfind("xnnpack", 0), std::string::npos) << k_off;
  const std::vector<float> got = run("on", 1, &k_on);
  EXPECT_EQ(k_on.rfind("xnnpack", 0), 0u) << k_on;
  const std::vector<float> got2 = run("on", 2, &k_on);
  run(nullptr, 1, &k_auto);
  EXPECT_EQ(k_auto.rfind("xnnpack", 0) == 0, c.auto_routes) << k_auto;

  const double tol = 2e-6 * c.k * c.k * (c.transposed ? c.cin : cg);
  ASSERT_EQ(ref.size(), got.size());
  ASSERT_EQ(ref.size(), got2.size());
  double max_diff = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(ref[i]) - got[i]));
    max_diff = std::max(max_diff, std::fabs(double(ref[i]) - got2[i]));
  }
  EXPECT_LE(max_diff, tol);
  std::printf("%s: max |xnnpack - mint| = %.3g (bound %.3g)\n", c.name.c_str(), max_diff, tol);
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  return cases()[info.param].name;
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvXnnpack, ::testing::Range<size_t>(0, cases().size()),
                         case_name);

}  // namespace
}  // namespace mint
