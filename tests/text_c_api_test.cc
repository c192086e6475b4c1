// The C ABI's tokenizer and text-generation functions (include/mint/mint.h): snprintf-style
// outputs, every error path, and mint_session_generate's body (runtime/generate/c_generate.h)
// over a fake decoder, since no plan is a text plan before the Hugging Face importer.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "mint/mint.h"
#include "runtime/generate/c_generate.h"
#include "tests/text_test_util.h"

namespace mint {
namespace {

using namespace testing_util;

class TextCApi : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_ = std::make_unique<AlignedPlan>(plan_with_tokenizer(tiny_plan_tokenizer()));
    mint_model_t m = nullptr;
    ASSERT_EQ(mint_model_load_memory(plan_->data(), plan_->size(), nullptr, &m),
              mint_status_success)
        << mint_last_error();
    model_.reset(m);
    bare_plan_ = std::make_unique<AlignedPlan>(plan_with_tokenizer({}));
    ASSERT_EQ(mint_model_load_memory(bare_plan_->data(), bare_plan_->size(), nullptr, &m),
              mint_status_success);
    bare_.reset(m);
    mint_session_t s = nullptr;
    ASSERT_EQ(mint_session_create(model_.get(), nullptr, &s), mint_status_success);
    session_.reset(s);
  }

  void expect_error(mint_status st, mint_status want, const std::string& needle) {
    EXPECT_EQ(st, want) << mint_last_error();
    EXPECT_NE(std::string(mint_last_error()).find(needle), std::string::npos) << mint_last_error();
  }

  std::unique_ptr<AlignedPlan> plan_, bare_plan_;
  ModelPtr model_, bare_;
  SessionPtr session_;
};

TEST_F(TextCApi, TokenizerInfo) {
  int32_t vocab = 0, bos = 0, eos = 0;
  ASSERT_EQ(mint_model_tokenizer_info(model_.get(), &vocab, &bos, &eos), mint_status_success);
  EXPECT_EQ(vocab, 262);
  EXPECT_EQ(bos, 261);
  EXPECT_EQ(eos, 261);
  EXPECT_EQ(mint_model_tokenizer_info(model_.get(), nullptr, nullptr, nullptr),
            mint_status_success);
  expect_error(mint_model_tokenizer_info(nullptr, &vocab, &bos, &eos), mint_status_invalid_argument,
               "model is null");
  expect_error(mint_model_tokenizer_info(bare_.get(), &vocab, &bos, &eos),
               mint_status_invalid_argument,
               "mint_model_tokenizer_info: the plan has no tokenizer");
}

TEST_F(TextCApi, Tokenize) {
  const std::string text = "hello world";
  size_t count = 0;
  ASSERT_EQ(mint_tokenize(model_.get(), text.data(), text.size(), -1, nullptr, 0, &count),
            mint_status_success);
  EXPECT_EQ(count, 6u);
  std::vector<int32_t> ids(6, -7);
  ASSERT_EQ(
      mint_tokenize(model_.get(), text.data(), text.size(), 0, ids.data(), ids.size(), &count),
      mint_status_success);
  EXPECT_EQ(ids, (std::vector<int32_t>{259, 260, 'o', 'r', 'l', 'd'}));
  // Too small: the first `capacity` ids and the full count.
  std::vector<int32_t> small(3, -7);
  ASSERT_EQ(mint_tokenize(model_.get(), text.data(), text.size(), 1, small.data(), 2, &count),
            mint_status_success);
  EXPECT_EQ(count, 7u);
  EXPECT_EQ(small, (std::vector<int32_t>{261, 259, -7}));
  ASSERT_EQ(mint_tokenize(model_.get(), nullptr, 0, 0, nullptr, 0, &count), mint_status_success);
  EXPECT_EQ(count, 0u);

  count = 99;
  expect_error(mint_tokenize(nullptr, "a", 1, 0, ids.data(), 6, &count),
               mint_status_invalid_argument, "model");
  expect_error(mint_tokenize(bare_.get(), "a", 1, 0, ids.data(), 6, &count),
               mint_status_invalid_argument, "no tokenizer");
  expect_error(mint_tokenize(model_.get(), nullptr, 1, 0, ids.data(), 6, &count),
               mint_status_invalid_argument, "text is null");
  expect_error(mint_tokenize(model_.get(), "a", 1, 0, nullptr, 6, &count),
               mint_status_invalid_argument, "out_ids is null");
  expect_error(mint_tokenize(model_.get(), "a", 1, 0, ids.data(), 6, nullptr),
               mint_status_invalid_argument, "out_count is null");
  expect_error(mint_tokenize(model_.get(), "a", 1, 2, ids.data(), 6, &count),
               mint_status_invalid_argument, "add_bos is 2");
  EXPECT_EQ(count, 99u);  // untouched by the failures
}

TEST_F(TextCApi, Detokenize) {
  const std::vector<int32_t> ids = {259, 260, 'o', 'r', 'l', 'd'};
  char buf[32];
  size_t size = 0;
  ASSERT_EQ(mint_detokenize(model_.get(), ids.data(), ids.size(), buf, sizeof(buf), &size),
            mint_status_success);
  EXPECT_EQ(size, 11u);
  EXPECT_STREQ(buf, "hello world");
  // Cut short: capacity - 1 bytes and a NUL, the full size.
  std::memset(buf, 'x', sizeof(buf));
  ASSERT_EQ(mint_detokenize(model_.get(), ids.data(), ids.size(), buf, 4, &size),
            mint_status_success);
  EXPECT_EQ(size, 11u);
  EXPECT_STREQ(buf, "hel");
  EXPECT_EQ(buf[4], 'x');
  ASSERT_EQ(mint_detokenize(model_.get(), ids.data(), ids.size(), nullptr, 0, &size),
            mint_status_success);
  EXPECT_EQ(size, 11u);
  ASSERT_EQ(mint_detokenize(model_.get(), nullptr, 0, buf, sizeof(buf), &size),
            mint_status_success);
  EXPECT_EQ(size, 0u);
  EXPECT_STREQ(buf, "");

  const std::vector<int32_t> bad = {1, 2, 262};
  expect_error(mint_detokenize(model_.get(), bad.data(), bad.size(), buf, sizeof(buf), &size),
               mint_status_invalid_argument, "262");
  expect_error(mint_detokenize(model_.get(), nullptr, 2, buf, sizeof(buf), &size),
               mint_status_invalid_argument, "ids is null");
  expect_error(mint_detokenize(model_.get(), ids.data(), 1, nullptr, 5, &size),
               mint_status_invalid_argument, "out_text is null");
  expect_error(mint_detokenize(model_.get(), ids.data(), 1, buf, 5, nullptr),
               mint_status_invalid_argument, "out_size is null");
  expect_error(mint_detokenize(bare_.get(), ids.data(), 1, buf, 5, &size),
               mint_status_invalid_argument, "no tokenizer");
}

TEST_F(TextCApi, TokenToPiece) {
  char buf[16];
  size_t size = 0;
  ASSERT_EQ(mint_token_to_piece(model_.get(), 259, buf, sizeof(buf), &size), mint_status_success);
  EXPECT_EQ(size, 5u);
  EXPECT_STREQ(buf, "hello");
  // The byte 0 token: a piece holding a NUL byte; the size tells.
  ASSERT_EQ(mint_token_to_piece(model_.get(), 0, buf, sizeof(buf), &size), mint_status_success);
  EXPECT_EQ(size, 1u);
  EXPECT_EQ(buf[0], '\0');
  ASSERT_EQ(mint_token_to_piece(model_.get(), 261, buf, 6, &size), mint_status_success);
  EXPECT_EQ(size, 13u);
  EXPECT_STREQ(buf, "<|end");
  expect_error(mint_token_to_piece(model_.get(), 262, buf, sizeof(buf), &size),
               mint_status_invalid_argument, "token id 262 is outside [0, 262)");
  expect_error(mint_token_to_piece(model_.get(), -1, buf, sizeof(buf), &size),
               mint_status_invalid_argument, "token id -1");
  expect_error(mint_token_to_piece(model_.get(), 1, nullptr, 3, &size),
               mint_status_invalid_argument, "out_piece is null");
  expect_error(mint_token_to_piece(model_.get(), 1, buf, 3, nullptr), mint_status_invalid_argument,
               "out_size is null");
  expect_error(mint_token_to_piece(nullptr, 1, buf, 3, &size), mint_status_invalid_argument,
               "model is null");
}

TEST_F(TextCApi, GenerateErrorsOnTheRealEntryPoint) {
  mint_generate_options o;
  mint_generate_options_init(&o);
  EXPECT_EQ(o.size, sizeof(o));
  EXPECT_EQ(o.max_new_tokens, 128u);
  EXPECT_EQ(o.add_bos, -1);
  mint_generate_stats stats{};
  stats.size = sizeof(stats);
  // A plan without mint.text metadata (builtin:mlp) is not a text plan.
  expect_error(mint_session_generate(session_.get(), "hello", &o, nullptr, nullptr, &stats),
               mint_status_invalid_argument,
               "mint_session_generate: the plan is not a text plan");
  expect_error(mint_session_generate(session_.get(), "hello", nullptr, nullptr, nullptr, nullptr),
               mint_status_invalid_argument, "the plan is not a text plan");
  expect_error(mint_session_generate(nullptr, "hello", &o, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "session is null");
  // Argument errors come first, whatever the plan.
  mint_generate_options bad = o;
  bad.size = 0;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "mint_generate_options_init");
  bad = o;
  bad.top_p = 0;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "options: top_p");
  bad = o;
  bad.temperature = -1;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "temperature");
  bad = o;
  bad.top_k = -1;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "top_k");
  bad = o;
  bad.repetition_penalty = 0;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "repetition_penalty");
  bad = o;
  bad.stop_id_count = 2;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "stop_ids is null");
  bad = o;
  bad.prompt_id_count = 1;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "prompt_ids is null");
  bad = o;
  int32_t one = 1;
  bad.prompt_ids = &one;
  bad.prompt_id_count = size_t{1} << 40;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "sanity limit");
  bad = o;
  bad.add_bos = 3;
  expect_error(mint_session_generate(session_.get(), "hello", &bad, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "add_bos is 3");
  mint_generate_stats bad_stats{};
  expect_error(mint_session_generate(session_.get(), "hello", &o, nullptr, nullptr, &bad_stats),
               mint_status_invalid_argument, "out_stats->size is 0");
  // A plan without a tokenizer.
  mint_session_t s = nullptr;
  ASSERT_EQ(mint_session_create(bare_.get(), nullptr, &s), mint_status_success);
  SessionPtr bare_session(s);
  expect_error(mint_session_generate(s, "hello", &o, nullptr, nullptr, &stats),
               mint_status_invalid_argument, "the plan has no tokenizer");
  EXPECT_EQ(stats.generated_tokens, 0u);  // untouched

  EXPECT_EQ(mint_session_reset(session_.get()), mint_status_success);
  expect_error(mint_session_reset(nullptr), mint_status_invalid_argument, "session is null");
  mint_generate_options_init(nullptr);  // ignored
}

// ---- session_generate over a fake decoder ----

struct Collected {
  std::vector<int32_t> ids;
  std::string text;
  size_t stop_after = 0;
};

int collect(void* user_data, int32_t token, const char* text, size_t size) {
  auto* c = static_cast<Collected*>(user_data);
  if (token >= 0) c->ids.push_back(token);
  c->text.append(text, size);
  return c->stop_after != 0 && c->ids.size() >= c->stop_after ? 1 : 0;
}

class FakeSession : public ::testing::Test {
 protected:
  Status generate(const char* prompt, const mint_generate_options* o, Collected* c,
                  mint_generate_stats* stats, const tokenizer::Tokenizer* tok = nullptr) {
    return generate::session_generate(
        tok ? tok : &tok_, false, [&]() -> Result<generate::TokenDecoder*> { return &decoder_; },
        &state_, prompt, o, c ? collect : nullptr, c, stats);
  }
  tokenizer::Gpt2Bpe tok_ = tiny_bpe();
  FakeDecoder decoder_{262, 32};
  generate::GenerateState state_;
};

TEST_F(FakeSession, GreedyStreamsAndFillsStats) {
  mint_generate_options o;
  mint_generate_options_init(&o);
  o.temperature = 0;
  o.max_new_tokens = 5;
  o.stop_at_eos = 0;
  Collected c;
  mint_generate_stats stats{};
  stats.size = sizeof(stats);
  ASSERT_TRUE(generate("hello", &o, &c, &stats).is_ok());
  // The same as the C++ loop on a fresh decoder.
  FakeDecoder ref(262, 32);
  generate::GenerateOptions g;
  g.sampling.temperature = 0;
  g.max_new_tokens = 5;
  g.stop_at_eos = false;
  std::vector<int32_t> want;
  ASSERT_TRUE(generate::generate(
                  ref, tok_, "hello", {}, g,
                  [&](int32_t id, std::string_view) {
                    want.push_back(id);
                    return true;
                  },
                  nullptr)
                  .is_ok());
  EXPECT_EQ(c.ids, want);
  EXPECT_EQ(c.text, tok_.decode(want).value());
  EXPECT_EQ(stats.size, sizeof(stats));
  EXPECT_EQ(stats.prompt_tokens, 1u);
  EXPECT_EQ(stats.generated_tokens, 5u);
  EXPECT_EQ(stats.stop_reason, mint_stop_max_tokens);
  EXPECT_EQ(stats.stop_token, -1);
  EXPECT_GE(stats.time_to_first_token_ms, stats.prefill_ms);
  EXPECT_GE(stats.decode_tokens_per_s, 0.0);
}

TEST_F(FakeSession, OlderStatsStructsGetOnlyTheirFields) {
  mint_generate_stats stats;
  std::memset(&stats, 0x7F, sizeof(stats));
  stats.size = offsetof(mint_generate_stats, generated_tokens);  // size + prompt_tokens only
  mint_generate_options o;
  mint_generate_options_init(&o);
  o.max_new_tokens = 2;
  ASSERT_TRUE(generate("hello", &o, nullptr, &stats).is_ok());
  EXPECT_EQ(stats.prompt_tokens, 1u);
  size_t untouched;
  std::memset(&untouched, 0x7F, sizeof(untouched));
  EXPECT_EQ(stats.generated_tokens, untouched);
  // An older options struct: the fields it lacks keep their defaults.
  mint_generate_options old;
  mint_generate_options_init(&old);
  old.size = offsetof(mint_generate_options, temperature);
  old.max_new_tokens = 3;
  old.temperature = -5;  // beyond `size`: not read
  stats.size = sizeof(stats);
  ASSERT_TRUE(generate("", &old, nullptr, &stats).is_ok());  // continues from the pending token
  EXPECT_EQ(stats.generated_tokens, 3u);
}

TEST_F(FakeSession, StopsAndPromptIds) {
  decoder_.script({'a', 'b', 'c', 'd'});
  const int32_t stop[] = {'c'};
  const int32_t prompt_ids[] = {5, 6};
  mint_generate_options o;
  mint_generate_options_init(&o);
  o.temperature = 0;
  o.stop_ids = stop;
  o.stop_id_count = 1;
  o.prompt_ids = prompt_ids;
  o.prompt_id_count = 2;
  o.add_bos = 1;
  Collected c;
  mint_generate_stats stats{};
  stats.size = sizeof(stats);
  ASSERT_TRUE(generate(nullptr, &o, &c, &stats).is_ok());
  EXPECT_EQ(decoder_.tokens().front(), 261);
  EXPECT_EQ(std::vector<int32_t>(decoder_.tokens().begin(), decoder_.tokens().begin() + 3),
            (std::vector<int32_t>{261, 5, 6}));
  EXPECT_EQ(c.text, "ab");
  EXPECT_EQ(stats.stop_reason, mint_stop_token);
  EXPECT_EQ(stats.stop_token, 'c');
  // The callback stops it.
  Collected c2;
  c2.stop_after = 1;
  o.stop_id_count = 0;
  ASSERT_TRUE(generate("x", &o, &c2, &stats).is_ok());
  EXPECT_EQ(c2.ids.size(), 1u);
  EXPECT_EQ(stats.stop_reason, mint_stop_callback);
}

TEST_F(FakeSession, ErrorsKeepStatsUntouched) {
  mint_generate_options o;
  mint_generate_options_init(&o);
  mint_generate_stats stats{};
  stats.size = sizeof(stats);
  stats.generated_tokens = 77;
  // Empty prompt (no text, ids or bos).
  o.add_bos = 0;
  Status st = generate("", &o, nullptr, &stats);
  EXPECT_EQ(st.code(), mint_status_invalid_argument);
  EXPECT_NE(st.message().find("prompt is empty"), std::string::npos);
  // Too long for the context of 32.
  std::string long_prompt(40, 'z');
  st = generate(long_prompt.c_str(), &o, nullptr, &stats);
  EXPECT_EQ(st.code(), mint_status_invalid_argument);
  EXPECT_NE(st.message().find("context"), std::string::npos);
  // An id outside the vocabulary.
  const int32_t bad_id = 300;
  o.prompt_ids = &bad_id;
  o.prompt_id_count = 1;
  st = generate("", &o, nullptr, &stats);
  EXPECT_NE(st.message().find("id 300"), std::string::npos);
  EXPECT_EQ(stats.generated_tokens, 77u);
  EXPECT_EQ(decoder_.position(), 0u);
  // The decoder provider's error and a missing tokenizer.
  st = generate::session_generate(
      &tok_, false,
      []() -> Result<generate::TokenDecoder*> { return Status::invalid_argument("no decoder"); },
      &state_, "hi", nullptr, nullptr, nullptr, nullptr);
  EXPECT_EQ(st.message(), "no decoder");
  st = generate::session_generate(
      nullptr, false, [&]() -> Result<generate::TokenDecoder*> { return &decoder_; }, &state_, "hi",
      nullptr, nullptr, nullptr, nullptr);
  EXPECT_EQ(st.message(), "the plan has no tokenizer");
}

}  // namespace
}  // namespace mint
