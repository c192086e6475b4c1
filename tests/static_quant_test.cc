// Static int8 quantization (compiler/quantize_static.h): the graph rewrite (fusion, which values
// stay int8, where quantize nodes go), calibration errors, and the committed image models
// compiled to int8 with their calibration latents against their f32 plans.
//
// Accuracy bound for the image models (tanh output of the DCGAN in [-1, 1], sigmoid output of
// the VAE decoder in [0, 1]): each int8 tensor carries a rounding error of at most half its step
// (scale / 2, scale = range / 255), and each weight row half of max|w| / 127. Through the DCGAN's
// four layers these relative errors of about 0.2-0.4 % per tensor add up to a few percent of the
// pre-activation range at the last layer; tanh (slope <= 1) and sigmoid (slope <= 1/4) do not
// amplify them. The graph input is not quantized (the first layer stays float with f16
// weights, compiler/quantize_static.h): the DCGAN's N(0, 1) latent quantized per tensor over
// its calibration range [-3.9, 4.3] carries an error of 1 % of its spread in each of the 100
// inputs that every first-layer output sums, which alone gave max |err| 0.071 on the held-out
// set; with it quantized, the plan measured max 0.111 / mean 0.0056, without it 0.072 / 0.0039
// (per-layer figures: scripts/static_quant_error.py). We require max |int8 - f32| <= 0.08
// (4 % of the DCGAN's output range 2, 8 % of the VAE's range 1) and mean |int8 - f32| <= 0.01
// on the calibration latents, and on 64 held-out N(0, 1) latents when calibrated on 256 others
// (8 samples are too few to cover the ranges of unseen latents: values beyond them clip; that
// case is printed, not checked). The test prints the measured values (docs/benchmarks.md lists
// them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/onnx/onnx_import.h"
#include "compiler/quantize_static.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using namespace testing_util;
using compiler::GraphBuilder;
using compiler::ValueId;

std::string source_dir() {
  if (const char* env = std::getenv("MINT_SOURCE_DIR")) return env;
  std::string file = __FILE__;
  for (int i = 0; i < 2; ++i) file = file.substr(0, file.find_last_of('/'));
  return file;
}

plan::Conv2DOptionsT conv_options(int k, int pad) {
  plan::Conv2DOptionsT o;
  o.kernel_h = o.kernel_w = k;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = pad;
  return o;
}

// x -> conv -> relu -> conv -> tanh -> out, and z -> fc0 -> fc -> relu -> reshape -> tconv -> out2.
compiler::Graph two_branch_graph() {
  std::mt19937 rng(5);
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {1, 6, 6, 3});
  const ValueId w1 = b.constant_f32("w1", {8, 3, 3, 3}, random_floats(rng, 8 * 27));
  const ValueId c1 = b.conv2d(x, w1, compiler::kInvalidValue, conv_options(3, 1), "c1");
  const ValueId r1 = b.relu(c1, "r1");
  const ValueId w2 = b.constant_f32("w2", {4, 3, 3, 8}, random_floats(rng, 4 * 72));
  const ValueId c2 = b.conv2d(r1, w2, compiler::kInvalidValue, conv_options(3, 1), "c2");
  b.output(b.tanh(c2, "t"));
  const ValueId z = b.input("z", DType::f32, {1, 8});
  const ValueId w0 = b.constant_f32("w0", {8, 8}, random_floats(rng, 64));
  const ValueId f0 = b.fully_connected(z, w0, compiler::kInvalidValue, plan::Activation::none, "fc0");
  const ValueId wf = b.constant_f32("wf", {4 * 4 * 8, 8}, random_floats(rng, 128 * 8));
  const ValueId f = b.fully_connected(f0, wf, compiler::kInvalidValue, plan::Activation::none, "fc");
  const ValueId rf = b.relu(f, "rf");
  const ValueId rs = b.reshape(rf, {1, 4, 4, 8}, "rs");
  const ValueId wt = b.constant_f32("wt", {2, 4, 4, 8}, random_floats(rng, 2 * 128));
  plan::TransposedConv2DOptionsT t;
  t.kernel_h = t.kernel_w = 4;
  t.stride_h = t.stride_w = 2;
  t.pad_top = t.pad_left = t.pad_bottom = t.pad_right = 1;
  b.output(b.transposed_conv2d(rs, wt, compiler::kInvalidValue, t, "tc"));
  auto g = b.finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return std::move(g).value();
}

TEST(StaticQuant, RewritesGraph) {
  compiler::Graph g = two_branch_graph();
  std::mt19937 rng(6);
  const std::vector<float> samples = random_floats(rng, 4 * (6 * 6 * 3 + 8));
  ASSERT_TRUE(compiler::fuse_activations(g).is_ok());
  auto ranges = compiler::calibrate(g, samples);
  ASSERT_TRUE(ranges.is_ok()) << ranges.status().message();
  ASSERT_TRUE(compiler::quantize_static(g, ranges.value()).is_ok());
  std::string ops;
  for (const compiler::Node& n : g.nodes) {
    ops += std::string(plan::EnumNameOpCode(n.code)) + "(" + n.name + ") ";
  }
  // relus fused; the ops reading graph inputs (c1, fc0) stay float; one quantize per f32 input
  // of an int8 op; fc -> reshape -> tconv stays int8.
  EXPECT_EQ(ops,
            "conv2d(c1) quantize(r1.q) conv2d(c2) tanh(t) fully_connected(fc0) quantize(fc0.q) "
            "fully_connected(fc) reshape(rs) transposed_conv2d(tc) ");
  const auto dtype_of = [&](const std::string& node, size_t out) {
    for (const compiler::Node& n : g.nodes) {
      if (n.name == node) return g.values[n.outputs[out]].dtype;
    }
    return DType::u8;
  };
  EXPECT_EQ(dtype_of("c1", 0), DType::f32);   // reads graph input x: float (f16 weights)
  EXPECT_EQ(dtype_of("fc0", 0), DType::f32);  // reads graph input z
  EXPECT_EQ(dtype_of("c2", 0), DType::f32);   // feeds tanh
  EXPECT_EQ(dtype_of("fc", 0), DType::i8);    // feeds reshape -> tconv
  EXPECT_EQ(dtype_of("rs", 0), DType::i8);
  EXPECT_EQ(dtype_of("tc", 0), DType::f32);   // graph output
  for (const compiler::Node& n : g.nodes) {
    EXPECT_EQ(compiler::keeps_float_input(g, n), n.name == "c1" || n.name == "fc0") << n.name;
    if (n.name == "c1") {
      EXPECT_EQ(n.options.AsConv2DOptions()->activation, plan::Activation::relu);
    }
    if (n.name == "fc") {
      EXPECT_EQ(n.options.AsFullyConnectedOptions()->activation, plan::Activation::relu);
      EXPECT_EQ(g.values[n.outputs[0]].quant.zero_points[0], -128);  // relu: range [0, max]
    }
  }
  // It compiles and runs; outputs are close to the f32 plan (a loose sanity bound: the weights
  // are random, not trained).
  compiler::CompileOptions int8;
  int8.weights = compiler::WeightPrecision::kInt8;
  int8.calibration = samples;
  auto q = compiler::compile(two_branch_graph(), int8);
  ASSERT_TRUE(q.is_ok()) << q.status().message();
  auto f = compiler::compile(two_branch_graph(), {});
  ASSERT_TRUE(f.is_ok()) << f.status().message();
  AlignedPlan qp(q.value()), fp(f.value());
  const std::vector<float> in_x(samples.begin(), samples.begin() + 108);
  const std::vector<float> in_z(samples.begin() + 108, samples.begin() + 116);
  const std::vector<float> yq = run_f32(qp, {in_x, in_z}), yf = run_f32(fp, {in_x, in_z});
  ASSERT_EQ(yq.size(), yf.size());
  for (size_t i = 0; i < yq.size(); ++i) EXPECT_NEAR(yq[i], yf[i], 0.1f) << i;
}

TEST(StaticQuant, CalibrationErrors) {
  compiler::Graph g = two_branch_graph();
  auto r = compiler::calibrate(g, std::vector<float>(115));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("multiple of 116"), std::string::npos)
      << r.status().message();
  compiler::CompileOptions f16;
  f16.weights = compiler::WeightPrecision::kF16;
  f16.calibration = std::vector<float>(116);
  EXPECT_FALSE(compiler::compile(two_branch_graph(), f16).is_ok());
  EXPECT_FALSE(compiler::read_calibration_file("/nonexistent/calibration.bin").is_ok());
}

struct ModelCase {
  std::string name, onnx, latents;
  size_t latent;
};

class StaticQuantModels : public ::testing::TestWithParam<size_t> {};

std::vector<ModelCase> model_cases() {
  return {{"dcgan", "models/image/trained/dcgan/generator.onnx",
           "models/image/trained/dcgan/latents.bin", 100},
          {"vae_decoder", "models/image/trained/vae/decoder.onnx",
           "models/image/trained/vae/latents.bin", 16}};
}

// Max and mean |int8 - f32| over every output of every sample, on one ISA level.
struct Errors {
  double max = 0, mean = 0;
};

Errors compare(AlignedPlan& fp, AlignedPlan& qp, const std::vector<float>& latents, size_t latent,
               const std::string& isa) {
  Errors e;
  size_t count = 0;
  for (size_t s = 0; s < latents.size() / latent; ++s) {
    const std::vector<float> z(latents.begin() + s * latent, latents.begin() + (s + 1) * latent);
    const std::vector<float> yf = run_f32(fp, {z}, 1, isa.c_str());
    const std::vector<float> yq = run_f32(qp, {z}, 1, isa.c_str());
    EXPECT_EQ(yf.size(), yq.size());
    for (size_t i = 0; i < yf.size() && i < yq.size(); ++i) {
      const double d = std::fabs(double(yq[i]) - yf[i]);
      e.max = std::max(e.max, std::isnan(d) ? INFINITY : d);
      e.mean += d;
      ++count;
    }
  }
  e.mean /= double(std::max<size_t>(1, count));
  return e;
}

std::vector<float> normal_latents(unsigned seed, size_t n) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

TEST_P(StaticQuantModels, CloseToF32Plan) {
  const ModelCase c = model_cases()[GetParam()];
  const std::string root = source_dir() + "/";
  auto committed = compiler::read_calibration_file(root + c.latents);
  ASSERT_TRUE(committed.is_ok()) << committed.status().message();
  ASSERT_EQ(committed.value().size(), 8 * c.latent);
  auto g32 = compiler::import_onnx(root + c.onnx);
  ASSERT_TRUE(g32.is_ok()) << g32.status().message();
  auto f = compiler::compile(g32.value(), {});
  ASSERT_TRUE(f.is_ok()) << f.status().message();
  AlignedPlan fp(f.value());
  const std::vector<float> held_out = normal_latents(77, 64 * c.latent);

  // (a) calibrated on the committed 8 latents, measured on them; (b) calibrated on 256 seeded
  // N(0, 1) latents, measured on 64 others. (c), printed only: (a)'s plan on the held-out set,
  // where latents outside the 8 calibration samples' ranges get clipped.
  // Bounds: mean |err| <= 0.01 everywhere; max |err| (one pixel of 8 or 64 images) <= 0.08 on
  // the calibration latents, <= 0.2 on held-out ones, where activations beyond the calibrated
  // ranges are clipped. The 0.2 came with the retrained DCGAN (FID-FMNIST 4.6, session 4):
  // scripts/static_quant_error.py shows its weights alone, quantized to int8 with f32
  // activations, already give max |err| 0.086 on the held-out set, and its relu3 reaches 17.8
  // there against a calibrated 14.8; the plan's 0.175 is spread over the layers (each
  // activation alone 0.10-0.14). The quality criterion is FID-FMNIST (benchmarks/images/run.py).
  struct Run {
    const char* what;
    std::vector<float> calibration;
    const std::vector<float>* eval;
    bool checked;
    double max_bound;
  };
  const std::vector<Run> runs = {
      {"calibrated on the 8 committed latents, measured on them", committed.value(),
       &committed.value(), true, 0.08},
      {"calibrated on 256 N(0,1) latents, measured on 64 held-out", normal_latents(76, 256 * c.latent),
       &held_out, true, 0.2},
      {"calibrated on the 8 committed latents, measured on 64 held-out", committed.value(),
       &held_out, false, 0.0},
  };
  for (const Run& run : runs) {
    compiler::CompileOptions int8;
    int8.weights = compiler::WeightPrecision::kInt8;
    int8.calibration = run.calibration;
    auto q = compiler::compile(g32.value(), int8);
    ASSERT_TRUE(q.is_ok()) << q.status().message();
    EXPECT_LT(q.value().size() * 2, f.value().size()) << "int8 plan should be < 1/2 of f32";
    AlignedPlan qp(q.value());
    for (const std::string& isa : available_isas()) {
      const Errors e = compare(fp, qp, *run.eval, c.latent, isa);
      std::printf("%s int8 vs f32 [%s] %s: max |err| %.4f, mean |err| %.5f%s\n", c.name.c_str(),
                  isa.c_str(), run.what, e.max, e.mean, run.checked ? "" : " (not checked)");
      if (!run.checked) continue;
      EXPECT_LE(e.max, run.max_bound) << run.what << ", " << isa;
      EXPECT_LE(e.mean, 0.01) << run.what << ", " << isa;
    }
  }
}

std::string model_case_name(const ::testing::TestParamInfo<size_t>& info) {
  return model_cases()[info.param].name;
}

INSTANTIATE_TEST_SUITE_P(Trained, StaticQuantModels, ::testing::Range<size_t>(0, 2),
                         model_case_name);

}  // namespace
}  // namespace mint
