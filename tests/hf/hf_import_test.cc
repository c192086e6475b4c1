// End-to-end tests of the Hugging Face importer (compiler/hf/) and the text runtime: tiny
// random checkpoints written by models/text/make_tiny_checkpoints.py (CTest fixture) are
// compiled, run through the PlanDecoder (prefill chunks, then decode steps over the KV cache)
// and compared with float64 PyTorch reimplementations of the transformers forward passes.
//
// Error measure: for each position, max_i |mint_i - ref_i| / max_i |ref_i| over the vocabulary.
// Bounds:
//   f32 weights, f32 cache:   1e-4 (f32 rounding of O(100)-term sums; measured ~1e-6)
//   f16 weights or cache:     1e-2 (one f16 rounding, 2^-11 relative, per weight or cached K/V
//                             value; through 2-3 layers of random weights the logit error
//                             stays within a few 2^-11 of the logit range)
//   int8 weights or cache:    0.12 (per-row symmetric int8: each quantized operand carries up
//                             to 1/254 of its row's max, ~1% relative noise per dot product for
//                             rows of 32-64 values; compounded over the 7 GEMMs per layer, two
//                             operands each, it measures 1-3% for the cache and 3-8% for the
//                             weights on these models; the bound is 1.5x the worst measured,
//                             an analytic one through the norms and softmax being far looser)
// and, for the lossy variants, the token mint ranks first has a reference logit within
// 2 x bound x max|ref| of the reference's best (all logits within e => the pick within 2e).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "compiler/compile.h"
#include "compiler/hf/hf_import.h"
#include "compiler/hf/json.h"
#include "compiler/hf/safetensors.h"
#include "runtime/generate/plan_decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::HfImportOptions;
using compiler::WeightPrecision;

const std::string kTinyDir = MINT_HF_TINY_DIR;

struct Reference {
  std::vector<int32_t> prompt, greedy;
  std::vector<std::vector<float>> logits;  // from the last prompt position on
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
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

int32_t argmax(const float* x, size_t n) { return static_cast<int32_t>(std::max_element(x, x + n) - x); }

// A compiled text plan with a session and a decoder.
struct TextModel {
  std::vector<uint8_t> bytes;
  std::unique_ptr<Model> model;
  std::unique_ptr<Session> session;
  std::unique_ptr<generate::TokenDecoder> decoder;
  std::unique_ptr<uint8_t, decltype(&std::free)> aligned{nullptr, &std::free};  // 64-byte aligned copy
};

std::unique_ptr<TextModel> compile_model(const std::string& name, WeightPrecision weights, DType cache,
                                         size_t threads = 1, std::vector<int64_t> chunks = {8}) {
  HfImportOptions o;
  o.context = 64;
  o.prefill_chunks = std::move(chunks);
  o.kv_cache = cache;
  auto graph = compiler::import_hf_checkpoint(kTinyDir + "/" + name, o);
  EXPECT_TRUE(graph.is_ok()) << graph.status().message();
  if (!graph.is_ok()) return nullptr;
  compiler::CompileOptions co;
  co.weights = weights;
  auto bytes = compiler::compile(std::move(graph).value(), co);
  EXPECT_TRUE(bytes.is_ok()) << bytes.status().message();
  if (!bytes.is_ok()) return nullptr;
  auto m = std::make_unique<TextModel>();
  // From memory: tests of one model run in parallel, and rewriting a mapped file would fault.
  const size_t size = bytes.value().size();
  m->aligned.reset(static_cast<uint8_t*>(std::aligned_alloc(64, (size + 63) / 64 * 64)));
  std::memcpy(m->aligned.get(), bytes.value().data(), size);
  auto model = Model::load_memory(m->aligned.get(), size, LoadOptions{});
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  if (!model.is_ok()) return nullptr;
  m->model = std::move(model).value();
  EXPECT_TRUE(generate::is_text_plan(*m->model));
  SessionOptions so;
  so.num_threads = threads;
  auto session = Session::create(*m->model, so);
  EXPECT_TRUE(session.is_ok()) << session.status().message();
  if (!session.is_ok()) return nullptr;
  m->session = std::move(session).value();
  auto decoder = generate::make_plan_decoder(*m->session);
  EXPECT_TRUE(decoder.is_ok()) << decoder.status().message();
  if (!decoder.is_ok()) return nullptr;
  m->decoder = std::move(decoder).value();
  return m;
}

const char* kModels[] = {"gpt2", "llama", "qwen2", "phi3"};

class HfModelTest : public ::testing::TestWithParam<const char*> {};

// f32: prompt by prefill chunks (8 + 8 + 4), then 32 teacher-forced decode steps, every
// position's logits within 1e-4 of the reference; then free-running greedy decoding equals the
// reference's 32 tokens.
TEST_P(HfModelTest, F32LogitsAndGreedyMatchTorch) {
  const Reference ref = load_reference(GetParam());
  ASSERT_EQ(ref.greedy.size(), 32u);
  for (size_t threads : {size_t{1}, size_t{2}}) {
    auto m = compile_model(GetParam(), WeightPrecision::kF32, DType::f32, threads);
    ASSERT_NE(m, nullptr);
    generate::TokenDecoder& d = *m->decoder;
    ASSERT_EQ(d.vocab_size(), ref.logits[0].size());
    auto logits = d.append(ref.prompt.data(), ref.prompt.size());
    ASSERT_TRUE(logits.is_ok()) << logits.status().message();
    EXPECT_LE(relative_error(logits.value(), ref.logits[0]), 1e-4) << "after the prompt";
    for (size_t i = 0; i < ref.greedy.size(); ++i) {
      auto step = d.append(&ref.greedy[i], 1);
      ASSERT_TRUE(step.is_ok()) << step.status().message();
      EXPECT_LE(relative_error(step.value(), ref.logits[i + 1]), 1e-4) << "decode step " << i;
    }
    EXPECT_EQ(d.position(), ref.prompt.size() + ref.greedy.size());

    d.reset();
    auto first = d.append(ref.prompt.data(), ref.prompt.size());
    ASSERT_TRUE(first.is_ok());
    std::vector<int32_t> greedy;
    const float* l = first.value();
    for (size_t i = 0; i < ref.greedy.size(); ++i) {
      greedy.push_back(argmax(l, d.vocab_size()));
      if (i + 1 == ref.greedy.size()) break;
      auto r = d.append(&greedy.back(), 1);
      ASSERT_TRUE(r.is_ok());
      l = r.value();
    }
    EXPECT_EQ(greedy, ref.greedy) << "threads " << threads;
  }
}

// The same positions reached by other splits: one token at a time (decode only) and a prefill
// chunk larger than the prompt.
TEST_P(HfModelTest, ChunkingDoesNotChangeLogits) {
  const Reference ref = load_reference(GetParam());
  auto one = compile_model(GetParam(), WeightPrecision::kF32, DType::f32, 1, {32});
  ASSERT_NE(one, nullptr);
  auto all = one->decoder->append(ref.prompt.data(), ref.prompt.size());
  ASSERT_TRUE(all.is_ok());
  EXPECT_LE(relative_error(all.value(), ref.logits[0]), 1e-4);
  one->decoder->reset();
  const float* l = nullptr;
  for (int32_t t : ref.prompt) {
    auto r = one->decoder->append(&t, 1);
    ASSERT_TRUE(r.is_ok());
    l = r.value();
  }
  EXPECT_LE(relative_error(l, ref.logits[0]), 1e-4);
}

// Several prefill segments (chunks 4, 8 and 16, the decoder choosing a split per append) give
// the logits of one (16) for every prompt length 1..40 and for the steps after it: every
// kernel computes a row the same way whatever the rows beside it, so they are equal bit for
// bit. int8 weights and cache: the dynamic quantization is per row too.
TEST_P(HfModelTest, SeveralPrefillChunksGiveTheLogitsOfOne) {
  auto several = compile_model(GetParam(), WeightPrecision::kInt8, DType::i8, 1, {16, 4, 8, 4});
  auto one = compile_model(GetParam(), WeightPrecision::kInt8, DType::i8, 1, {16});
  ASSERT_NE(several, nullptr);
  ASSERT_NE(one, nullptr);
  const std::vector<SegmentDesc>& segs = several->model->segments();
  ASSERT_EQ(segs.size(), 4u);
  EXPECT_EQ(segs[0].name, "prefill");
  EXPECT_EQ(segs[1].name, "decode");
  EXPECT_EQ(segs[2].name, "prefill_4");
  EXPECT_EQ(segs[3].name, "prefill_8");
  EXPECT_STREQ(several->model->metadata("text.prefill_chunks"), "4,8,16");
  EXPECT_STREQ(several->model->metadata("text.prefill_chunk"), "16");
  const size_t vocab = one->decoder->vocab_size();
  std::mt19937 rng(3);
  for (size_t len = 1; len <= 40; ++len) {
    std::vector<int32_t> prompt(len);
    for (int32_t& t : prompt) t = static_cast<int32_t>(rng() % vocab);
    several->decoder->reset();
    one->decoder->reset();
    auto a = several->decoder->append(prompt.data(), len);
    auto b = one->decoder->append(prompt.data(), len);
    ASSERT_TRUE(a.is_ok() && b.is_ok()) << len;
    ASSERT_EQ(std::memcmp(a.value(), b.value(), vocab * sizeof(float)), 0) << "prompt of " << len;
    const int32_t next[3] = {1, 2, 3};
    a = several->decoder->append(next, 3);
    b = one->decoder->append(next, 3);
    ASSERT_TRUE(a.is_ok() && b.is_ok()) << len;
    ASSERT_EQ(std::memcmp(a.value(), b.value(), vocab * sizeof(float)), 0) << "3 tokens after " << len;
  }
}

struct Variant {
  WeightPrecision weights;
  DType cache;
  double bound;
  const char* name;
};

TEST_P(HfModelTest, CompressedVariantsStayClose) {
  const Reference ref = load_reference(GetParam());
  const Variant variants[] = {
      {WeightPrecision::kF16, DType::f32, 1e-2, "f16 weights"},
      {WeightPrecision::kF32, DType::f16, 1e-2, "f16 cache"},
      {WeightPrecision::kInt8, DType::f32, 0.12, "int8 weights"},
      {WeightPrecision::kF32, DType::i8, 0.12, "int8 cache"},
  };
  for (const Variant& v : variants) {
    auto m = compile_model(GetParam(), v.weights, v.cache);
    ASSERT_NE(m, nullptr) << v.name;
    auto logits = m->decoder->append(ref.prompt.data(), ref.prompt.size());
    ASSERT_TRUE(logits.is_ok()) << v.name;
    double worst = relative_error(logits.value(), ref.logits[0]);
    const std::vector<float>& r0 = ref.logits[0];
    double max_abs = 0;
    for (float x : r0) max_abs = std::max(max_abs, std::fabs(static_cast<double>(x)));
    const int32_t pick = argmax(logits.value(), m->decoder->vocab_size());
    EXPECT_GE(r0[pick], r0[ref.greedy[0]] - 2 * v.bound * max_abs) << v.name;
    for (size_t i = 0; i < ref.greedy.size(); ++i) {
      auto step = m->decoder->append(&ref.greedy[i], 1);
      ASSERT_TRUE(step.is_ok()) << v.name;
      worst = std::max(worst, relative_error(step.value(), ref.logits[i + 1]));
    }
    EXPECT_LE(worst, v.bound) << GetParam() << ", " << v.name;
    std::printf("%s, %s: worst relative logit error %.2e (bound %.0e)\n", GetParam(), v.name, worst, v.bound);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, HfModelTest, ::testing::ValuesIn(kModels),
                         [](const auto& info) { return std::string(info.param); });

// ---- the TokenDecoder contract ----

TEST(PlanDecoder, RejectsBadAppendsWithoutChangingTheContext) {
  auto m = compile_model("llama", WeightPrecision::kF32, DType::f32);
  ASSERT_NE(m, nullptr);
  generate::TokenDecoder& d = *m->decoder;
  EXPECT_EQ(d.context_length(), 64u);
  const int32_t ok[3] = {1, 2, 3};
  EXPECT_EQ(d.append(ok, 0).status().code(), mint_status_invalid_argument);
  EXPECT_EQ(d.append(nullptr, 1).status().code(), mint_status_invalid_argument);
  const int32_t bad[2] = {1, 100};
  EXPECT_EQ(d.append(bad, 2).status().code(), mint_status_invalid_argument);
  const int32_t negative = -1;
  EXPECT_EQ(d.append(&negative, 1).status().code(), mint_status_invalid_argument);
  EXPECT_EQ(d.position(), 0u);
  std::vector<int32_t> many(64, 5);
  ASSERT_TRUE(d.append(many.data(), 63).is_ok());
  EXPECT_EQ(d.append(ok, 2).status().code(), mint_status_invalid_state);
  EXPECT_EQ(d.position(), 63u);
  EXPECT_TRUE(d.append(ok, 1).is_ok());
  EXPECT_EQ(d.append(ok, 1).status().code(), mint_status_invalid_state);
  d.reset();
  EXPECT_EQ(d.position(), 0u);
  EXPECT_TRUE(d.append(ok, 3).is_ok());
}

// The split of an append over the segments: every token covered once, the least cost, the
// examples of runtime/generate/plan_decoder.h.
TEST(PlanDecoder, SplitIntoRuns) {
  using generate::kRunCostRows;
  using generate::split_into_runs;
  using Runs = std::vector<size_t>;
  const Runs chunks = {8, 32, 128};
  EXPECT_EQ(split_into_runs(chunks, 1), Runs({1}));
  EXPECT_EQ(split_into_runs(chunks, 2), Runs({8}));
  EXPECT_EQ(split_into_runs(chunks, 33), Runs({32, 1}));
  EXPECT_EQ(split_into_runs(chunks, 31), Runs({32}));
  EXPECT_EQ(split_into_runs(chunks, 72), Runs({32, 32, 8}));
  EXPECT_EQ(split_into_runs(chunks, 300)[0], 128u);
  EXPECT_EQ(split_into_runs({}, 3), Runs({1, 1, 1}));
  EXPECT_EQ(split_into_runs({16}, 40), Runs({16, 16, 16}));
  // Against brute force over every multiset of runs (a split's cost is its rows plus
  // kRunCostRows per run; the cheapest multiset covering the tokens never has a run left over)
  // for up to 40 tokens with chunks 4, 8, 16.
  const Runs small = {4, 8, 16};
  std::vector<size_t> best(41, SIZE_MAX);
  for (size_t a = 0; a <= 40; ++a) {
    for (size_t b = 0; b <= 10; ++b) {
      for (size_t c = 0; c <= 5; ++c) {
        for (size_t d = 0; d <= 3; ++d) {
          const size_t rows = a + 4 * b + 8 * c + 16 * d;
          const size_t cost = rows + (a + b + c + d) * kRunCostRows;
          for (size_t count = 1; count <= std::min<size_t>(rows, 40); ++count) best[count] = std::min(best[count], cost);
        }
      }
    }
  }
  for (size_t count = 1; count <= 40; ++count) {
    const Runs runs = split_into_runs(small, count);
    size_t covered = 0, cost = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
      if (i > 0) {
        EXPECT_LE(runs[i], runs[i - 1]) << count << ": largest first";
      }
      EXPECT_TRUE(runs[i] == 1 || std::find(small.begin(), small.end(), runs[i]) != small.end());
      EXPECT_LT(covered, count) << "a run after every token was covered";
      covered += std::min(runs[i], count - covered);
      cost += runs[i] + kRunCostRows;
    }
    EXPECT_EQ(covered, count);
    EXPECT_EQ(cost, best[count]) << count;
  }
}

// Prefill chunks outside [2, 4096] or none are import errors; one above the context is lowered
// to it; a plan whose text.prefill_chunks does not match its segments gets no decoder.
TEST(PlanDecoder, RejectsBadPrefillChunks) {
  for (const std::vector<int64_t>& bad : {std::vector<int64_t>{}, {1}, {8, 5000}}) {
    HfImportOptions o;
    o.context = 64;
    o.prefill_chunks = bad;
    auto graph = compiler::import_hf_checkpoint(kTinyDir + "/llama", o);
    ASSERT_FALSE(graph.is_ok());
    EXPECT_EQ(graph.status().code(), mint_status_invalid_argument);
    EXPECT_NE(graph.status().message().find("prefill chunk"), std::string::npos) << graph.status().message();
  }
  HfImportOptions lowered;
  lowered.context = 64;
  lowered.prefill_chunks = {200, 8};
  auto g = compiler::import_hf_checkpoint(kTinyDir + "/llama", lowered);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g.value().metadata["text.prefill_chunks"], "8,64");
  for (const char* bad : {"64,8", "8,x", "8", "4,64", "8,,64", "-8,64"}) {
    HfImportOptions o;
    o.context = 64;
    o.prefill_chunks = {8, 64};
    auto graph = compiler::import_hf_checkpoint(kTinyDir + "/llama", o);
    ASSERT_TRUE(graph.is_ok());
    graph.value().metadata["text.prefill_chunks"] = bad;
    auto bytes = compiler::compile(std::move(graph).value(), compiler::CompileOptions{});
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    testing_util::AlignedPlan plan(bytes.value());
    auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    EXPECT_FALSE(generate::is_text_plan(*model.value())) << bad;
    auto session = Session::create(*model.value(), SessionOptions{});
    ASSERT_TRUE(session.is_ok());
    auto decoder = generate::make_plan_decoder(*session.value());
    ASSERT_FALSE(decoder.is_ok()) << bad;
    EXPECT_EQ(decoder.status().code(), mint_status_invalid_argument) << bad;
    std::printf("text.prefill_chunks '%s': %s\n", bad, decoder.status().message().c_str());
  }
}

TEST(PlanDecoder, PlanMetadata) {
  auto m = compile_model("qwen2", WeightPrecision::kF32, DType::i8);
  ASSERT_NE(m, nullptr);
  EXPECT_STREQ(m->model->metadata("hf.model_type"), "qwen2");
  EXPECT_STREQ(m->model->metadata("text.kv_cache"), "int8");
  EXPECT_STREQ(m->model->metadata("text.eos_token_ids"), "3,4");
  EXPECT_STREQ(m->model->metadata("hf.checkpoint_files"),
               "model-00001-of-00002.safetensors,model-00002-of-00002.safetensors");
  ASSERT_EQ(m->model->segments().size(), 2u);
  EXPECT_EQ(m->model->segments()[0].name, "prefill");
  EXPECT_EQ(m->model->segments()[1].name, "decode");
  // Weights are shared: the decode segment adds no constants of its own.
  size_t constants = 0;
  for (const TensorDesc& t : m->model->tensors()) constants += t.storage == plan::Storage::constant;
  EXPECT_LT(constants, 60u);
}

// Random corruptions of a text plan's FlatBuffer: the loader rejects it or, if it still
// validates, the decoder runs or fails cleanly (never crashes; run under ASan in the debug
// preset).
TEST(TextPlanRobustness, RandomByteFlips) {
  HfImportOptions o;
  o.context = 16;
  o.prefill_chunks = {4};
  o.kv_cache = DType::i8;
  auto graph = compiler::import_hf_checkpoint(kTinyDir + "/llama", o);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  auto bytes = compiler::compile(std::move(graph).value(), compiler::CompileOptions{});
  ASSERT_TRUE(bytes.is_ok());
  const std::vector<uint8_t>& good = bytes.value();
  const plan::Plan* p = plan::GetSizePrefixedPlan(good.data());
  const size_t fb_end = p->segment_base();
  std::mt19937 rng(7);
  const size_t size = good.size();
  std::unique_ptr<uint8_t, decltype(&std::free)> buf(static_cast<uint8_t*>(std::aligned_alloc(64, (size + 63) / 64 * 64)),
                                                     &std::free);
  size_t loaded = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::memcpy(buf.get(), good.data(), size);
    for (int f = 0; f < 3; ++f) buf.get()[4 + rng() % (fb_end - 4)] ^= static_cast<uint8_t>(1u << (rng() % 8));
    auto model = Model::load_memory(buf.get(), size, LoadOptions{});
    if (!model.is_ok()) continue;
    ++loaded;
    auto session = Session::create(*model.value(), SessionOptions{});
    if (!session.is_ok()) continue;
    auto decoder = generate::make_plan_decoder(*session.value());
    if (!decoder.is_ok()) continue;
    const int32_t tokens[6] = {1, 2, 3, 4, 5, 6};
    (void)decoder.value()->append(tokens, 6);
    (void)decoder.value()->append(tokens, 1);
  }
  std::printf("%zu of 400 corrupted plans still validated and ran\n", loaded);
}

// ---- malformed checkpoints ----

class MalformedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kTinyDir + "/malformed_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(dir_.c_str(), 0755);
    config_ = read_file(kTinyDir + "/llama/config.json");
    weights_ = read_file(kTinyDir + "/llama/model.safetensors");
    ASSERT_FALSE(weights_.empty());
  }
  Status import() {
    write_file(dir_ + "/config.json", config_);
    write_file(dir_ + "/model.safetensors", weights_);
    HfImportOptions o;
    o.context = 32;
    return compiler::import_hf_checkpoint(dir_, o).status();
  }
  void replace_config(const std::string& from, const std::string& to) {
    const size_t at = config_.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    config_.replace(at, from.size(), to);
  }
  std::string dir_, config_, weights_;
};

void expect_error(const Status& st, const std::string& mentions) {
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find(mentions), std::string::npos) << st.message();
}

TEST_F(MalformedCheckpoint, Intact) { EXPECT_TRUE(import().is_ok()); }

TEST_F(MalformedCheckpoint, TruncatedAtEveryRegion) {
  const size_t full = weights_.size();
  for (size_t keep : {size_t{0}, size_t{5}, size_t{8}, size_t{100}, full / 2, full - 1}) {
    weights_ = read_file(kTinyDir + "/llama/model.safetensors").substr(0, keep);
    expect_error(import(), "model.safetensors");
  }
}

TEST_F(MalformedCheckpoint, HeaderLengthBeyondTheFile) {
  weights_[7] = '\x7f';
  expect_error(import(), "header length");
}

TEST_F(MalformedCheckpoint, HeaderNotJson) {
  weights_[8] = 'x';
  expect_error(import(), "header");
}

TEST_F(MalformedCheckpoint, OffsetsOutsideTheData) {
  const size_t at = weights_.find("\"data_offsets\":[0,");
  ASSERT_NE(at, std::string::npos);
  weights_.replace(at, 18, "\"data_offsets\":[9,");
  expect_error(import(), "data");
}

TEST_F(MalformedCheckpoint, UnknownDtype) {
  const size_t at = weights_.find("\"F16\"");
  ASSERT_NE(at, std::string::npos);
  weights_.replace(at, 5, "\"F17\"");
  expect_error(import(), "unknown dtype 'F17'");
}

TEST_F(MalformedCheckpoint, WrongShapeNamesTheTensor) {
  replace_config("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4");
  expect_error(import(), "model.layers.0.self_attn.k_proj.weight");
}

TEST_F(MalformedCheckpoint, MissingTensor) {
  const size_t at = weights_.find("model.norm.weight");
  ASSERT_NE(at, std::string::npos);
  weights_.replace(at, 17, "model.nrom.weight");
  expect_error(import(), "'model.norm.weight'");
}

TEST_F(MalformedCheckpoint, UnknownModelType) {
  replace_config("\"model_type\": \"llama\"", "\"model_type\": \"mamba\"");
  const Status st = import();
  expect_error(st, "model_type 'mamba'");
  EXPECT_EQ(st.code(), mint_status_unsupported);
}

TEST_F(MalformedCheckpoint, OtherHeadArchitecture) {
  replace_config("LlamaForCausalLM", "LlamaForSequenceClassification");
  expect_error(import(), "architectures");
}

TEST_F(MalformedCheckpoint, InconsistentConfig) {
  replace_config("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3");
  expect_error(import(), "num_key_value_heads");
  config_ = read_file(kTinyDir + "/llama/config.json");
  replace_config("\"hidden_size\": 32", "\"hidden_size\": \"32\"");
  expect_error(import(), "hidden_size");
  config_ = read_file(kTinyDir + "/llama/config.json");
  replace_config("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"yarn\"}");
  expect_error(import(), "rope_scaling");
  config_ = "{\"model_type\": \"llama\",";
  expect_error(import(), "config.json");
}

TEST_F(MalformedCheckpoint, ContextLongerThanTheModel) {
  write_file(dir_ + "/config.json", config_);
  write_file(dir_ + "/model.safetensors", weights_);
  HfImportOptions o;
  o.context = 65;
  expect_error(compiler::import_hf_checkpoint(dir_, o).status(), "context 65");
}

TEST(SafetensorsIndex, ShardOutsideTheDirectoryIsRejected) {
  const std::string dir = kTinyDir + "/malformed_index";
  mkdir(dir.c_str(), 0755);
  write_file(dir + "/config.json", read_file(kTinyDir + "/qwen2/config.json"));
  write_file(dir + "/model.safetensors.index.json", "{\"weight_map\": {\"a\": \"../qwen2/x\"}}");
  HfImportOptions o;
  expect_error(compiler::import_hf_checkpoint(dir, o).status(), "weight_map");
}

TEST(Json, ParsesAndRejects) {
  auto ok = compiler::hf::parse_json(R"({"a": [1, 2.5, -3e2, true, null, "x\u00e9\ud83d\ude00"], "b": {}})", "t");
  ASSERT_TRUE(ok.is_ok()) << ok.status().message();
  const auto* a = ok.value().find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 6u);
  EXPECT_TRUE(a->array[0].is_integer);
  EXPECT_EQ(a->array[0].integer, 1);
  EXPECT_DOUBLE_EQ(a->array[1].number, 2.5);
  EXPECT_DOUBLE_EQ(a->array[2].number, -300.0);
  EXPECT_EQ(a->array[5].string, "x\xc3\xa9\xf0\x9f\x98\x80");
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "\"abc", "[\"\\ud800\"]", "01x", "{}{}",
                          "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]"}) {
    EXPECT_FALSE(compiler::hf::parse_json(bad, "t").is_ok()) << bad;
  }
}

}  // namespace
}  // namespace mint
