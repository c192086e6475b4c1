// The text-model ops (rope, attention over a KV cache, gather_last) against double-precision
// references written here from their definitions, their run-time checks of caller data, and
// the plan loader's checks of segments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "compiler/graph.h"
#include "kernels/attention.h"
#include "kernels/fp16.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::GraphBuilder;
using compiler::ValueId;
using testing_util::AlignedPlan;
using testing_util::compile_or_die;
using testing_util::random_floats;

struct Loaded {
  std::unique_ptr<AlignedPlan> plan;
  std::unique_ptr<Model> model;
  std::unique_ptr<Session> session;
};

Loaded load(const std::vector<uint8_t>& bytes, size_t threads = 1) {
  Loaded l;
  l.plan = std::make_unique<AlignedPlan>(bytes);
  auto model = Model::load_memory(l.plan->data(), l.plan->size(), LoadOptions{});
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  if (!model.is_ok()) return l;
  l.model = std::move(model).value();
  SessionOptions so;
  so.num_threads = threads;
  auto session = Session::create(*l.model, so);
  EXPECT_TRUE(session.is_ok()) << session.status().message();
  if (session.is_ok()) l.session = std::move(session).value();
  return l;
}

template <typename T>
void set(Session& s, size_t i, const std::vector<T>& v) {
  ASSERT_TRUE(s.set_input(i, v.data(), v.size() * sizeof(T)).is_ok());
}

std::vector<float> output(Session& s, size_t i = 0) {
  size_t bytes = 0;
  auto out = s.output(i, &bytes);
  EXPECT_TRUE(out.is_ok()) << out.status().message();
  if (!out.is_ok()) return {};
  const float* f = reinterpret_cast<const float*>(out.value());
  return std::vector<float>(f, f + bytes / 4);
}

// ---- rope ----

TEST(RopeOp, MatchesRotateHalfReference) {
  const int heads = 3, rows = 5;
  // head dims past 128 cross the kernel's 64-frequency chunks of cos / sin
  for (const auto& [head_dim, rotary] : {std::pair{8, 8}, {8, 4}, {160, 160}, {160, 136}}) {
    GraphBuilder b;
    const ValueId x = b.input("x", DType::f32, {rows, heads * head_dim});
    const ValueId pos = b.input("positions", DType::i32, {rows});
    b.output(b.rope(x, pos, heads, head_dim, rotary, 10000.0f));
    Loaded l = load(compile_or_die(b));
    ASSERT_NE(l.session, nullptr);
    std::mt19937 rng(3);
    const std::vector<float> xv = random_floats(rng, rows * heads * head_dim);
    const std::vector<int32_t> pv = {0, 1, 7, 100, 2047};
    set(*l.session, 0, xv);
    set(*l.session, 1, pv);
    ASSERT_TRUE(l.session->run().is_ok());
    const std::vector<float> y = output(*l.session);
    for (int r = 0; r < rows; ++r) {
      for (int h = 0; h < heads; ++h) {
        const float* xr = xv.data() + (r * heads + h) * head_dim;
        const float* yr = y.data() + (r * heads + h) * head_dim;
        const int half = rotary / 2;
        for (int i = 0; i < half; ++i) {
          const double angle = pv[r] / std::pow(10000.0, 2.0 * i / rotary);
          EXPECT_NEAR(yr[i], xr[i] * std::cos(angle) - xr[i + half] * std::sin(angle), 2e-4);
          EXPECT_NEAR(yr[i + half], xr[i + half] * std::cos(angle) + xr[i] * std::sin(angle), 2e-4);
        }
        for (int i = rotary; i < head_dim; ++i) EXPECT_EQ(yr[i], xr[i]);
      }
    }
  }
}

TEST(RopeOp, RejectsBadOptionsAndNegativePositions) {
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {2, 8});
  const ValueId pos = b.input("positions", DType::i32, {2});
  b.rope(x, pos, 1, 8, 3, 10000.0f);  // odd rotary_dim
  EXPECT_FALSE(b.finish().is_ok());

  GraphBuilder ok;
  const ValueId x2 = ok.input("x", DType::f32, {2, 8});
  const ValueId p2 = ok.input("positions", DType::i32, {2});
  ok.output(ok.rope(x2, p2, 2, 4, 4, 10000.0f));
  Loaded l = load(compile_or_die(ok));
  ASSERT_NE(l.session, nullptr);
  set(*l.session, 0, std::vector<float>(16, 1.0f));
  set(*l.session, 1, std::vector<int32_t>{0, -1});
  EXPECT_EQ(l.session->run().code(), mint_status_invalid_argument);
}

// ---- attention ----

struct AttentionCase {
  DType cache;
  double tolerance;  // vs the exact reference over f32 K/V
};

class AttentionOp : public ::testing::TestWithParam<AttentionCase> {};

// Two runs over one cache: rows 0..3 (count 4), then 3 valid rows of 4 at positions 4..6.
// Each output row equals softmax(q k^T * scale) v over the positions up to its own, GQA head
// h reading KV head h / 2; padding rows are zero.
TEST_P(AttentionOp, MatchesCausalGqaReferenceAcrossRuns) {
  const int H = 4, KV = 2, D = 8, T = 4, C = 16;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  const DType cache = GetParam().cache;
  for (size_t threads : {size_t{1}, size_t{3}}) {
    GraphBuilder b;
    const ValueId q = b.input("q", DType::f32, {T, H * D});
    const ValueId k = b.input("k", DType::f32, {T, KV * D});
    const ValueId v = b.input("v", DType::f32, {T, KV * D});
    const ValueId pos = b.input("positions", DType::i32, {T});
    const ValueId count = b.input("count", DType::i32, {1});
    std::vector<ValueId> in = {q, k, v, b.state("kc", cache, {C, KV * D}), b.state("vc", cache, {C, KV * D}), pos, count};
    if (cache == DType::i8) {
      in.push_back(b.state("ks", DType::f32, {C, KV}));
      in.push_back(b.state("vs", DType::f32, {C, KV}));
    }
    b.output(b.attention(in, H, KV, D, scale));
    Loaded l = load(compile_or_die(b), threads);
    ASSERT_NE(l.session, nullptr);
    std::mt19937 rng(11);
    std::vector<std::vector<float>> keys, values;  // per position, [KV * D]
    for (int run = 0; run < 2; ++run) {
      const int start = run == 0 ? 0 : 4, n = run == 0 ? 4 : 3;
      const std::vector<float> qv = random_floats(rng, T * H * D), kv = random_floats(rng, T * KV * D),
                               vv = random_floats(rng, T * KV * D);
      std::vector<int32_t> pv(T);
      for (int t = 0; t < T; ++t) pv[t] = start + std::min(t, n - 1);
      set(*l.session, 0, qv);
      set(*l.session, 1, kv);
      set(*l.session, 2, vv);
      set(*l.session, 3, pv);
      set(*l.session, 4, std::vector<int32_t>{n});
      ASSERT_TRUE(l.session->run().is_ok());
      const std::vector<float> y = output(*l.session);
      for (int t = 0; t < n; ++t) {
        keys.emplace_back(kv.begin() + t * KV * D, kv.begin() + (t + 1) * KV * D);
        values.emplace_back(vv.begin() + t * KV * D, vv.begin() + (t + 1) * KV * D);
      }
      for (int t = 0; t < T; ++t) {
        for (int h = 0; h < H; ++h) {
          const float* out = y.data() + t * H * D + h * D;
          if (t >= n) {
            for (int i = 0; i < D; ++i) EXPECT_EQ(out[i], 0.0f);
            continue;
          }
          const int len = start + t + 1, g = h / (H / KV);
          std::vector<double> s(len);
          double mx = -1e300, sum = 0;
          for (int j = 0; j < len; ++j) {
            double dot = 0;
            for (int i = 0; i < D; ++i) dot += double(qv[t * H * D + h * D + i]) * keys[j][g * D + i];
            s[j] = dot * scale;
            mx = std::max(mx, s[j]);
          }
          for (int j = 0; j < len; ++j) sum += (s[j] = std::exp(s[j] - mx));
          for (int i = 0; i < D; ++i) {
            double want = 0;
            for (int j = 0; j < len; ++j) want += s[j] / sum * values[j][g * D + i];
            EXPECT_NEAR(out[i], want, GetParam().tolerance) << "run " << run << " row " << t << " head " << h;
          }
        }
      }
    }
  }
}

// Tolerances: f32 cache: f32 rounding only; f16: 2^-11 relative per cached value (|v| <= 1);
// int8: 1/254 of each row's max per cached value, for both K (through the softmax) and V.
INSTANTIATE_TEST_SUITE_P(Caches, AttentionOp,
                         ::testing::Values(AttentionCase{DType::f32, 1e-5}, AttentionCase{DType::f16, 2e-3},
                                           AttentionCase{DType::i8, 2e-2}),
                         [](const auto& info) { return std::string(dtype_name(info.param.cache)); });

TEST(AttentionOpChecks, RejectsBadCountsAndPositions) {
  const int T = 2, C = 4;
  GraphBuilder b;
  const ValueId q = b.input("q", DType::f32, {T, 8});
  const ValueId k = b.input("k", DType::f32, {T, 8});
  const ValueId v = b.input("v", DType::f32, {T, 8});
  const ValueId pos = b.input("positions", DType::i32, {T});
  const ValueId count = b.input("count", DType::i32, {1});
  b.output(b.attention({q, k, v, b.state("kc", DType::f32, {C, 8}), b.state("vc", DType::f32, {C, 8}), pos, count},
                       2, 2, 4, 0.5f));
  Loaded l = load(compile_or_die(b));
  ASSERT_NE(l.session, nullptr);
  set(*l.session, 0, std::vector<float>(16, 0.5f));
  set(*l.session, 1, std::vector<float>(16, 0.5f));
  set(*l.session, 2, std::vector<float>(16, 0.5f));
  struct Bad {
    std::vector<int32_t> positions;
    int32_t count;
  };
  for (const Bad& bad : {Bad{{0, 1}, 0}, Bad{{0, 1}, 3}, Bad{{-1, 0}, 1}, Bad{{3, 4}, 2}, Bad{{0, 2}, 2}}) {
    set(*l.session, 3, bad.positions);
    set(*l.session, 4, std::vector<int32_t>{bad.count});
    EXPECT_EQ(l.session->run().code(), mint_status_invalid_argument);
  }
  set(*l.session, 3, std::vector<int32_t>{2, 3});
  set(*l.session, 4, std::vector<int32_t>{2});
  EXPECT_TRUE(l.session->run().is_ok());
}

TEST(AttentionOpChecks, BuilderRejectsNonStateCachesAndMissingScales) {
  GraphBuilder b;
  const ValueId q = b.input("q", DType::f32, {1, 8});
  const ValueId pos = b.input("positions", DType::i32, {1});
  const ValueId count = b.input("count", DType::i32, {1});
  const ValueId not_state = b.input("kc", DType::f32, {4, 8});
  b.attention({q, q, q, not_state, not_state, pos, count}, 2, 2, 4, 0.5f);
  EXPECT_FALSE(b.finish().is_ok());
  GraphBuilder c;
  const ValueId q2 = c.input("q", DType::f32, {1, 8});
  const ValueId p2 = c.input("positions", DType::i32, {1});
  const ValueId n2 = c.input("count", DType::i32, {1});
  c.attention({q2, q2, q2, c.state("kc", DType::i8, {4, 8}), c.state("vc", DType::i8, {4, 8}), p2, n2}, 2, 2, 4, 0.5f);
  EXPECT_FALSE(c.finish().is_ok());
}

// ---- gather_last ----

TEST(GatherLastOp, PicksRowCountMinusOne) {
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {3, 2});
  const ValueId count = b.input("count", DType::i32, {1});
  b.output(b.gather_last(x, count));
  Loaded l = load(compile_or_die(b));
  ASSERT_NE(l.session, nullptr);
  set(*l.session, 0, std::vector<float>{1, 2, 3, 4, 5, 6});
  for (int32_t n : {1, 2, 3}) {
    set(*l.session, 1, std::vector<int32_t>{n});
    ASSERT_TRUE(l.session->run().is_ok());
    EXPECT_EQ(output(*l.session), (std::vector<float>{float(2 * n - 1), float(2 * n)}));
  }
  for (int32_t n : {0, 4}) {
    set(*l.session, 1, std::vector<int32_t>{n});
    EXPECT_EQ(l.session->run().code(), mint_status_invalid_argument);
  }
}

// ---- KV rows ----

TEST(KvRows, Int8RowsRoundTripWithinHalfAStep) {
  std::mt19937 rng(5);
  const std::vector<float> x = random_floats(rng, 64, -3.0f, 3.0f);
  int8_t q[64];
  float scale = 0;
  kv_store_row_qs8(64, x.data(), q, &scale);
  float max_abs = 0;
  for (float v : x) max_abs = std::max(max_abs, std::fabs(v));
  EXPECT_FLOAT_EQ(scale, max_abs / 127.0f);
  for (int i = 0; i < 64; ++i) EXPECT_LE(std::fabs(q[i] * scale - x[i]), scale * 0.5f + 1e-6f);
  const std::vector<float> zero(8, 0.0f);
  kv_store_row_qs8(8, zero.data(), q, &scale);
  EXPECT_EQ(scale, 1.0f);
}

// ---- segments in the loader ----

std::vector<uint8_t> two_segment_plan() {
  GraphBuilder b;
  b.begin_segment("a");
  const ValueId x = b.input("a.x", DType::f32, {4});
  b.output(b.relu(x));
  b.begin_segment("b");
  const ValueId y = b.input("b.x", DType::f32, {4});
  b.output(b.tanh(y));
  return compile_or_die(b);
}

TEST(Segments, RunIndependently) {
  Loaded l = load(two_segment_plan());
  ASSERT_NE(l.session, nullptr);
  ASSERT_EQ(l.model->segments().size(), 2u);
  // The segments' inputs may share arena bytes: set a segment's inputs right before running it.
  set(*l.session, 0, std::vector<float>{-1, 0, 1, 2});
  ASSERT_TRUE(l.session->run_segment(0).is_ok());
  EXPECT_EQ(output(*l.session, 0), (std::vector<float>{0, 0, 1, 2}));
  size_t bytes;
  EXPECT_EQ(l.session->output(1, &bytes).status().code(), mint_status_invalid_state);
  set(*l.session, 1, std::vector<float>{0, 0, 0, 0});
  ASSERT_TRUE(l.session->run_segment(1).is_ok());
  EXPECT_EQ(output(*l.session, 1), (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(l.session->run_segment(2).code(), mint_status_invalid_argument);
}

std::vector<uint8_t> mutate(const std::vector<uint8_t>& bytes, const std::function<void(plan::PlanT&)>& f) {
  const plan::Plan* p = plan::GetSizePrefixedPlan(bytes.data());
  std::unique_ptr<plan::PlanT> tree(p->UnPack());
  f(*tree);
  flatbuffers::FlatBufferBuilder fbb;
  plan::FinishSizePrefixedPlanBuffer(fbb, plan::Plan::Pack(fbb, tree.get()));
  // Keep the segments (constants) where they were: this plan has none, so the base is the end.
  std::vector<uint8_t> out(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  out.resize((out.size() + 63) / 64 * 64, 0);
  std::unique_ptr<plan::PlanT> fixed(plan::GetSizePrefixedPlan(out.data())->UnPack());
  fixed->segment_base = out.size();
  flatbuffers::FlatBufferBuilder fbb2;
  plan::FinishSizePrefixedPlanBuffer(fbb2, plan::Plan::Pack(fbb2, fixed.get()));
  std::vector<uint8_t> final_bytes(fbb2.GetBufferPointer(), fbb2.GetBufferPointer() + fbb2.GetSize());
  final_bytes.resize(out.size(), 0);
  return final_bytes;
}

void expect_invalid(const std::vector<uint8_t>& bytes, const std::string& mentions) {
  AlignedPlan plan(bytes);
  auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
  ASSERT_FALSE(model.is_ok());
  EXPECT_EQ(model.status().code(), mint_status_invalid_plan);
  EXPECT_NE(model.status().message().find(mentions), std::string::npos) << model.status().message();
}

TEST(Segments, LoaderRejectsBrokenSegments) {
  const std::vector<uint8_t> good = two_segment_plan();
  {
    AlignedPlan plan(mutate(good, [](plan::PlanT&) {}));
    EXPECT_TRUE(Model::load_memory(plan.data(), plan.size(), LoadOptions{}).is_ok());
  }
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.segments[1]->first_op = 0; }), "do not continue");
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.segments[1]->op_count = 0; }), "do not continue");
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.segments.pop_back(); }), "segments cover");
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.segments[1]->name = "a"; }), "repeated");
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.segments[0]->inputs[0] = 2; }), "not a graph input");
  // Segment b's op reading segment a's input.
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.ops[1]->inputs[0] = p.ops[0]->inputs[0]; }),
                 "neither an input of the segment");
  expect_invalid(mutate(good, [](plan::PlanT& p) { p.segments[0]->outputs = p.segments[1]->outputs; }),
                 "not written by the segment");
}

}  // namespace
}  // namespace mint
