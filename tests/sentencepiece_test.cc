// SentencePiece BPE tokenizer (runtime/tokenizer/sentencepiece_bpe.*): the algorithm on small
// hand-made models (merge order, ties, unknowns, user-defined and unused pieces, whitespace
// options, byte fallback, rejected models), and the committed models/text/tokenizer/tokenizer.model
// (known ids from python3-sentencepiece 0.1.97, decoding, the binary form, truncated and corrupted
// binary forms and ModelProtos). The exact comparisons with python3-sentencepiece on the corpus
// are in sentencepiece_match_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "runtime/tokenizer/sentencepiece_bpe.h"
#include "tests/sentencepiece_test_util.h"

namespace mint::tokenizer {
namespace {

using namespace sp_test;  // NOLINT

// ---- a protobuf writer for hand-made ModelProtos ------------------------------------------

void put_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void put_tag(uint32_t field, uint32_t wire, std::string* out) {
  put_varint((field << 3) | wire, out);
}
void put_bytes(uint32_t field, std::string_view s, std::string* out) {
  put_tag(field, 2, out);
  put_varint(s.size(), out);
  out->append(s);
}
void put_int(uint32_t field, int64_t v, std::string* out) {
  put_tag(field, 0, out);
  put_varint(static_cast<uint64_t>(v), out);
}
void put_float(uint32_t field, float f, std::string* out) {
  put_tag(field, 5, out);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(bits >> (8 * i)));
}

struct Piece {
  std::string text;
  float score;
  int type;
};

struct ModelSpec {
  std::vector<Piece> pieces;
  int64_t model_type = 2;
  bool byte_fallback = false;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = false;
  std::string charsmap;
  bool suffix = false;
};

std::string model_proto(const ModelSpec& m) {
  std::string out;
  for (const Piece& p : m.pieces) {
    std::string sp;
    put_bytes(1, p.text, &sp);
    put_float(2, p.score, &sp);
    put_int(3, p.type, &sp);
    put_bytes(1, sp, &out);
  }
  std::string trainer;
  put_int(3, m.model_type, &trainer);
  put_int(4, static_cast<int64_t>(m.pieces.size()), &trainer);
  if (m.suffix) put_int(24, 1, &trainer);
  put_int(35, m.byte_fallback, &trainer);
  put_bytes(2, trainer, &out);
  std::string norm;
  put_bytes(1, m.charsmap.empty() ? "identity" : "nmt_nfkc", &norm);
  if (!m.charsmap.empty()) put_bytes(2, m.charsmap, &norm);
  put_int(3, m.add_dummy_prefix, &norm);
  put_int(4, m.remove_extra_whitespaces, &norm);
  put_bytes(3, norm, &out);
  return out;
}

const std::string kW = "\xE2\x96\x81";  // U+2581

// <unk> <s> </s>, the characters, then merges with descending scores.
ModelSpec toy_spec() {
  ModelSpec m;
  m.pieces = {{"<unk>", 0, 2}, {"<s>", 0, 3},  {"</s>", 0, 3}, {kW + "ab", -0.5f, 1}, {"ab", -1, 1},
              {"bc", -2, 1},   {"abc", -3, 1}, {"aa", -1, 1},  {kW, -10, 1},          {"a", -11, 1},
              {"b", -12, 1},   {"c", -13, 1},  {"<x>", 0, 4},  {kW + kW, -4, 1}};
  return m;
}

SentencePieceBpe make(const ModelSpec& m) {
  Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(model_proto(m));
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return std::move(r).value();
}

// ---- the algorithm on a toy model --------------------------------------------------------

TEST(SentencePieceBpe, ToyMerges) {
  const SentencePieceBpe t = make(toy_spec());
  EXPECT_EQ(t.vocab_size(), 14);
  EXPECT_EQ(t.unk_id(), 0);
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
  // "▁abc": ab (-1) before bc (-2), then ▁ab (-0.5) before abc (-3).
  EXPECT_EQ(t.encode("abc"), (Ids{3, 11}));
  // Equal scores: the leftmost pair first ("▁", "aa", "a").
  EXPECT_EQ(t.encode("aaa"), (Ids{8, 7, 9}));
  // Unknown characters without byte fallback: one <unk> for a run.
  EXPECT_EQ(t.encode("xyz"), (Ids{8, 0}));
  EXPECT_EQ(t.encode("axyb"), (Ids{8, 9, 0, 10}));
  // User-defined pieces are matched whole and never merged.
  EXPECT_EQ(t.encode("a<x>b"), (Ids{8, 9, 12, 10}));
  // Spaces: dummy prefix + escaped space merge into "▁▁".
  EXPECT_EQ(t.encode(" "), (Ids{13}));
  EXPECT_EQ(t.encode(""), Ids{});
  EXPECT_EQ(t.normalize("a b"), kW + "a" + kW + "b");
  // Control pieces are spelled, not text: "<s>" is characters.
  EXPECT_EQ(t.encode("<s>"), (Ids{8, 0}));
  Result<std::string> d = t.decode({1, 3, 11, 2, 13});
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d.value(), "abc  ");
  EXPECT_EQ(t.decode({0}).value(), " \xE2\x81\x87 ");
}

TEST(SentencePieceBpe, ToyUnusedIsSplitBack) {
  ModelSpec m = toy_spec();
  m.pieces.push_back({"abca", -0.1f, 5});  // UNUSED: merged, then split back into (abc, a)
  m.pieces[6].score = -0.2f;               // abc now beats ▁ab
  const SentencePieceBpe t = make(m);
  // ▁,a,b,c,a -> ab -> abc (-0.2) -> abca (unused, -0.1) -> resegmented into abc, a.
  EXPECT_EQ(t.encode("abca"), (Ids{8, 6, 9}));
  EXPECT_EQ(t.type(14), Type::kUnused);
}

TEST(SentencePieceBpe, ToyRemoveExtraWhitespaces) {
  ModelSpec m = toy_spec();
  m.remove_extra_whitespaces = true;
  m.add_dummy_prefix = false;
  const SentencePieceBpe t = make(m);
  EXPECT_EQ(t.normalize("  a   b  "), "a" + kW + "b");
  EXPECT_EQ(t.normalize("   "), "");
  EXPECT_EQ(t.encode("   "), Ids{});
  EXPECT_EQ(t.normalize("a" + kW), "a");  // a trailing U+2581 is dropped too, as sentencepiece does
}

TEST(SentencePieceBpe, ByteFallbackToy) {
  ModelSpec m = toy_spec();
  m.byte_fallback = true;
  char hex[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(hex, sizeof hex, "<0x%02X>", b);
    m.pieces.push_back({hex, 0, 6});
  }
  const SentencePieceBpe t = make(m);
  // 'x' is 0x78 -> id 14 + 0x78; U+00E9 is C3 A9.
  EXPECT_EQ(t.encode("x\xC3\xA9"), (Ids{8, 14 + 0x78, 14 + 0xC3, 14 + 0xA9}));
  // An ill-formed byte is U+FFFD (EF BF BD), one per byte.
  EXPECT_EQ(t.encode("\xFF\xE2\x82"), (Ids{8, 14 + 0xEF, 14 + 0xBF, 14 + 0xBD, 14 + 0xEF, 14 + 0xBF,
                                           14 + 0xBD, 14 + 0xEF, 14 + 0xBF, 14 + 0xBD}));
  EXPECT_EQ(t.decode({14 + 0xC3, 14 + 0xA9}).value(), "\xC3\xA9");
  EXPECT_EQ(t.decode({14 + 0xC3}).value(), "\xC3");  // raw bytes, even a partial character
}

TEST(SentencePieceBpe, RejectsBadModels) {
  const auto rejects = [](const ModelSpec& m, const std::string& want) {
    Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(model_proto(m));
    ASSERT_FALSE(r.is_ok()) << want;
    EXPECT_EQ(r.status().code(), mint_status_invalid_plan);
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
  };
  ModelSpec m = toy_spec();
  m.model_type = 1;
  rejects(m, "only BPE");
  m = toy_spec();
  m.charsmap = "xyz";
  rejects(m, "precompiled_charsmap");
  m = toy_spec();
  m.suffix = true;
  rejects(m, "treat_whitespace_as_suffix");
  m = toy_spec();
  m.pieces.erase(m.pieces.begin());
  rejects(m, "no UNKNOWN piece");
  m = toy_spec();
  m.pieces.push_back({"<unk2>", 0, 2});
  rejects(m, "second UNKNOWN");
  m = toy_spec();
  m.pieces.push_back({"ab", -7, 1});
  rejects(m, "defined twice");
  m = toy_spec();
  m.pieces.push_back({"<0x41>", 0, 6});
  rejects(m, "byte_fallback is off");
  m = toy_spec();
  m.byte_fallback = true;
  m.pieces.push_back({"<0x41>", 0, 6});
  rejects(m, "all 256 BYTE pieces");
  m = toy_spec();
  m.byte_fallback = true;
  m.pieces.push_back({"<0xzz>", 0, 6});
  rejects(m, "not spelled <0xHH>");
  m = toy_spec();
  m.pieces.push_back({"", 0, 1});
  rejects(m, "has length 0");
  m = toy_spec();
  m.pieces.push_back({"\xFF", 0, 1});
  rejects(m, "not valid UTF-8");
  m = toy_spec();
  m.pieces.push_back({"q", 0, 7});
  rejects(m, "type 7");
  m = toy_spec();
  m.pieces.push_back({"q", std::numeric_limits<float>::infinity(), 1});
  rejects(m, "not finite");
  EXPECT_FALSE(SentencePieceBpe::from_model_proto("").is_ok());
  EXPECT_FALSE(SentencePieceBpe::from_model_proto("\x0a\x05\x0a").is_ok());  // truncated
}

// ---- the committed tokenizer.model -------------------------------------------------------

TEST(SentencePieceBpe, CommittedModel) {
  LOAD_COMMITTED(t);
  EXPECT_EQ(t.vocab_size(), 8000);
  EXPECT_EQ(t.unk_id(), 0);
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
  EXPECT_TRUE(t.byte_fallback() && t.add_dummy_prefix() && t.escape_whitespaces());
  EXPECT_FALSE(t.remove_extra_whitespaces());
  EXPECT_EQ(t.piece(3), "<0x00>");
  EXPECT_EQ(t.type(3), Type::kByte);
  EXPECT_EQ(t.piece(262), kW + "the");
  EXPECT_EQ(t.piece_id(kW + "the"), 262);
  EXPECT_EQ(t.piece_id("no such piece"), -1);
  // Ids from python3-sentencepiece 0.1.97 with this model.
  EXPECT_EQ(t.encode("12345"), (Ids{7924, 7958, 7974, 7976, 7980, 7978}));
  EXPECT_EQ(t.encode("  a  "), (Ids{2036, 261, 2036}));
  EXPECT_EQ(t.encode("\t\n"), (Ids{7924, 12, 13}));
  EXPECT_EQ(t.encode(std::string("a\0b", 3)), (Ids{261, 3, 7944}));
  EXPECT_EQ(t.encode("\xF0\x9F\x98\x80"), (Ids{7924, 243, 162, 155, 131}));
  EXPECT_EQ(t.encode("\xE2\x82"), (Ids{7924, 242, 194, 192, 242, 194, 192}));
  EXPECT_EQ(t.encode("x\xE2\x96\x81y"), (Ids{7924, 7951, 371}));
  EXPECT_EQ(t.encode(""), Ids{});
  // Decoding as sentencepiece: the first non-control piece loses its leading U+2581.
  EXPECT_EQ(t.decode({1, 262, 2}).value(), "the");
  EXPECT_EQ(t.decode({262, 262}).value(), "the the");
  EXPECT_EQ(t.decode({7924, 7924, 262}).value(), "  the");
  EXPECT_EQ(t.decode({3 + 0x41, 262}).value(), "A the");
  EXPECT_EQ(t.decode({0, 262}).value(), " \xE2\x81\x87  the");
  EXPECT_EQ(t.decode({}).value(), "");
  EXPECT_EQ(t.token_bytes(262), " the");
  EXPECT_EQ(t.token_bytes(1), "");
  EXPECT_EQ(t.token_bytes(8000), "");
  EXPECT_EQ(t.token_bytes(-1), "");
  Result<std::string> bad = t.decode({262, 8000});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), mint_status_invalid_argument);
  EXPECT_NE(bad.status().message().find("id 8000 at position 1"), std::string::npos);
  EXPECT_FALSE(t.decode({-5}).is_ok());
}

TEST(SentencePieceBpe, RoundTripsAndLongInputs) {
  LOAD_COMMITTED(t);
  const std::vector<std::string> texts = {"Hello world",
                                          "  leading and trailing  ",
                                          "\n\n\tTabs\r\n",
                                          "3.14159 1,000,000",
                                          "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
                                          std::string(5000, 'a'),
                                          std::string(3000, '9'),
                                          std::string(1000, ' '),
                                          "supercalifragilistic" + std::string(2000, 'x'),
                                          "\xE2\x80\x94\xE2\x80\x9Cquoted\xE2\x80\x9D\xE2\x80\x94"};
  for (const std::string& s : texts) {
    const Ids ids = t.encode(s);
    Result<std::string> d = t.decode(ids);
    ASSERT_TRUE(d.is_ok());
    EXPECT_EQ(d.value(), s) << s.substr(0, 40);
  }
}

// ---- binary form -------------------------------------------------------------------------

TEST(SentencePieceBpe, BinaryRoundTrip) {
  LOAD_COMMITTED(t);
  const std::string bin = t.to_binary();
  EXPECT_EQ(bin.substr(0, 4), "MSPB");
  std::printf("sentencepiece binary form: %zu bytes for %d pieces\n", bin.size(), t.vocab_size());
  Result<SentencePieceBpe> r = SentencePieceBpe::from_binary(bin);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const SentencePieceBpe& u = r.value();
  EXPECT_EQ(u.to_binary(), bin);
  EXPECT_EQ(u.bos_id(), t.bos_id());
  EXPECT_EQ(u.eos_id(), t.eos_id());
  for (int32_t id = 0; id < t.vocab_size(); ++id) {
    ASSERT_EQ(u.piece(id), t.piece(id));
    ASSERT_EQ(u.score(id), t.score(id));
    ASSERT_EQ(u.type(id), t.type(id));
  }
  const std::string text = "The whale, the WHALE! 1851\n\xFF\xE2\x82 caf\xC3\xA9";
  EXPECT_EQ(u.encode(text), t.encode(text));
  // Toy models with other flags round-trip too.
  ModelSpec m = toy_spec();
  m.remove_extra_whitespaces = true;
  m.add_dummy_prefix = false;
  const SentencePieceBpe toy = make(m);
  Result<SentencePieceBpe> tr = SentencePieceBpe::from_binary(toy.to_binary());
  ASSERT_TRUE(tr.is_ok()) << tr.status().message();
  EXPECT_EQ(tr.value().to_binary(), toy.to_binary());
  EXPECT_EQ(tr.value().normalize("  a  b "), toy.normalize("  a  b "));
}

TEST(SentencePieceBpe, BinaryTruncatedAndCorrupted) {
  LOAD_COMMITTED(t);
  const std::string bin = t.to_binary();
  // Every truncation is an error: all short prefixes, a stride through the middle, the tail.
  std::vector<size_t> cuts;
  for (size_t n = 0; n < 200; ++n) cuts.push_back(n);
  for (size_t n = 200; n < bin.size(); n += 97) cuts.push_back(n);
  for (size_t n = bin.size() - 64; n < bin.size(); ++n) cuts.push_back(n);
  for (size_t n : cuts) {
    Result<SentencePieceBpe> r = SentencePieceBpe::from_binary(std::string_view(bin).substr(0, n));
    ASSERT_FALSE(r.is_ok()) << n;
    EXPECT_EQ(r.status().code(), mint_status_invalid_plan);
  }
  EXPECT_FALSE(SentencePieceBpe::from_binary(bin + "x").is_ok());
  // Header fields.
  const auto with = [&](size_t off, uint32_t v) {
    std::string b = bin;
    for (int i = 0; i < 4; ++i) b[off + i] = static_cast<char>(v >> (8 * i));
    return SentencePieceBpe::from_binary(b);
  };
  EXPECT_FALSE(with(0, 0x4250534E).is_ok());  // magic
  EXPECT_FALSE(with(4, 2).is_ok());           // version
  EXPECT_FALSE(with(8, 0).is_ok());           // n_pieces
  EXPECT_FALSE(with(8, 0xFFFFFFFF).is_ok());
  EXPECT_FALSE(with(8, 7999).is_ok());
  EXPECT_FALSE(with(12, 16).is_ok());          // unknown flag
  EXPECT_FALSE(with(12, 7).is_ok());           // byte pieces without byte_fallback
  EXPECT_FALSE(with(16, 5).is_ok());           // bos not a control piece
  EXPECT_FALSE(with(20, 9000).is_ok());        // eos out of range
  EXPECT_FALSE(with(24, 0xFFFFFFF0).is_ok());  // unk surface length
  // Random byte flips: an error or a working tokenizer, never a crash.
  std::mt19937 rng(7);
  size_t accepted = 0;
  for (int i = 0; i < 300; ++i) {
    std::string b = bin;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
    Result<SentencePieceBpe> r = SentencePieceBpe::from_binary(b);
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), mint_status_invalid_plan);
      continue;
    }
    ++accepted;
    const Ids ids = r.value().encode("Call me Ishmael. \xFF 42");
    EXPECT_TRUE(r.value().decode(ids).is_ok());
  }
  std::printf("corrupted binary forms: %zu of 300 still valid (flips in scores or piece text)\n",
              accepted);
}

TEST(SentencePieceBpe, ModelProtoTruncatedAndCorrupted) {
  std::string proto;
  ASSERT_TRUE(read_file(model_path(), &proto));
  for (size_t n = 0; n < proto.size(); n += (n < 64 ? 1 : 1999)) {
    Result<SentencePieceBpe> r =
        SentencePieceBpe::from_model_proto(std::string_view(proto).substr(0, n));
    // None of these cuts falls on a field boundary that leaves a complete model.
    ASSERT_FALSE(r.is_ok()) << n;
    EXPECT_EQ(r.status().code(), mint_status_invalid_plan) << n;
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 150; ++i) {
    std::string b = proto;
    for (int k = 0; k < 3; ++k) b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
    Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(b);
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), mint_status_invalid_plan);
      continue;
    }
    const Ids ids = r.value().encode("It is not down on any map; true places never are.");
    EXPECT_TRUE(r.value().decode(ids).is_ok());
  }
}

}  // namespace
}  // namespace mint::tokenizer
