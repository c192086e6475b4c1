// Embedding and output-head precisions of text plans (CompileOptions::embedding_tables and
// weight_overrides; `mint compile --embedding-precision / --head-precision`),
// on the tiny checkpoints of models/text/make_tiny_checkpoints.py (CTest fixture hf_tiny).
//
// Accuracy: every position's logits (prompt by prefill chunks, then 32 teacher-forced decode
// steps) against the float64 PyTorch reference, max_i |mint_i - ref_i| / max_i |ref_i|:
//   f16 embedding or head:  1e-2  (one f16 rounding per table value, as hf_import_test's f16)
//   int8 embedding or head: 0.12  (per-row symmetric int8, as hf_import_test's int8 weights)
//   int4 head (+ int8 embedding): 0.25 (hidden 32 = one int4 group of 32 per head row, 16
//                                  levels over the row's range; measured 13-20% on these
//                                  models, the bound 1.25x the worst measured)
// Storage: a tied model stores its [vocab, hidden] table once when the embedding and the head
// have the same precision (the embedding gathers from the head's packed panels), else the
// table in the embedding precision plus the packed head; the head's packed tensor takes the
// head precision whatever --weights says.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/hf/hf_import.h"
#include "compiler/hf/json.h"
#include "kernels/gemm.h"
#include "runtime/generate/plan_decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace mint {
namespace {

using compiler::HfImportOptions;
using compiler::WeightPrecision;

const std::string kTinyDir = MINT_HF_TINY_DIR;

struct Reference {
  std::vector<int32_t> prompt, greedy;
  std::vector<std::vector<float>> logits;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Reference load_reference(const std::string& model) {
  Reference ref;
  auto doc = compiler::hf::parse_json(read_file(kTinyDir + "/" + model + "/reference.json"), "reference.json");
  EXPECT_TRUE(doc.is_ok()) << doc.status().message();
  if (!doc.is_ok()) return ref;
  for (const auto& v : doc.value().find("prompt")->array) ref.prompt.push_back(static_cast<int32_t>(v.integer));
  for (const auto& v : doc.value().find("greedy")->array) ref.greedy.push_back(static_cast<int32_t>(v.integer));
  for (const auto& row : doc.value().find("logits")->array) {
    std::vector<float> r;
    for (const auto& v : row.array) r.push_back(static_cast<float>(v.number));
    ref.logits.push_back(r);
  }
  return ref;
}

double relative_error(const float* got, const std::vector<float>& want) {
  double max_ref = 0, max_diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(want[i])));
    max_diff = std::max(max_diff, std::fabs(static_cast<double>(got[i]) - want[i]));
  }
  return max_diff / max_ref;
}

struct Precision {
  DType embedding = DType::f32;
  bool head_override = false;
  WeightPrecision head = WeightPrecision::kF32;
  WeightPrecision weights = WeightPrecision::kF32;
};

Result<std::vector<uint8_t>> compile_plan(const std::string& name, const Precision& p) {
  HfImportOptions o;
  o.context = 64;
  o.prefill_chunks = {8};
  MINT_ASSIGN_OR_RETURN(compiler::Graph graph, compiler::import_hf_checkpoint(kTinyDir + "/" + name, o));
  compiler::CompileOptions co;
  co.weights = p.weights;
  co.embedding_tables[compiler::hf_embedding_table_name(graph)] = p.embedding;
  if (p.head_override) {
    const std::string head = compiler::hf_head_weight_name(graph);
    if (head.empty()) return Status::internal("no head weight");
    co.weight_overrides[head] = p.head;
  }
  return compiler::compile(std::move(graph), co);
}

struct Loaded {
  std::unique_ptr<uint8_t, decltype(&std::free)> aligned{nullptr, &std::free};
  std::unique_ptr<Model> model;
};

Loaded load(const std::vector<uint8_t>& bytes) {
  Loaded l;
  const size_t size = bytes.size();
  l.aligned.reset(static_cast<uint8_t*>(std::aligned_alloc(64, (size + 63) / 64 * 64)));
  std::memcpy(l.aligned.get(), bytes.data(), size);
  auto model = Model::load_memory(l.aligned.get(), size, LoadOptions{});
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  if (model.is_ok()) l.model = std::move(model).value();
  return l;
}

// Sum of byte sizes of the constants shaped [rows, cols].
size_t table_bytes(const Model& model, int64_t rows, int64_t cols) {
  size_t sum = 0;
  for (const TensorDesc& t : model.tensors()) {
    if (t.storage == plan::Storage::constant && t.shape.rank == 2 && t.shape[0] == rows && t.shape[1] == cols) {
      sum += t.byte_size;
    }
  }
  return sum;
}

struct Variant {
  Precision precision;
  double bound;
  const char* name;
};

class HfPrecisionTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HfPrecisionTest, EmbeddingAndHeadVariantsStayClose) {
  const Reference ref = load_reference(GetParam());
  const Variant variants[] = {
      {{DType::f16, false, WeightPrecision::kF32}, 1e-2, "f16 embedding"},
      {{DType::i8, false, WeightPrecision::kF32}, 0.12, "int8 embedding"},
      {{DType::f32, true, WeightPrecision::kF16}, 1e-2, "f16 head"},
      {{DType::f32, true, WeightPrecision::kInt8}, 0.12, "int8 head"},
      {{DType::i8, true, WeightPrecision::kInt4}, 0.25, "int8 embedding, int4 head"},
      {{DType::f16, true, WeightPrecision::kF16}, 1e-2, "f16 embedding and head"},
      {{DType::i8, true, WeightPrecision::kInt8}, 0.12, "int8 embedding and head"},
  };
  for (const Variant& v : variants) {
    auto bytes = compile_plan(GetParam(), v.precision);
    ASSERT_TRUE(bytes.is_ok()) << v.name << ": " << bytes.status().message();
    Loaded l = load(bytes.value());
    ASSERT_NE(l.model, nullptr) << v.name;
    auto session = Session::create(*l.model, SessionOptions{});
    ASSERT_TRUE(session.is_ok()) << session.status().message();
    auto decoder = generate::make_plan_decoder(*session.value());
    ASSERT_TRUE(decoder.is_ok()) << decoder.status().message();
    auto logits = decoder.value()->append(ref.prompt.data(), ref.prompt.size());
    ASSERT_TRUE(logits.is_ok()) << v.name;
    double worst = relative_error(logits.value(), ref.logits[0]);
    for (size_t i = 0; i < ref.greedy.size(); ++i) {
      auto step = decoder.value()->append(&ref.greedy[i], 1);
      ASSERT_TRUE(step.is_ok()) << v.name;
      worst = std::max(worst, relative_error(step.value(), ref.logits[i + 1]));
    }
    EXPECT_LE(worst, v.bound) << GetParam() << ", " << v.name;
    std::printf("%s, %s: worst relative logit error %.2e (bound %.0e)\n", GetParam(), v.name, worst, v.bound);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, HfPrecisionTest, ::testing::Values("gpt2", "llama", "qwen2", "phi3"),
                         [](const auto& info) { return std::string(info.param); });

// gpt2 is tied, vocab 96, hidden 32: the bytes of its [96, 32] constants.
TEST(HfPrecision, TiedTableStoredOnceWherePrecisionsMatch) {
  const size_t V = 96, H = 32, panels = gemm_panel_count(V);
  const size_t f32_head = panels * f32_gemm_panel_bytes(H), f16_head = panels * f16w_gemm_panel_bytes(H);
  const size_t qs8_head = panels * qs8_gemm_panel_bytes(H);
  const struct {
    Precision p;
    size_t bytes;
    const char* name;
  } cases[] = {
      {{}, f32_head, "f32 (shared)"},
      {{DType::f16, false, WeightPrecision::kF32}, f32_head + V * H * 2, "f16 embedding, f32 head"},
      {{DType::i8, false, WeightPrecision::kF32}, f32_head + V * H, "int8 embedding, f32 head"},
      {{DType::f16, true, WeightPrecision::kF16}, f16_head, "f16 (shared)"},
      {{DType::i8, true, WeightPrecision::kInt8}, qs8_head, "int8 (shared)"},
      {{DType::f32, false, WeightPrecision::kF16, WeightPrecision::kF16}, V * H * 4 + f16_head,
       "f32 embedding, --weights f16"},
  };
  for (const auto& c : cases) {
    auto bytes = compile_plan("gpt2", c.p);
    ASSERT_TRUE(bytes.is_ok()) << c.name << ": " << bytes.status().message();
    Loaded l = load(bytes.value());
    ASSERT_NE(l.model, nullptr) << c.name;
    EXPECT_EQ(table_bytes(*l.model, int64_t(V), int64_t(H)), c.bytes) << c.name;
  }
  // The shared int8 table: one tensor, the packed head with its per-row scales.
  auto bytes = compile_plan("gpt2", {DType::i8, true, WeightPrecision::kInt8});
  ASSERT_TRUE(bytes.is_ok());
  Loaded l = load(bytes.value());
  ASSERT_NE(l.model, nullptr);
  size_t tables = 0;
  for (const TensorDesc& t : l.model->tensors()) {
    if (t.storage != plan::Storage::constant || t.shape.rank != 2 || t.shape[0] != int64_t(V)) continue;
    ++tables;
    EXPECT_EQ(t.layout, plan::Layout::gemm_qs8) << t.name;
    EXPECT_EQ(t.quant.count, V) << t.name;
  }
  EXPECT_EQ(tables, 1u);
}

// The head override packs only the logits weight: here int8 under f32 weights.
TEST(HfPrecision, HeadOverrideTouchesOnlyTheHead) {
  auto bytes = compile_plan("llama", {DType::f32, true, WeightPrecision::kInt8});
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  Loaded l = load(bytes.value());
  ASSERT_NE(l.model, nullptr);
  size_t qs8 = 0, f32 = 0;
  for (const TensorDesc& t : l.model->tensors()) {
    if (t.layout == plan::Layout::gemm_qs8) {
      ++qs8;
      EXPECT_EQ(t.shape[0], 100) << t.name;  // vocab
    }
    if (t.layout == plan::Layout::gemm_f32) ++f32;
  }
  EXPECT_EQ(qs8, 1u);
  EXPECT_EQ(f32, 2u * 7u);  // 2 layers x q, k, v, o, gate, up, down
}

TEST(HfPrecision, BadEmbeddingPrecisionIsRejected) {
  HfImportOptions o;
  o.context = 64;
  auto graph = compiler::import_hf_checkpoint(kTinyDir + "/gpt2", o);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  compiler::CompileOptions co;
  co.embedding_tables[compiler::hf_embedding_table_name(graph.value())] = DType::i32;
  auto bytes = compiler::compile(std::move(graph).value(), co);
  ASSERT_FALSE(bytes.is_ok());
  EXPECT_NE(bytes.status().message().find("want f32, f16 or i8"), std::string::npos) << bytes.status().message();
}

}  // namespace
}  // namespace mint
