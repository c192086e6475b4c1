// Graph -> plan -> run round trips for the fully connected paths (f32, f16 and int8 weights),
// on every ISA level this machine has and on 1 and 2 threads; the memory planner; and the C
// ABI's argument checking.
#include <gtest/gtest.h>

#include <cmath>

#include "compiler/memory_planner.h"
#include "kernels/fp16.h"
#include "runtime/model.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::CompileOptions;
using compiler::GraphBuilder;
using compiler::ValueId;
using compiler::WeightPrecision;
using namespace testing_util;

struct MlpCase {
  size_t m, k, hidden, n;
};
void PrintTo(const MlpCase& c, std::ostream* os) {
  *os << "m=" << c.m << " k=" << c.k << " hidden=" << c.hidden << " n=" << c.n;
}

struct Mlp {
  std::vector<float> w1, b1, w2, b2;
};

// y = relu(x W1^T + b1) W2^T + b2, in double precision. `round_weights` applies the
// precision's rounding of the weights first (f16), so only accumulation differs.
std::vector<double> mlp_reference(const MlpCase& c, const Mlp& p, const std::vector<float>& x) {
  std::vector<double> h(c.m * c.hidden), y(c.m * c.n);
  for (size_t i = 0; i < c.m; ++i) {
    for (size_t j = 0; j < c.hidden; ++j) {
      double acc = p.b1[j];
      for (size_t kk = 0; kk < c.k; ++kk) acc += double{x[i * c.k + kk]} * p.w1[j * c.k + kk];
      h[i * c.hidden + j] = std::max(acc, 0.0);
    }
    for (size_t j = 0; j < c.n; ++j) {
      double acc = p.b2[j];
      for (size_t kk = 0; kk < c.hidden; ++kk) acc += h[i * c.hidden + kk] * p.w2[j * c.hidden + kk];
      y[i * c.n + j] = acc;
    }
  }
  return y;
}

std::vector<uint8_t> build_mlp(const MlpCase& c, const Mlp& p, WeightPrecision precision) {
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {int64_t(c.m), int64_t(c.k)});
  const ValueId h = b.fully_connected(
      x, b.constant_f32("w1", {int64_t(c.hidden), int64_t(c.k)}, p.w1),
      b.constant_f32("b1", {int64_t(c.hidden)}, p.b1), plan::Activation::relu, "fc1");
  const ValueId y = b.fully_connected(h, b.constant_f32("w2", {int64_t(c.n), int64_t(c.hidden)}, p.w2),
                                      b.constant_f32("b2", {int64_t(c.n)}, p.b2),
                                      plan::Activation::none, "fc2");
  b.output(y);
  CompileOptions options;
  options.weights = precision;
  return compile_or_die(b, options);
}

class FullyConnectedRoundTrip : public testing::TestWithParam<MlpCase> {};

TEST_P(FullyConnectedRoundTrip, AllPrecisionsIsasAndThreads) {
  const MlpCase c = GetParam();
  std::mt19937 rng(static_cast<uint32_t>(c.m * 1000 + c.k));
  Mlp p{random_floats(rng, c.hidden * c.k, -0.2f, 0.2f), random_floats(rng, c.hidden),
        random_floats(rng, c.n * c.hidden, -0.2f, 0.2f), random_floats(rng, c.n)};
  const std::vector<float> x = random_floats(rng, c.m * c.k);

  for (WeightPrecision precision : {WeightPrecision::kF32, WeightPrecision::kF16, WeightPrecision::kInt8}) {
    Mlp rounded = p;
    if (precision == WeightPrecision::kF16) {
      for (auto* w : {&rounded.w1, &rounded.w2}) {
        for (float& v : *w) v = f16_to_f32(f32_to_f16(v));
      }
    }
    const std::vector<double> ref = mlp_reference(c, rounded, x);
    double ref_scale = 1e-3;
    for (double v : ref) ref_scale = std::max(ref_scale, std::fabs(v));
    // f32/f16: accumulation-order error only. int8: weights (per-channel, 1/254 of the row
    // range) and activations (per-row, 1/255 of the row range) are quantized, through two
    // layers; 3% of the output range bounds that comfortably for these sizes.
    const double tolerance = precision == WeightPrecision::kInt8 ? 0.03 * ref_scale : 1e-4 * ref_scale;

    AlignedPlan plan(build_mlp(c, p, precision));
    std::vector<float> first;
    for (const std::string& isa : available_isas()) {
      for (size_t threads : {size_t{1}, size_t{2}}) {
        const std::vector<float> y = run_f32(plan, {x}, threads, isa.c_str());
        ASSERT_EQ(y.size(), ref.size());
        for (size_t i = 0; i < y.size(); ++i) {
          ASSERT_NEAR(y[i], ref[i], tolerance)
              << "precision " << int(precision) << " isa " << isa << " threads " << threads << " at " << i;
        }
        if (precision == WeightPrecision::kInt8 && isa == available_isas().front() && threads == 1) {
          first = y;
        } else if (precision == WeightPrecision::kInt8) {
          // The integer paths are exact: every ISA and thread count gives the same bits.
          ASSERT_EQ(y, first) << "isa " << isa << " threads " << threads;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, FullyConnectedRoundTrip,
                         testing::Values(MlpCase{1, 64, 48, 10}, MlpCase{1, 37, 23, 5},
                                         MlpCase{7, 129, 67, 33}, MlpCase{16, 96, 256, 64}),
                         [](const testing::TestParamInfo<MlpCase>& info) {
                           const MlpCase& c = info.param;
                           return "m" + std::to_string(c.m) + "_k" + std::to_string(c.k) + "_h" +
                                  std::to_string(c.hidden) + "_n" + std::to_string(c.n);
                         });

TEST(MemoryPlanner, ReusesArenaAcrossAChain) {
  // x -> fc -> fc -> fc -> fc: intermediate i dies after node i+1, so the arena holds at most
  // the input plus two intermediates at once.
  std::mt19937 rng(3);
  GraphBuilder b;
  ValueId h = b.input("x", DType::f32, {4, 256});
  for (int i = 0; i < 4; ++i) {
    h = b.fully_connected(h, b.constant_f32("w" + std::to_string(i), {256, 256}, random_floats(rng, 256 * 256)),
                          compiler::kInvalidValue, plan::Activation::none);
  }
  b.output(h);
  auto graph = b.finish();
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  std::vector<size_t> sizes(graph.value().values.size(), 4 * 256 * 4);
  const compiler::MemoryPlan memory = compiler::plan_memory(graph.value(), sizes);
  EXPECT_EQ(memory.naive_size, 5u * 4096);
  EXPECT_EQ(memory.arena_size, 3u * 4096);
  // Values alive at the same step never overlap.
  const auto& g = graph.value();
  for (size_t step = 0; step < g.nodes.size(); ++step) {
    const ValueId in = g.nodes[step].inputs[0], out = g.nodes[step].outputs[0];
    EXPECT_NE(memory.offsets[in], memory.offsets[out]) << "step " << step;
    EXPECT_NE(memory.offsets[g.inputs[0]], memory.offsets[out]) << "input overwritten at " << step;
  }

  AlignedPlan plan(compile_or_die(b));
  mint_model_t model = nullptr;
  ASSERT_EQ(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model), mint_status_success);
  ModelPtr owner(model);
  const std::vector<float> x = random_floats(rng, 4 * 256);
  // Running twice with the same input gives the same output (inputs are never overwritten).
  const auto y1 = run_f32(plan, {x});
  mint_session_t session = nullptr;
  ASSERT_EQ(mint_session_create(model, nullptr, &session), mint_status_success);
  SessionPtr s(session);
  ASSERT_EQ(mint_session_set_input(session, 0, x.data(), x.size() * 4), mint_status_success);
  std::vector<float> y2(y1.size());
  for (int r = 0; r < 2; ++r) {
    ASSERT_EQ(mint_session_run(session), mint_status_success);
    ASSERT_EQ(mint_session_get_output(session, 0, y2.data(), y2.size() * 4), mint_status_success);
    EXPECT_EQ(y1, y2) << "run " << r;
  }
}

class CApi : public testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(5);
    GraphBuilder b;
    const ValueId x = b.input("x", DType::f32, {2, 8});
    b.output(b.fully_connected(x, b.constant_f32("w", {3, 8}, random_floats(rng, 24)),
                               compiler::kInvalidValue, plan::Activation::none, "fc"));
    b.set_model_family("tiny");
    b.set_metadata("purpose", "tests");
    plan_ = std::make_unique<AlignedPlan>(compile_or_die(b));
    ASSERT_EQ(mint_model_load_memory(plan_->data(), plan_->size(), nullptr, &model_), mint_status_success)
        << mint_last_error();
    ASSERT_EQ(mint_session_create(model_, nullptr, &session_), mint_status_success) << mint_last_error();
  }
  void TearDown() override {
    mint_session_free(session_);
    mint_model_free(model_);
  }
  std::unique_ptr<AlignedPlan> plan_;
  mint_model_t model_ = nullptr;
  mint_session_t session_ = nullptr;
};

TEST_F(CApi, ListsInputsOutputsAndMetadata) {
  size_t count = 0;
  ASSERT_EQ(mint_model_input_count(model_, &count), mint_status_success);
  EXPECT_EQ(count, 1u);
  mint_tensor_info info{};
  info.size = sizeof(info);
  ASSERT_EQ(mint_model_input_info(model_, 0, &info), mint_status_success);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, mint_dtype_f32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.shape[1], 8);
  EXPECT_EQ(info.byte_size, 64u);
  ASSERT_EQ(mint_model_output_info(model_, 0, &info), mint_status_success);
  EXPECT_STREQ(info.name, "fc");
  EXPECT_EQ(info.shape[1], 3);
  const char* value = nullptr;
  ASSERT_EQ(mint_model_metadata(model_, "model_family", &value), mint_status_success);
  EXPECT_STREQ(value, "tiny");
  ASSERT_EQ(mint_model_metadata(model_, "purpose", &value), mint_status_success);
  EXPECT_STREQ(value, "tests");
  EXPECT_EQ(mint_model_metadata(model_, "absent", &value), mint_status_invalid_argument);
}

TEST_F(CApi, RejectsInvalidArgumentsWithMessages) {
  float buf[16] = {};
  EXPECT_EQ(mint_model_load_file(nullptr, nullptr, &model_), mint_status_invalid_argument);
  EXPECT_NE(std::string(mint_last_error()).find("path is null"), std::string::npos);
  mint_model_t other = nullptr;
  EXPECT_EQ(mint_model_load_file("/nonexistent/plan.mint", nullptr, &other), mint_status_io_error);
  EXPECT_NE(std::string(mint_last_error()).find("/nonexistent/plan.mint"), std::string::npos);
  EXPECT_EQ(other, nullptr);
  EXPECT_EQ(mint_model_input_count(nullptr, nullptr), mint_status_invalid_argument);
  mint_tensor_info info{};
  info.size = sizeof(info);
  EXPECT_EQ(mint_model_input_info(model_, 1, &info), mint_status_invalid_argument);
  EXPECT_NE(std::string(mint_last_error()).find("outside [0, 1)"), std::string::npos);
  info.size = 3;
  EXPECT_EQ(mint_model_input_info(model_, 0, &info), mint_status_invalid_argument);
  EXPECT_EQ(mint_session_set_input(session_, 0, buf, 60), mint_status_invalid_argument);
  EXPECT_NE(std::string(mint_last_error()).find("takes 64 bytes"), std::string::npos);
  EXPECT_EQ(mint_session_set_input(session_, 3, buf, 64), mint_status_invalid_argument);
  EXPECT_EQ(mint_session_set_input(session_, 0, nullptr, 64), mint_status_invalid_argument);
  EXPECT_EQ(mint_session_get_output(session_, 0, buf, 24), mint_status_invalid_state);
  EXPECT_NE(std::string(mint_last_error()).find("no successful run"), std::string::npos);
  ASSERT_EQ(mint_session_set_input(session_, 0, buf, 64), mint_status_success);
  ASSERT_EQ(mint_session_run(session_), mint_status_success);
  EXPECT_EQ(mint_session_get_output(session_, 0, buf, 23), mint_status_invalid_argument);
  EXPECT_EQ(mint_session_get_output(session_, 1, buf, 24), mint_status_invalid_argument);
  EXPECT_EQ(mint_session_get_output(session_, 0, buf, 24), mint_status_success);
  EXPECT_EQ(mint_session_run(nullptr), mint_status_invalid_argument);

  mint_session_options options;
  mint_session_options_init(&options);
  options.max_isa = "sse9";
  mint_session_t s = nullptr;
  EXPECT_EQ(mint_session_create(model_, &options, &s), mint_status_invalid_argument);
  EXPECT_NE(std::string(mint_last_error()).find("unknown ISA 'sse9'"), std::string::npos);
  options.max_isa = nullptr;
  options.size = 0;
  EXPECT_EQ(mint_session_create(model_, &options, &s), mint_status_invalid_argument);
  EXPECT_EQ(s, nullptr);
  EXPECT_STREQ(mint_status_string(mint_status_invalid_plan), "invalid_plan");
  EXPECT_STREQ(mint_dtype_string(static_cast<mint_dtype>(99)), "unknown");
}

TEST_F(CApi, ScalarIsaIsSelectable) {
  mint_session_options options;
  mint_session_options_init(&options);
  options.max_isa = "scalar";
  mint_session_t s = nullptr;
  ASSERT_EQ(mint_session_create(model_, &options, &s), mint_status_success);
  const char* isa = nullptr;
  ASSERT_EQ(mint_session_isa(s, &isa), mint_status_success);
  EXPECT_STREQ(isa, "scalar");
  mint_session_free(s);
}

}  // namespace
}  // namespace mint
