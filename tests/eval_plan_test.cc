// Plan cost (evaluation/plan_cost.h) on builder-made plans with known parameter and MAC
// counts; the image-evaluation pipelines (evaluation/image_eval.h) on small builder-made
// generator, encoder, decoder and classifier plans against the same math done here; and the
// `mint bench` / `mint eval` commands end to end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <random>
#include <regex>

#include "compiler/compile.h"
#include "compiler/graph.h"
#include "evaluation/image_eval.h"
#include "evaluation/plan_cost.h"
#include "runtime/model.h"
#include "tests/eval_test_util.h"
#include "tests/test_util.h"

namespace mint::eval {
namespace {

using compiler::GraphBuilder;
using compiler::ValueId;
using namespace eval_test;
using testing_util::AlignedPlan;

std::vector<float> randn(std::mt19937& rng, size_t n, float scale) {
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = g(rng);
  return v;
}

PlanCost cost_of(GraphBuilder& b,
                 compiler::WeightPrecision weights = compiler::WeightPrecision::kF32) {
  compiler::CompileOptions options;
  options.weights = weights;
  AlignedPlan plan(testing_util::compile_or_die(b, options));
  auto model = Model::load_memory(plan.data(), plan.size(), {});
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  if (!model.is_ok()) return {};
  PlanCost c = plan_cost(*model.value());
  EXPECT_EQ(c.file_size, plan.size());
  return c;
}

TEST(EvalPlanCost, FullyConnected) {
  for (auto weights : {compiler::WeightPrecision::kF32, compiler::WeightPrecision::kInt8}) {
    std::mt19937 rng(1);
    GraphBuilder b;
    ValueId x = b.input("x", DType::f32, {3, 256});  // 3 rows: MACs scale with them
    ValueId h = b.fully_connected(
        x, b.constant_f32("w1", {1024, 256}, randn(rng, 1024 * 256, 0.05f)),
        b.constant_f32("b1", {1024}, randn(rng, 1024, 0.1f)), plan::Activation::relu, "fc1");
    h = b.fully_connected(h, b.constant_f32("w2", {10, 1024}, randn(rng, 10 * 1024, 0.05f)),
                          compiler::kInvalidValue, plan::Activation::none, "fc2");
    b.output(h);
    const PlanCost c = cost_of(b, weights);
    EXPECT_EQ(c.macs, 3u * (256 * 1024 + 1024 * 10));
    EXPECT_EQ(c.flops, 2 * c.macs);
    // fc2 had no bias, but the packing holds a (zero) bias lane: counted, as documented.
    EXPECT_EQ(c.params, (256u * 1024 + 1024) + (1024u * 10 + 10));
    ASSERT_EQ(c.ops.size(), 2u);
    EXPECT_EQ(c.ops[0].op, "fully_connected");
  }
}

TEST(EvalPlanCost, ConvolutionsAndMatmul) {
  std::mt19937 rng(2);
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 16, 16, 8});
  plan::Conv2DOptionsT conv;
  conv.kernel_h = conv.kernel_w = 3;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  ValueId h = b.conv2d(x, b.constant_f32("c1.w", {32, 3, 3, 8}, randn(rng, 32 * 72, 0.1f)),
                       b.constant_f32("c1.b", {32}, randn(rng, 32, 0.1f)), conv, "conv");
  plan::Conv2DOptionsT dw = conv;
  dw.groups = 32;
  dw.stride_h = dw.stride_w = 2;  // 16x16 -> 8x8
  h = b.conv2d(h, b.constant_f32("dw.w", {32, 3, 3, 1}, randn(rng, 32 * 9, 0.1f)),
               b.constant_f32("dw.b", {32}, randn(rng, 32, 0.1f)), dw, "depthwise");
  plan::TransposedConv2DOptionsT up;
  up.kernel_h = up.kernel_w = 4;
  up.stride_h = up.stride_w = 2;
  up.pad_top = up.pad_left = up.pad_bottom = up.pad_right = 1;
  h = b.transposed_conv2d(
      h, b.constant_f32("up.w", {16, 4, 4, 32}, randn(rng, 16 * 16 * 32, 0.05f)),
      b.constant_f32("up.b", {16}, randn(rng, 16, 0.1f)), up, "up");  // -> 16x16x16
  h = b.reshape(h, {1, 16, 256}, "rows");
  ValueId other = b.input("y", DType::f32, {1, 256, 5});
  b.output(b.matmul(h, other, false, "mm"));
  const PlanCost c = cost_of(b);
  const uint64_t conv_macs = 16 * 16 * 32 * (3 * 3 * 8);
  const uint64_t dw_macs = 8 * 8 * 32 * (3 * 3 * 1);
  const uint64_t up_macs = 8 * 8 * 32 * (4 * 4) * 16;
  const uint64_t mm_macs = 16 * 5 * 256;
  EXPECT_EQ(c.macs, conv_macs + dw_macs + up_macs + mm_macs);
  EXPECT_EQ(c.params, (32u * 72 + 32) + (32u * 9 + 32) + (16u * 16 * 32 + 16));
  ASSERT_EQ(c.ops.size(), 4u);
  EXPECT_EQ(c.ops[0].macs, conv_macs);
  EXPECT_EQ(c.ops[1].macs, dw_macs);
  EXPECT_EQ(c.ops[2].macs, up_macs);
  EXPECT_EQ(c.ops[3].macs, mm_macs);
}

// ---- image pipelines on builder-made plans ---------------------------------------------------

struct Dense {
  std::vector<float> w, b;  // [n, k], [n]
  size_t n, k;
};

Dense random_dense(std::mt19937& rng, size_t n, size_t k, float scale) {
  return {randn(rng, n * k, scale), randn(rng, n, 0.1f), n, k};
}

std::vector<double> apply(const Dense& d, const float* x) {
  std::vector<double> y(d.n);
  for (size_t i = 0; i < d.n; ++i) {
    double s = d.b[i];
    for (size_t j = 0; j < d.k; ++j) s += double(d.w[i * d.k + j]) * x[j];
    y[i] = s;
  }
  return y;
}

void write_plan(GraphBuilder& b, const std::string& path) {
  write_raw(path, testing_util::compile_or_die(b));
}

// Classifier: image [1,1,28,28] -> features = W1 x + b1 [1,D] -> logits = W2 f + b2 [1,10].
void write_classifier(const std::string& path, const Dense& f, const Dense& l,
                      bool with_features = true) {
  GraphBuilder b;
  ValueId x = b.input("image", DType::f32, {1, 1, 28, 28});
  ValueId flat = b.reshape(x, {1, 784}, "flatten");
  ValueId feat = b.fully_connected(flat, b.constant_f32("f.w", {int64_t(f.n), 784}, f.w),
                                   b.constant_f32("f.b", {int64_t(f.n)}, f.b),
                                   plan::Activation::none, with_features ? "features" : "hidden");
  ValueId logits =
      b.fully_connected(feat, b.constant_f32("l.w", {10, int64_t(f.n)}, l.w),
                        b.constant_f32("l.b", {10}, l.b), plan::Activation::none, "logits");
  b.output(logits);
  b.output(feat);
  write_plan(b, path);
}

// Generator: z [1, L] -> tanh(W z + b) reshaped to [1,1,28,28].
void write_generator(const std::string& path, const Dense& g) {
  GraphBuilder b;
  ValueId z = b.input("z", DType::f32, {1, int64_t(g.k)});
  ValueId h = b.fully_connected(z, b.constant_f32("g.w", {784, int64_t(g.k)}, g.w),
                                b.constant_f32("g.b", {784}, g.b), plan::Activation::none, "g");
  b.output(b.reshape(b.tanh(h, "tanh"), {1, 1, 28, 28}, "image"));
  write_plan(b, path);
}

// Identity 784 -> 784 (a fully connected op with W = I, b = 0), input/output names given.
void write_identity(const std::string& path, const char* in, const char* out) {
  std::vector<float> eye(784 * 784, 0.0f);
  for (size_t i = 0; i < 784; ++i) eye[i * 784 + i] = 1.0f;
  GraphBuilder b;
  ValueId x = b.input(in, DType::f32, {1, 784});
  b.output(b.fully_connected(x, b.constant_f32("eye", {784, 784}, eye), compiler::kInvalidValue,
                             plan::Activation::none, out));
  write_plan(b, path);
}

class EvalPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(3);
    features_ = random_dense(rng, 12, 784, 0.05f);
    logits_ = random_dense(rng, 10, 12, 0.5f);
    gen_ = random_dense(rng, 784, 8, 0.5f);
    write_classifier(dir_.file("cls.mint"), features_, logits_);
    write_generator(dir_.file("gen.mint"), gen_);
    auto set = load_fmnist_test(kDefaultFmnistDir, 120, true);
    ASSERT_TRUE(set.is_ok()) << set.status().message();
    real_ = set.value();
  }
  // Features and logits of images in [0, 1], computed here in double.
  void reference(const std::vector<float>& images, size_t n, std::vector<float>* f,
                 std::vector<float>* l) {
    for (size_t i = 0; i < n; ++i) {
      std::vector<float> x(784);
      for (size_t k = 0; k < 784; ++k) x[k] = images[i * 784 + k] * 2.0f - 1.0f;
      const auto fv = apply(features_, x.data());
      std::vector<float> ff(fv.begin(), fv.end());
      const auto lv = apply(logits_, ff.data());
      f->insert(f->end(), ff.begin(), ff.end());
      l->insert(l->end(), lv.begin(), lv.end());
    }
  }
  TempDir dir_;
  Dense features_, logits_, gen_;
  ImageSet real_;
};

TEST_F(EvalPipeline, GeneratedImagesAreSeededLatentsThroughTheGenerator) {
  PlanRunner gen;
  ASSERT_TRUE(gen.open(dir_.file("gen.mint")).is_ok());
  auto a = generate_images(gen, 5, 42, Range::kMinusOneToOne);
  auto b = generate_images(gen, 5, 42, Range::kMinusOneToOne);
  auto c = generate_images(gen, 5, 43, Range::kMinusOneToOne);
  ASSERT_TRUE(a.is_ok() && b.is_ok() && c.is_ok()) << a.status().message();
  EXPECT_EQ(a.value(), b.value());
  EXPECT_NE(a.value(), c.value());
  GaussianSource z(42);
  for (size_t i = 0; i < 5; ++i) {
    std::vector<float> zi(8);
    for (float& v : zi) v = z.next();
    const auto y = apply(gen_, zi.data());
    for (size_t k = 0; k < 784; k += 37) {
      EXPECT_NEAR(a.value()[i * 784 + k], (std::tanh(y[k]) + 1.0) / 2.0, 1e-5) << i << "," << k;
    }
  }
}

TEST_F(EvalPipeline, ScoresMatchDirectComputation) {
  PlanRunner gen;
  ASSERT_TRUE(gen.open(dir_.file("gen.mint")).is_ok());
  Classifier cls;
  ASSERT_TRUE(cls.open(dir_.file("cls.mint"), Range::kMinusOneToOne, 1).is_ok());
  EXPECT_EQ(cls.classes(), 10u);
  EXPECT_EQ(cls.feature_dim(), 12u);
  const size_t n = 40;
  auto images = generate_images(gen, n, 7, Range::kMinusOneToOne);
  ASSERT_TRUE(images.is_ok());
  auto s = score_images(cls, images.value(), n, real_);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  std::vector<float> gf, gl, rf, rl;
  reference(images.value(), n, &gf, &gl);
  reference(real_.pixels, real_.count, &rf, &rl);
  auto fid = frechet_distance(feature_stats(gf, n, 12).value(),
                              feature_stats(rf, real_.count, 12).value());
  ASSERT_TRUE(fid.is_ok());
  EXPECT_NEAR(s.value().fid, fid.value(), 1e-4 * fid.value());
  auto is = inception_score(gl, n, 10, 10);
  EXPECT_NEAR(s.value().inception.mean, is.value().mean, 1e-4);
  EXPECT_EQ(s.value().is_splits, 10u);
  // The real images against themselves: FID 0.
  auto self = score_images(cls, real_.pixels, real_.count, real_);
  ASSERT_TRUE(self.is_ok());
  EXPECT_NEAR(self.value().fid, 0.0, 1e-6);
}

TEST_F(EvalPipeline, IdentityAutoencoderReconstructsExactly) {
  write_identity(dir_.file("enc.mint"), "image", "mu");
  write_identity(dir_.file("dec.mint"), "z", "image");
  PlanRunner enc, dec;
  ASSERT_TRUE(enc.open(dir_.file("enc.mint")).is_ok());
  ASSERT_TRUE(dec.open(dir_.file("dec.mint")).is_ok());
  ImageSet few = real_;
  few.count = 10;
  few.pixels.resize(10 * 784);
  auto r = reconstruct(enc, dec, few, Range::kMinusOneToOne, Range::kMinusOneToOne);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_NEAR(r.value().ssim, 1.0, 1e-9);
  EXPECT_NEAR(r.value().mse, 0.0, 1e-12);
  // Declaring the decoder's output as [0, 1] reads 2x - 1 as the image: MSE = mean((x - 1)^2).
  auto m = reconstruct(enc, dec, few, Range::kMinusOneToOne, Range::kZeroToOne);
  ASSERT_TRUE(m.is_ok());
  double want = 0;
  for (float v : few.pixels) want += (double(v) - 1.0) * (double(v) - 1.0);
  EXPECT_NEAR(m.value().mse, want / double(few.pixels.size()), 1e-6);
  EXPECT_LT(m.value().ssim, 0.99);
}

TEST_F(EvalPipeline, AccuracyCountsArgmaxAgainstLabels) {
  Dense bias9 = {std::vector<float>(10 * 12, 0.0f), std::vector<float>(10, 0.0f), 10, 12};
  bias9.b[9] = 1.0f;  // always class 9
  write_classifier(dir_.file("nine.mint"), features_, bias9);
  Classifier cls;
  ASSERT_TRUE(cls.open(dir_.file("nine.mint"), Range::kMinusOneToOne, 1).is_ok());
  auto a = classifier_accuracy(cls, real_);
  ASSERT_TRUE(a.is_ok());
  size_t nines = 0;
  for (uint8_t l : real_.labels) nines += l == 9;
  EXPECT_EQ(a.value().correct, nines);
  EXPECT_EQ(a.value().images, real_.count);
}

TEST_F(EvalPipeline, ClassifierContractIsChecked) {
  write_classifier(dir_.file("nofeat.mint"), features_, logits_, false);
  Classifier cls;
  Status st = cls.open(dir_.file("nofeat.mint"), Range::kMinusOneToOne, 1);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("no output 'features'"), std::string::npos) << st.message();
  Classifier gen_as_cls;  // the generator's input is not an image
  EXPECT_FALSE(gen_as_cls.open(dir_.file("gen.mint"), Range::kMinusOneToOne, 1).is_ok());
  PlanRunner missing;
  EXPECT_FALSE(missing.open(dir_.file("absent.mint")).is_ok());
}

// ---- the commands -----------------------------------------------------------------------------
// The tool is started with popen, which cannot start a target binary in cross builds.
#ifdef MINT_CROSSCOMPILING
#define MINT_SKIP_TOOL_IN_CROSS_BUILDS() \
  GTEST_SKIP() << "the mint tool is not started in cross builds"
#else
#define MINT_SKIP_TOOL_IN_CROSS_BUILDS() \
  do {                                   \
  } while (0)
#endif

std::string run_tool(const std::string& args, int* rc) {
  const std::string cmd = std::string(MINT_TOOL_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = p ? pclose(p) : -1;
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

double json_number(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": ([-0-9.eE+]+)")))
    return std::nan("");
  return std::strtod(m[1].str().c_str(), nullptr);
}

TEST(EvalCommands, BenchReportsCountsOfTheBuiltinModels) {
  MINT_SKIP_TOOL_IN_CROSS_BUILDS();
  TempDir dir;
  int rc = 0;
  struct Want {
    const char* model;
    double params, macs;
  };
  // mlp: 256 -> 1024 -> 256 -> 10 with biases and a layer norm (2 x 1024);
  // convnet: see tools/mint/demo_model.cc (conv 3x3 8->32, conv 3x3/2 32->32, transposed conv
  // 4x4/2 32->16, fully connected 4096 -> 10).
  for (const Want& w :
       {Want{"mlp", 263168 + 2048 + 262400 + 2570, 262144 + 262144 + 2560},
        Want{"convnet", 2336 + 9248 + 8208 + 40970, 589824 + 589824 + 524288 + 40960}}) {
    const std::string plan = dir.file(std::string(w.model) + ".mint");
    run_tool("compile builtin:" + std::string(w.model) + " -o " + plan, &rc);
    ASSERT_EQ(rc, 0);
    const std::string out =
        run_tool("bench " + plan + " --threads 1,2 --runs 3 --warmup 1 --json", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(json_number(out, "params"), w.params) << out;
    EXPECT_EQ(json_number(out, "macs"), w.macs);
    EXPECT_EQ(json_number(out, "flops"), 2 * w.macs);
    EXPECT_GT(json_number(out, "peak_rss_kib"), 0);
    EXPECT_NE(out.find("\"threads\": 1"), std::string::npos);
    EXPECT_NE(out.find("\"threads\": 2"), std::string::npos);
    const std::string text = run_tool("bench " + plan + " --runs 2", &rc);
    EXPECT_EQ(rc, 0) << text;
    EXPECT_NE(text.find("median ms"), std::string::npos);
  }
  run_tool("bench " + dir.file("mlp.mint") + " --threads 0", &rc);
  EXPECT_EQ(rc, 2);
  const std::string bad = run_tool("bench " + dir.file("absent.mint"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(bad.find("absent.mint"), std::string::npos) << bad;
}

TEST_F(EvalPipeline, EvalCommandsMatchTheLibrary) {
  MINT_SKIP_TOOL_IN_CROSS_BUILDS();
  int rc = 0;
  const std::string grid = dir_.file("grid.png");
  const std::string out =
      run_tool("eval gan " + dir_.file("gen.mint") + " --classifier " + dir_.file("cls.mint") +
                   " --samples 20 --real 120 --seed 5 --grid " + grid + " --json",
               &rc);
  ASSERT_EQ(rc, 0) << out;
  PlanRunner gen;
  ASSERT_TRUE(gen.open(dir_.file("gen.mint")).is_ok());
  Classifier cls;
  ASSERT_TRUE(cls.open(dir_.file("cls.mint"), Range::kMinusOneToOne, 1).is_ok());
  auto images = generate_images(gen, 20, 5, Range::kMinusOneToOne);
  auto s = score_images(cls, images.value(), 20, real_);
  ASSERT_TRUE(s.is_ok());
  EXPECT_NEAR(json_number(out, "fid_fmnist"), s.value().fid, 1e-8 * s.value().fid) << out;
  EXPECT_NEAR(json_number(out, "mean"), s.value().inception.mean, 1e-8);
  const auto png = read_bytes(grid);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png[1], 'P');

  write_identity(dir_.file("enc.mint"), "image", "mu");
  write_identity(dir_.file("dec.mint"), "z", "image");
  const std::string vae =
      run_tool("eval vae " + dir_.file("enc.mint") + " " + dir_.file("dec.mint") +
                   " --range pm1 --images 15 --samples 12 --json",
               &rc);
  ASSERT_EQ(rc, 0) << vae;
  EXPECT_NEAR(json_number(vae, "ssim"), 1.0, 1e-9) << vae;
  EXPECT_EQ(json_number(vae, "images"), 15);
  const std::string text =
      run_tool("eval classifier " + dir_.file("cls.mint") + " --images 120", &rc);
  ASSERT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("of 120 Fashion-MNIST test images"), std::string::npos) << text;

  run_tool("eval gan " + dir_.file("gen.mint"), &rc);  // no --classifier
  EXPECT_EQ(rc, 2);
  const std::string bad = run_tool("eval classifier " + dir_.file("gen.mint"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(bad.find("error"), std::string::npos);
}

}  // namespace
}  // namespace mint::eval

namespace mint::eval {
namespace {

// An ONNX classifier with the contract (made by tests/eval/reference.py with the onnx module),
// compiled by `mint compile` and scored by `mint eval classifier`: the same count of correct
// labels as numpy's forward pass.
TEST(EvalCommands, OnnxClassifierThroughCompileAndEval) {
  MINT_SKIP_TOOL_IN_CROSS_BUILDS();
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  auto ref = eval_test::reference("onnx-classifier " + dir.file("cls.onnx"));
  ASSERT_FALSE(ref["correct"].empty());
  int rc = 0;
  const std::string c =
      run_tool("compile " + dir.file("cls.onnx") + " -o " + dir.file("cls.mint"), &rc);
  ASSERT_EQ(rc, 0) << c;
  const std::string out =
      run_tool("eval classifier " + dir.file("cls.mint") + " --images 50 --json", &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(json_number(out, "correct"), std::strtod(ref["correct"].c_str(), nullptr)) << out;
  EXPECT_EQ(json_number(out, "images"), 50);
}

}  // namespace
}  // namespace mint::eval

namespace mint::eval {
namespace {

// The committed beta-VAE (models/image/trained/vae): `mint eval vae`'s reconstruction metrics
// on mint plans equal PyTorch's forward pass scored by the scipy SSIM reference.
TEST(EvalCommands, VaeReconstructionMatchesPyTorch) {
  MINT_SKIP_TOOL_IN_CROSS_BUILDS();
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  int rc = 0;
  const std::string vae = eval_test::source_dir() + "/models/image/trained/vae/";
  for (const char* part : {"encoder", "decoder"}) {
    const std::string out = run_tool(
        "compile " + vae + part + ".onnx -o " + dir.file(std::string(part) + ".mint"), &rc);
    ASSERT_EQ(rc, 0) << out;
  }
  const std::string out =
      run_tool("eval vae " + dir.file("encoder.mint") + " " + dir.file("decoder.mint") +
                   " --images 100 --samples 2 --json",
               &rc);
  ASSERT_EQ(rc, 0) << out;
  auto ref = eval_test::reference("vae-recon " + eval_test::source_dir() + " 100");
  // mint matches PyTorch within 1e-4 per pixel (tests/image_models_test.cc); the means agree
  // far closer.
  EXPECT_NEAR(json_number(out, "ssim"), eval_test::as_double(ref, "ssim"), 1e-5) << out;
  EXPECT_NEAR(json_number(out, "mse"), eval_test::as_double(ref, "mse"), 1e-6) << out;
}

}  // namespace
}  // namespace mint::eval
