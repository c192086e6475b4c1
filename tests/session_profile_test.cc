// Session::set_profile (runtime/session.h): per-node times accumulate only while a vector is
// set, one entry per node, and profiling does not change what a run computes.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "compiler/graph.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::GraphBuilder;
using compiler::ValueId;

TEST(SessionProfile, AccumulatesPerNodeOnlyWhileSetAndKeepsOutputs) {
  GraphBuilder b;
  const int rows = 4, heads = 2, head_dim = 8;
  const ValueId x = b.input("x", DType::f32, {rows, heads * head_dim});
  const ValueId pos = b.input("positions", DType::i32, {rows});
  const ValueId r1 = b.rope(x, pos, heads, head_dim, head_dim, 10000.0f);
  b.output(b.rope(r1, pos, heads, head_dim, head_dim, 10000.0f));
  testing_util::AlignedPlan plan(testing_util::compile_or_die(b));
  auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  auto session = Session::create(*model.value(), SessionOptions{});
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  Session& s = *session.value();
  std::mt19937 rng(5);
  const std::vector<float> xv = testing_util::random_floats(rng, rows * heads * head_dim);
  const std::vector<int32_t> pv = {0, 3, 9, 40};
  auto run = [&]() {
    EXPECT_TRUE(s.set_input(0, xv.data(), xv.size() * sizeof(float)).is_ok());
    EXPECT_TRUE(s.set_input(1, pv.data(), pv.size() * sizeof(int32_t)).is_ok());
    EXPECT_TRUE(s.run().is_ok());
    size_t bytes = 0;
    auto out = s.output(0, &bytes);
    EXPECT_TRUE(out.is_ok());
    const float* f = reinterpret_cast<const float*>(out.value());
    return std::vector<float>(f, f + bytes / sizeof(float));
  };
  const std::vector<float> plain = run();
  std::vector<double> seconds;
  s.set_profile(&seconds);
  ASSERT_EQ(seconds.size(), s.nodes().size());
  EXPECT_EQ(run(), plain);
  EXPECT_EQ(run(), plain);
  double total = 0;
  for (double t : seconds) {
    EXPECT_GE(t, 0.0);
    total += t;
  }
  EXPECT_GT(total, 0.0);
  s.set_profile(nullptr);
  const std::vector<double> kept = seconds;
  EXPECT_EQ(run(), plain);
  EXPECT_EQ(seconds, kept);  // no longer written
}

}  // namespace
}  // namespace mint
