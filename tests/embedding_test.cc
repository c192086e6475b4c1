// The embedding op's f16, per-row int8 and packed-panel tables (runtime/ops/embedding.cc,
// kernels/layout.h), end to end through GraphBuilder -> compile() -> the C ABI, on the portable
// kernels and the best ISA with one and three threads. Every result is exact: an f16 value
// widened, an int8 value times its row's scale (one f32 product), or an f32 copy.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/fp16.h"
#include "runtime/model.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::CompileOptions;
using compiler::GraphBuilder;
using compiler::kInvalidValue;
using compiler::ValueId;
using compiler::WeightPrecision;
using namespace testing_util;

using Bytes = std::vector<uint8_t>;

template <typename T>
Bytes to_bytes(const std::vector<T>& v) {
  Bytes b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <typename T>
std::vector<T> from_bytes(const Bytes& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

struct Config {
  const char* isa;  // null: best available
  size_t threads;
  std::string name() const { return std::string(isa ? isa : "best") + "/" + std::to_string(threads) + "t"; }
};
const Config kConfigs[] = {{"scalar", 1}, {nullptr, 1}, {nullptr, 3}};

struct RunResult {
  mint_status status = mint_status_success;
  std::string error;
  std::vector<Bytes> outputs;
};

// Loads `plan`, sets `inputs`, runs once; returns every output or the failure.
RunResult run_plan(const Bytes& bytes, const std::vector<Bytes>& inputs, const Config& cfg) {
  RunResult r;
  const auto failed = [&r](mint_status st) {
    r.status = st;
    if (st != mint_status_success) r.error = mint_last_error();
    return st != mint_status_success;
  };
  AlignedPlan plan(bytes);
  mint_model_t model = nullptr;
  if (failed(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model))) return r;
  ModelPtr model_owner(model);
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = cfg.threads;
  options.max_isa = cfg.isa;
  mint_session_t session = nullptr;
  if (failed(mint_session_create(model, &options, &session))) return r;
  SessionPtr session_owner(session);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (failed(mint_session_set_input(session, i, inputs[i].data(), inputs[i].size()))) return r;
  }
  if (failed(mint_session_run(session))) return r;
  size_t n = 0;
  mint_model_output_count(model, &n);
  for (size_t i = 0; i < n; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_output_info(model, i, &info);
    Bytes out(info.byte_size);
    if (failed(mint_session_get_output(session, i, out.data(), out.size()))) return r;
    r.outputs.push_back(std::move(out));
  }
  return r;
}

Bytes build(GraphBuilder& b) { return compile_or_die(b, CompileOptions{}); }

// f16 tables dequantize exactly (f16_to_f32 of the stored value); int8 tables give q * scale[row]
// in f32, exactly (one product per element). Ids are checked as for f32.
TEST(Embedding, F16Int8AndPackedTables) {
  auto check_exact = [](const Bytes& plan, const std::vector<int32_t>& ids, const std::vector<float>& want,
                        const char* what) {
    ASSERT_FALSE(plan.empty()) << what;
    for (const Config& cfg : kConfigs) {
      const RunResult r = run_plan(plan, {to_bytes(ids)}, cfg);
      ASSERT_EQ(r.status, mint_status_success) << what << " " << cfg.name() << ": " << r.error;
      EXPECT_EQ(from_bytes<float>(r.outputs[0]), want) << what << " " << cfg.name();
    }
  };
  std::mt19937 rng(19);
  const int64_t vocab = 41, dim = 9;
  const std::vector<float> table = random_floats(rng, vocab * dim);
  const std::vector<int32_t> ids = {40, 0, 7, 7, 13, 39};
  {
    Bytes bytes(table.size() * 2);
    std::vector<uint16_t> h(table.size());
    for (size_t i = 0; i < table.size(); ++i) h[i] = f32_to_f16(table[i]);
    std::memcpy(bytes.data(), h.data(), bytes.size());
    GraphBuilder g;
    g.output(g.embedding(g.constant("table", DType::f16, {vocab, dim}, bytes), g.input("ids", DType::i32, {6})));
    std::vector<float> want;
    for (int32_t id : ids)
      for (int64_t j = 0; j < dim; ++j) want.push_back(f16_to_f32(h[id * dim + j]));
    const Bytes plan = build(g);
    check_exact(plan, ids, want, "f16 embedding");
    std::vector<int32_t> bad = ids;
    bad[2] = 41;
    EXPECT_EQ(run_plan(plan, {to_bytes(bad)}, kConfigs[0]).status, mint_status_invalid_argument);
  }
  {
    std::vector<int8_t> q(table.size());
    compiler::QuantSpec quant;
    quant.kind = plan::QuantKind::per_channel;
    quant.axis = 0;
    for (int64_t r = 0; r < vocab; ++r) {
      quant.scales.push_back(0.01f + 0.001f * static_cast<float>(r));
      for (int64_t j = 0; j < dim; ++j) q[r * dim + j] = static_cast<int8_t>((r * 7 + j * 13) % 255 - 127);
    }
    Bytes bytes(q.size());
    std::memcpy(bytes.data(), q.data(), q.size());
    GraphBuilder g;
    g.output(g.embedding(g.constant("table", DType::i8, {vocab, dim}, bytes, quant),
                         g.input("ids", DType::i32, {6})));
    std::vector<float> want;
    for (int32_t id : ids)
      for (int64_t j = 0; j < dim; ++j) want.push_back(static_cast<float>(q[id * dim + j]) * quant.scales[id]);
    const Bytes plan = build(g);
    check_exact(plan, ids, want, "int8 embedding");
    std::vector<int32_t> bad = ids;
    bad[0] = -3;
    EXPECT_EQ(run_plan(plan, {to_bytes(bad)}, kConfigs[0]).status, mint_status_invalid_argument);
  }
  {  // a tied table (also fully_connected weights) gathered from the packed panels gives
     // exactly what a separate table of that precision gives: f32, f16, int8; vocab 41 leaves a
     // partial panel, dim 9 a partial qs8 k group.
    const struct {
      WeightPrecision weights;
      DType table;
      plan::Layout layout;
    } cases[] = {{WeightPrecision::kF32, DType::f32, plan::Layout::gemm_f32},
                 {WeightPrecision::kF16, DType::f16, plan::Layout::gemm_f16},
                 {WeightPrecision::kInt8, DType::i8, plan::Layout::gemm_qs8}};
    for (const auto& c : cases) {
      GraphBuilder g;
      const ValueId t = g.constant_f32("tied", {vocab, dim}, table);
      const ValueId ids_in = g.input("ids", DType::i32, {6});
      g.output(g.embedding(t, ids_in));                                                 // shared
      g.output(g.embedding(g.constant_f32("separate", {vocab, dim}, table), ids_in));   // not
      g.output(g.fully_connected(g.input("x", DType::f32, {2, dim}), t, kInvalidValue,
                                 plan::Activation::none));
      CompileOptions options;
      options.weights = c.weights;
      options.embedding_tables = {{"tied", c.table}, {"separate", c.table}};
      const Bytes plan = compile_or_die(g, options);
      ASSERT_FALSE(plan.empty());
      AlignedPlan aligned(plan);
      auto model = Model::load_memory(aligned.data(), aligned.size(), LoadOptions{});
      ASSERT_TRUE(model.is_ok()) << model.status().message();
      size_t tables = 0;  // [vocab, dim] constants: the packed tied one, the separate one
      for (const TensorDesc& d : model.value()->tensors()) {
        if (d.storage != plan::Storage::constant || d.shape.rank != 2 || d.shape[0] != vocab) continue;
        ++tables;
        EXPECT_TRUE(d.layout == c.layout || (d.layout == plan::Layout::plain && d.dtype == c.table)) << d.name;
      }
      EXPECT_EQ(tables, 2u);
      const std::vector<float> x(2 * dim, 0.5f);
      for (const Config& cfg : kConfigs) {
        const RunResult r = run_plan(plan, {to_bytes(ids), to_bytes(x)}, cfg);
        ASSERT_EQ(r.status, mint_status_success) << cfg.name() << ": " << r.error;
        EXPECT_EQ(from_bytes<float>(r.outputs[0]), from_bytes<float>(r.outputs[1])) << cfg.name();
      }
      std::vector<int32_t> bad = ids;
      bad[1] = 41;
      EXPECT_EQ(run_plan(plan, {to_bytes(bad), to_bytes(x)}, kConfigs[0]).status, mint_status_invalid_argument);
    }
  }
  {  // an int8 table without per-row scales is rejected by the compiler
    Bytes bytes(vocab * dim, 1);
    GraphBuilder g;
    g.embedding(g.constant("table", DType::i8, {vocab, dim}, bytes), g.input("ids", DType::i32, {6}));
    ASSERT_FALSE(g.status().is_ok());
    EXPECT_NE(g.status().message().find("without per-row"), std::string::npos) << g.status().message();
  }
}

}  // namespace
}  // namespace mint
