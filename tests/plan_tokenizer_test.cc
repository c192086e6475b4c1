// The tokenizer inside a plan (schema/plan.fbs TokenizerInfo): the compiler stores it, the
// loader builds it, and every malformed tokenizer (corrupted bytes, bad buffer index, bad kind,
// special ids out of range) is rejected with an error naming the tokenizer, never a crash.
#include <gtest/gtest.h>

#include <functional>

#include "compiler/tokenizer_import.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"
#include "runtime/model.h"
#include "runtime/tokenizer/from_plan.h"
#include "runtime/tokenizer/tokenizer.h"
#include "schema/plan_generated.h"
#include "tests/sentencepiece_test_util.h"
#include "tests/text_test_util.h"

namespace mint {
namespace {

using namespace testing_util;

Result<std::unique_ptr<Model>> load(AlignedPlan& plan) {
  return Model::load_memory(plan.data(), plan.size(), {});
}

// Rewrites a plan through the FlatBuffers object API, carrying the segments over.
std::vector<uint8_t> mutate_plan(const std::vector<uint8_t>& bytes,
                                 const std::function<void(plan::PlanT&)>& mutate) {
  const plan::Plan* p = plan::GetSizePrefixedPlan(bytes.data());
  std::unique_ptr<plan::PlanT> tree(p->UnPack());
  const uint64_t old_base = tree->segment_base;
  mutate(*tree);
  std::vector<uint8_t> fb;
  for (int i = 0; i < 4; ++i) {
    flatbuffers::FlatBufferBuilder fbb;
    plan::FinishSizePrefixedPlanBuffer(fbb, plan::Plan::Pack(fbb, tree.get()));
    fb.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    const uint64_t want = (fb.size() + 63) / 64 * 64;
    if (want == tree->segment_base) break;
    tree->segment_base = want;
  }
  std::vector<uint8_t> out(tree->segment_base, 0);
  std::memcpy(out.data(), fb.data(), fb.size());
  out.insert(out.end(), bytes.begin() + static_cast<long>(old_base), bytes.end());
  return out;
}

void expect_rejected(const std::vector<uint8_t>& bytes, mint_status want,
                     const std::string& needle) {
  AlignedPlan plan(bytes);
  auto m = load(plan);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), want) << m.status().message();
  EXPECT_NE(m.status().message().find(needle), std::string::npos) << m.status().message();
}

// File offset and size of the tokenizer's segment.
std::pair<size_t, size_t> tokenizer_segment(const std::vector<uint8_t>& bytes) {
  const plan::Plan* p = plan::GetSizePrefixedPlan(bytes.data());
  const plan::Buffer* b = p->buffers()->Get(p->tokenizer()->buffer());
  return {static_cast<size_t>(p->segment_base() + b->offset()), static_cast<size_t>(b->size())};
}

TEST(PlanTokenizer, TinyBpeEncodesAsExpected) {
  const tokenizer::Gpt2Bpe tok = tiny_bpe();
  EXPECT_EQ(tok.vocab_size(), 262);
  EXPECT_EQ(tok.encode("hello"), (std::vector<int32_t>{259}));
  EXPECT_EQ(tok.encode("hello world"), (std::vector<int32_t>{259, 260, 'o', 'r', 'l', 'd'}));
  EXPECT_EQ(tok.bos_id(), 261);
  EXPECT_EQ(tok.eos_id(), 261);
  // Through the interface.
  const tokenizer::Tokenizer& t = tok;
  EXPECT_EQ(t.token_bytes(258), "hell");
  EXPECT_EQ(t.token_bytes(262), "");
}

TEST(PlanTokenizer, Gpt2FilesBecomeThePlansTokenizer) {
  const auto [json, bpe] = tiny_bpe_files();
  Result<compiler::PlanTokenizer> t = compiler::gpt2_plan_tokenizer(json, bpe);
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_EQ(t.value().kind, plan::TokenizerKind::gpt2_bpe);
  EXPECT_EQ(t.value().data, tiny_plan_tokenizer().data);
  EXPECT_EQ(t.value().bos_id, 261);
  EXPECT_EQ(t.value().eos_id, 261);
  EXPECT_FALSE(t.value().add_bos);
  EXPECT_EQ(compiler::gpt2_plan_tokenizer(bpe, json).status().code(), mint_status_invalid_plan);
  Status st =
      compiler::gpt2_plan_tokenizer_from_files("/no/such/encoder.json", "/no/such/vocab.bpe")
          .status();
  EXPECT_EQ(st.code(), mint_status_io_error);
  EXPECT_NE(st.message().find("/no/such/encoder.json"), std::string::npos) << st.message();
}

TEST(PlanTokenizer, RoundTripsThroughAPlan) {
  AlignedPlan plan(plan_with_tokenizer(tiny_plan_tokenizer()));
  auto m = load(plan);
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const tokenizer::Tokenizer* t = m.value()->tokenizer();
  ASSERT_NE(t, nullptr);
  const tokenizer::Gpt2Bpe ref = tiny_bpe();
  EXPECT_EQ(t->vocab_size(), ref.vocab_size());
  for (const char* text : {"hello world", "", "héllo\xff wörld \n\n  x", "<|endoftext|>"}) {
    EXPECT_EQ(t->encode(text), ref.encode(text)) << text;
    auto back = t->decode(t->encode(text));
    ASSERT_TRUE(back.is_ok());
  }
  EXPECT_EQ(t->decode(t->encode("hello world")).value(), "hello world");
  EXPECT_EQ(t->bos_id(), 261);
  EXPECT_EQ(t->eos_id(), 261);
  EXPECT_FALSE(m.value()->tokenizer_add_bos());
}

TEST(PlanTokenizer, SpecialIdsAndAddBosAreStored) {
  compiler::PlanTokenizer pt = tiny_plan_tokenizer();
  pt.bos_id = 5;
  pt.eos_id = -1;
  pt.add_bos = true;
  AlignedPlan plan(plan_with_tokenizer(pt));
  auto m = load(plan);
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(m.value()->tokenizer()->bos_id(), 5);
  EXPECT_EQ(m.value()->tokenizer()->eos_id(), -1);
  EXPECT_TRUE(m.value()->tokenizer_add_bos());
}

TEST(PlanTokenizer, PlansWithoutOneHaveNone) {
  compiler::PlanTokenizer none;
  AlignedPlan plan(plan_with_tokenizer(none));
  auto m = load(plan);
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(m.value()->tokenizer(), nullptr);
  EXPECT_EQ(m.value()->plan()->tokenizer(), nullptr);
}

TEST(PlanTokenizer, CompilerRejectsBadTokenizers) {
  compiler::GraphBuilder b;
  const compiler::ValueId x = b.input("x", DType::f32, {1, 4});
  b.output(b.relu(x));
  auto graph = b.finish();
  ASSERT_TRUE(graph.is_ok());
  auto compile_with = [&](const compiler::PlanTokenizer& t) {
    compiler::CompileOptions options;
    options.tokenizer = t;
    return compiler::compile(graph.value(), options).status();
  };
  compiler::PlanTokenizer t = tiny_plan_tokenizer();
  t.data[0] = 'X';
  Status st = compile_with(t);
  EXPECT_EQ(st.code(), mint_status_invalid_argument);
  EXPECT_NE(st.message().find("tokenizer (gpt2_bpe)"), std::string::npos) << st.message();
  t = tiny_plan_tokenizer();
  t.eos_id = 262;
  st = compile_with(t);
  EXPECT_EQ(st.code(), mint_status_invalid_argument);
  EXPECT_NE(st.message().find("eos id 262"), std::string::npos) << st.message();
  t = tiny_plan_tokenizer();
  t.bos_id = -1;
  t.add_bos = true;
  EXPECT_EQ(compile_with(t).code(), mint_status_invalid_argument);
  t = tiny_plan_tokenizer();
  t.kind = plan::TokenizerKind::sentencepiece_bpe;
  EXPECT_EQ(compile_with(t).code(), mint_status_invalid_argument);
}

TEST(PlanTokenizer, LoaderRejectsBadTables) {
  const std::vector<uint8_t> good = plan_with_tokenizer(tiny_plan_tokenizer());
  expect_rejected(mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->buffer = 99; }),
                  mint_status_invalid_plan, "tokenizer (gpt2_bpe): buffer index 99");
  expect_rejected(
      mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->buffer = 0; }),  // the weights
      mint_status_invalid_plan, "tokenizer (gpt2_bpe)");
  expect_rejected(
      mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->kind = plan::TokenizerKind::none; }),
      mint_status_invalid_plan, "tokenizer (none)");
  expect_rejected(
      mutate_plan(good,
                  [](plan::PlanT& p) { p.tokenizer->kind = static_cast<plan::TokenizerKind>(77); }),
      mint_status_invalid_plan, "tokenizer (unknown): kind 77");
  // GPT-2's binary form read as SentencePiece's: the magic differs.
  expect_rejected(
      mutate_plan(
          good, [](plan::PlanT& p) { p.tokenizer->kind = plan::TokenizerKind::sentencepiece_bpe; }),
      mint_status_invalid_plan, "tokenizer (sentencepiece_bpe)");
  expect_rejected(mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->bos_id = 262; }),
                  mint_status_invalid_plan, "bos id 262");
  expect_rejected(mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->eos_id = -2; }),
                  mint_status_invalid_plan, "eos id -2");
  expect_rejected(mutate_plan(good,
                              [](plan::PlanT& p) {
                                p.tokenizer->bos_id = -1;
                                p.tokenizer->add_bos = true;
                              }),
                  mint_status_invalid_plan, "add_bos");
  // The tokenizer's buffer shortened by one byte: its data no longer ends where it should.
  expect_rejected(
      mutate_plan(good, [](plan::PlanT& p) { p.buffers[p.tokenizer->buffer]->size -= 1; }),
      mint_status_invalid_plan, "tokenizer (gpt2_bpe)");
}

TEST(PlanTokenizer, CorruptedBytesAreRejectedCleanly) {
  const std::vector<uint8_t> good = plan_with_tokenizer(tiny_plan_tokenizer());
  const auto [offset, size] = tokenizer_segment(good);
  ASSERT_GT(size, 16u);
  // The header (magic, version, counts): each of its 16 bytes changed is an error.
  for (size_t i = 0; i < 16; ++i) {
    std::vector<uint8_t> bad = good;
    bad[offset + i] ^= 0x5A;
    expect_rejected(bad, mint_status_invalid_plan, "tokenizer (gpt2_bpe)");
  }
  // Random single-byte changes anywhere in the data: the load either fails cleanly naming the
  // tokenizer or succeeds with a tokenizer that still works (token bytes changed into other,
  // still distinct bytes are not detectable).
  uint64_t rng_state = 12345;
  int rejected = 0;
  for (int trial = 0; trial < 400; ++trial) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    const size_t pos = offset + (rng_state >> 33) % size;
    std::vector<uint8_t> bad = good;
    bad[pos] = static_cast<uint8_t>(bad[pos] + 1 + (rng_state >> 20) % 255);
    AlignedPlan plan(bad);
    auto m = load(plan);
    if (!m.is_ok()) {
      ++rejected;
      EXPECT_EQ(m.status().code(), mint_status_invalid_plan);
      EXPECT_NE(m.status().message().find("tokenizer (gpt2_bpe)"), std::string::npos)
          << m.status().message();
      continue;
    }
    const tokenizer::Tokenizer* t = m.value()->tokenizer();
    ASSERT_NE(t, nullptr);
    const std::vector<int32_t> ids = t->encode("hello world, hello\xc3");
    for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < t->vocab_size());
    EXPECT_TRUE(t->decode(ids).is_ok());
  }
  EXPECT_GT(rejected, 0);
}

// ---- SentencePiece BPE (the committed models/text/tokenizer/tokenizer.model) ---------------

// The plan tokenizer of the committed tokenizer.model (test fails when it cannot be read).
compiler::PlanTokenizer sp_plan_tokenizer() {
  std::string bytes;
  EXPECT_TRUE(tokenizer::sp_test::read_file(tokenizer::sp_test::model_path(), &bytes))
      << tokenizer::sp_test::model_path();
  Result<compiler::PlanTokenizer> t = compiler::sentencepiece_plan_tokenizer(bytes);
  EXPECT_TRUE(t.is_ok()) << t.status().message();
  return t.is_ok() ? std::move(t).value() : compiler::PlanTokenizer{};
}

TEST(PlanTokenizer, SentencePieceModelBecomesThePlansTokenizer) {
  const compiler::PlanTokenizer pt = sp_plan_tokenizer();
  ASSERT_EQ(pt.kind, plan::TokenizerKind::sentencepiece_bpe);
  EXPECT_EQ(pt.bos_id, 1);
  EXPECT_EQ(pt.eos_id, 2);
  EXPECT_TRUE(pt.add_bos);
  EXPECT_EQ(compiler::sentencepiece_plan_tokenizer("not a model").status().code(),
            mint_status_invalid_plan);
  AlignedPlan plan(plan_with_tokenizer(pt));
  auto m = load(plan);
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const tokenizer::Tokenizer* t = m.value()->tokenizer();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->vocab_size(), 8000);
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), 2);
  EXPECT_TRUE(m.value()->tokenizer_add_bos());
  // Ids from python3-sentencepiece 0.1.97 (as tests/sentencepiece_test.cc).
  EXPECT_EQ(t->encode("12345"), (std::vector<int32_t>{7924, 7958, 7974, 7976, 7980, 7978}));
  EXPECT_EQ(t->decode(t->encode("Hello, world! \xC3\xA9t\xC3\xA9")).value(),
            "Hello, world! \xC3\xA9t\xC3\xA9");
}

TEST(PlanTokenizer, CheckpointDirectoryTokenizers) {
  // No tokenizer files: none.
  Result<compiler::PlanTokenizer> none = compiler::checkpoint_plan_tokenizer("/no/such/dir");
  ASSERT_TRUE(none.is_ok()) << none.status().message();
  EXPECT_EQ(none.value().kind, plan::TokenizerKind::none);
  // tokenizer.model only: SentencePiece.
  const std::string sp_dir = std::string(MINT_SOURCE_DIR) + "/models/text/tokenizer";
  Result<compiler::PlanTokenizer> sp = compiler::checkpoint_plan_tokenizer(sp_dir);
  ASSERT_TRUE(sp.is_ok()) << sp.status().message();
  EXPECT_EQ(sp.value().kind, plan::TokenizerKind::sentencepiece_bpe);
  EXPECT_EQ(sp.value().data, sp_plan_tokenizer().data);
}

TEST(PlanTokenizer, SentencePieceLoaderChecks) {
  const std::vector<uint8_t> good = plan_with_tokenizer(sp_plan_tokenizer());
  // The plan's special ids must be the model's.
  expect_rejected(mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->bos_id = 2; }),
                  mint_status_invalid_plan, "tokenizer (sentencepiece_bpe): bos id 2 differs");
  expect_rejected(mutate_plan(good, [](plan::PlanT& p) { p.tokenizer->eos_id = -1; }),
                  mint_status_invalid_plan, "tokenizer (sentencepiece_bpe): eos id -1 differs");
  expect_rejected(
      mutate_plan(good, [](plan::PlanT& p) { p.buffers[p.tokenizer->buffer]->size -= 1; }),
      mint_status_invalid_plan, "tokenizer (sentencepiece_bpe)");
}

TEST(PlanTokenizer, SentencePieceCorruptedBytesAreRejectedCleanly) {
  const std::vector<uint8_t> good = plan_with_tokenizer(sp_plan_tokenizer());
  const auto [offset, size] = tokenizer_segment(good);
  ASSERT_GT(size, 28u);
  // Magic, version, piece count, flags and special ids: each byte changed is an error (a
  // changed bos/eos no longer matches the plan's, or is not a CONTROL piece).
  for (size_t i = 0; i < 24; ++i) {
    std::vector<uint8_t> bad = good;
    bad[offset + i] ^= 0x5A;
    if (i >= 12 && i < 16) bad[offset + i] = 0xF0;  // flags: set unknown bits
    expect_rejected(bad, mint_status_invalid_plan, "tokenizer (sentencepiece_bpe)");
  }
  // Random single-byte changes anywhere: a clean error naming the tokenizer, or a tokenizer
  // that still works (a changed score or piece byte can stay valid).
  uint64_t rng_state = 54321;
  int rejected = 0;
  for (int trial = 0; trial < 200; ++trial) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    const size_t pos = offset + (rng_state >> 33) % size;
    std::vector<uint8_t> bad = good;
    bad[pos] = static_cast<uint8_t>(bad[pos] + 1 + (rng_state >> 20) % 255);
    AlignedPlan plan(bad);
    auto m = load(plan);
    if (!m.is_ok()) {
      ++rejected;
      EXPECT_EQ(m.status().code(), mint_status_invalid_plan);
      EXPECT_NE(m.status().message().find("tokenizer (sentencepiece_bpe)"), std::string::npos)
          << m.status().message();
      continue;
    }
    const tokenizer::Tokenizer* t = m.value()->tokenizer();
    ASSERT_NE(t, nullptr);
    const std::vector<int32_t> ids = t->encode("hello world, hello\xc3");
    for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < t->vocab_size());
    EXPECT_TRUE(t->decode(ids).is_ok());
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace mint
