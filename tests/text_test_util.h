// Helpers for the text-generation tests: a tiny GPT-2 BPE tokenizer made at test time, a plan
// carrying it, and a fake TokenDecoder whose logits are a fixed function of the context.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "runtime/generate/decoder.h"
#include "runtime/tokenizer/gpt2_bpe.h"
#include "tests/test_util.h"

namespace mint::testing_util {

// encoder.json + vocab.bpe of a small byte-level BPE: the 256 byte tokens (ids 0..255 in byte
// order), then "he" 256, "ll" 257, "hell" 258, "hello" 259, " w" 260, "<|endoftext|>" 261.
inline std::pair<std::string, std::string> tiny_bpe_files() {
  auto key = [](const std::string& raw) {
    std::string out;
    for (unsigned char c : raw) {
      const char32_t u = tokenizer::Gpt2Bpe::byte_to_unicode(c);
      if (u == U'"' || u == U'\\') out += '\\';
      if (u < 0x80) {
        out += static_cast<char>(u);
      } else {  // U+00A1..U+0143: two UTF-8 bytes
        out += static_cast<char>(0xC0 | (u >> 6));
        out += static_cast<char>(0x80 | (u & 0x3F));
      }
    }
    return out;
  };
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
  for (const char* t : {"he", "ll", "hell", "hello", " w", "<|endoftext|>"}) tokens.emplace_back(t);
  std::string json = "{";
  for (size_t i = 0; i < tokens.size(); ++i) {
    json += (i ? ", \"" : "\"") + key(tokens[i]) + "\": " + std::to_string(i);
  }
  json += "}";
  std::string bpe = "#version: 0.2\n";
  for (const char* m : {"h e", "l l", "he ll", "hell o"})
    bpe += key(std::string(m, 1)) + std::string(m + 1) + "\n";
  bpe += key(" ") + " w\n";  // " w": the space is written as U+0120
  return {json, bpe};
}

inline tokenizer::Gpt2Bpe tiny_bpe() {
  auto [json, bpe] = tiny_bpe_files();
  Result<tokenizer::Gpt2Bpe> r = tokenizer::Gpt2Bpe::from_json_and_merges(json, bpe);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return std::move(r).value();
}

inline compiler::PlanTokenizer tiny_plan_tokenizer() {
  const tokenizer::Gpt2Bpe tok = tiny_bpe();
  compiler::PlanTokenizer t;
  t.kind = plan::TokenizerKind::gpt2_bpe;
  t.data = tok.to_binary();
  t.bos_id = tok.bos_id();
  t.eos_id = tok.eos_id();
  return t;
}

// A small non-text plan (one fully_connected) that carries `tok`.
inline std::vector<uint8_t> plan_with_tokenizer(const compiler::PlanTokenizer& tok) {
  compiler::GraphBuilder b;
  const compiler::ValueId x = b.input("x", DType::f32, {1, 4});
  std::vector<float> w(8, 0.5f);
  b.output(b.fully_connected(x, b.constant_f32("w", {2, 4}, w), compiler::kInvalidValue,
                             plan::Activation::none, "fc"));
  compiler::CompileOptions options;
  options.tokenizer = tok;
  return compile_or_die(b, options);
}

// A TokenDecoder whose next-token logits are a deterministic function of the context: the
// favourite next id is next_id(context); its logit is 8, every other id's is -(id % 5) * 0.1.
class FakeDecoder : public generate::TokenDecoder {
 public:
  FakeDecoder(size_t vocab, size_t context) : vocab_(vocab), context_(context), logits_(vocab) {}

  static int32_t next_id(const std::vector<int32_t>& ctx, size_t vocab) {
    uint64_t h = 1469598103934665603ull;
    for (int32_t t : ctx) h = (h ^ static_cast<uint64_t>(t)) * 1099511628211ull;
    return static_cast<int32_t>((h >> 17) % vocab);
  }

  size_t vocab_size() const override { return vocab_; }
  size_t context_length() const override { return context_; }
  size_t position() const override { return tokens_.size(); }
  Result<const float*> append(const int32_t* tokens, size_t count) override {
    if (tokens == nullptr || count == 0) return Status::invalid_argument("fake: no tokens");
    for (size_t i = 0; i < count; ++i) {
      if (tokens[i] < 0 || static_cast<size_t>(tokens[i]) >= vocab_)
        return Status::invalid_argument("fake: id out of range");
    }
    if (tokens_.size() + count > context_) return Status::invalid_state("fake: context full");
    if (fail_from_ != 0 && calls_ + 1 >= fail_from_)
      return Status::internal("fake: failing as told");
    tokens_.insert(tokens_.end(), tokens, tokens + count);
    ++calls_;
    const int32_t fav = calls_ <= script_.size() ? script_[calls_ - 1] : next_id(tokens_, vocab_);
    for (size_t v = 0; v < vocab_; ++v) logits_[v] = -static_cast<float>(v % 5) * 0.1f;
    logits_[fav] = 8.0f;
    for (const auto& [id, value] : forced_) logits_[id] = value;
    return logits_.data();
  }
  void reset() override { tokens_.clear(); }

  const std::vector<int32_t>& tokens() const { return tokens_; }
  size_t calls() const { return calls_; }
  // Sets logit `id` to `value` in every later call (e.g. to make EOS likely).
  void force(int32_t id, float value) { forced_.emplace_back(id, value); }
  // The favourite after the k-th append is script[k - 1] (then next_id again).
  void script(std::vector<int32_t> ids) { script_ = std::move(ids); }
  // The n-th append (1-based) and every later one fail with internal.
  void fail_from(size_t n) { fail_from_ = n; }

 private:
  size_t vocab_, context_;
  std::vector<float> logits_;
  std::vector<int32_t> tokens_;
  std::vector<std::pair<int32_t, float>> forced_;
  std::vector<int32_t> script_;
  size_t calls_ = 0, fail_from_ = 0;
};

}  // namespace mint::testing_util
