#include "runtime/tokenizer/gpt2_bpe.h"

#include <limits>
#include <utility>

#include "runtime/tokenizer/unicode.h"

namespace mint::tokenizer {
namespace {

constexpr uint32_t kBinaryVersion = 1;
constexpr uint32_t kMaxEntries = 1u << 24;
constexpr double kNoRank = 10e10;  // Encoder.js's rank of a pair that is not a merge

// ---- pre-tokenization --------------------------------------------------------------------

enum class CharClass : uint8_t { kLetter, kNumber, kSpace, kOther };

CharClass classify(char32_t c) {
  if (is_js_space(c)) return CharClass::kSpace;
  if (is_letter(c)) return CharClass::kLetter;
  if (is_number(c)) return CharClass::kNumber;
  return CharClass::kOther;
}

// Length (in code points) of the match of GPT-2's pattern at `p` (< cps.size()); always >= 1.
size_t match_at(const std::vector<char32_t>& cps, const std::vector<CharClass>& cls, size_t p) {
  const size_t n = cps.size();
  // 's|'t|'re|'ve|'m|'ll|'d
  if (cps[p] == '\'' && p + 1 < n) {
    const char32_t a = cps[p + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (p + 2 < n) {
      const char32_t b = cps[p + 2];
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    }
  }
  // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': an optional U+0020, then a run of one class.
  const size_t q = cps[p] == ' ' ? p + 1 : p;
  if (q < n) {
    const CharClass c = cls[q];
    if (c != CharClass::kSpace) {
      size_t e = q + 1;
      while (e < n && cls[e] == c) ++e;
      return e - p;
    }
  }
  // \s+(?!\S) then \s+: a run of whitespace, less its last character when a non-space follows
  // and the run is longer than one.
  if (cls[p] == CharClass::kSpace) {
    size_t e = p + 1;
    while (e < n && cls[e] == CharClass::kSpace) ++e;
    if (e == n || e - p == 1) return e - p;
    return e - 1 - p;
  }
  return 1;  // unreachable: every character is in exactly one class
}

// ---- encoder.json ------------------------------------------------------------------------

// A bounds-checked parser for one JSON object of string keys and non-negative integer values.
class JsonVocabParser {
 public:
  explicit JsonVocabParser(std::string_view s) : s_(s) {}

  Status parse(std::vector<std::pair<std::string, int64_t>>* entries) {
    skip_ws();
    if (!eat('{')) return error("expected '{'");
    skip_ws();
    if (!eat('}')) {
      for (;;) {
        skip_ws();
        std::string key;
        MINT_RETURN_IF_ERROR(parse_string(&key));
        skip_ws();
        if (!eat(':')) return error("expected ':'");
        skip_ws();
        int64_t value = 0;
        MINT_RETURN_IF_ERROR(parse_int(&value));
        if (entries->size() >= kMaxEntries) return error("more than 2^24 entries");
        entries->emplace_back(std::move(key), value);
        skip_ws();
        if (eat(',')) continue;
        if (eat('}')) break;
        return error("expected ',' or '}'");
      }
    }
    skip_ws();
    if (pos_ != s_.size()) return error("trailing data after the object");
    return Status::ok();
  }

 private:
  Status error(const std::string& what) const {
    size_t line = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) line += s_[i] == '\n';
    return Status::invalid_plan("encoder.json: offset " + std::to_string(pos_) + " (line " +
                                std::to_string(line) + "): " + what);
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  Status parse_hex4(uint32_t* v) {
    if (s_.size() - pos_ < 4) return error("truncated \\u escape");
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      uint32_t d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return error("bad hex digit in \\u escape");
      *v = *v * 16 + d;
    }
    return Status::ok();
  }
  Status parse_string(std::string* out) {
    if (!eat('"')) return error("expected '\"'");
    const size_t start = pos_;
    for (;;) {
      if (pos_ >= s_.size()) return error("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c < 0x20) return error("control character in string");
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return error("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t v = 0;
          MINT_RETURN_IF_ERROR(parse_hex4(&v));
          if (v >= 0xD800 && v <= 0xDBFF) {
            uint32_t lo = 0;
            if (!(eat('\\') && eat('u'))) return error("unpaired surrogate in \\u escape");
            MINT_RETURN_IF_ERROR(parse_hex4(&lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return error("unpaired surrogate in \\u escape");
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
          } else if (v >= 0xDC00 && v <= 0xDFFF) {
            return error("unpaired surrogate in \\u escape");
          }
          append_utf8(v, out);
          break;
        }
        default:
          --pos_;
          return error("bad escape");
      }
    }
    if (!is_valid_utf8(*out)) {
      pos_ = start;
      return error("string is not valid UTF-8");
    }
    return Status::ok();
  }
  Status parse_int(int64_t* v) {
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9')
      return error("expected a non-negative integer");
    *v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      *v = *v * 10 + (s_[pos_++] - '0');
      if (*v > std::numeric_limits<int32_t>::max()) return error("integer too large");
    }
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      return error("expected an integer");
    return Status::ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// GPT-2 alphabet string (UTF-8) -> raw bytes; false when a character is not in the alphabet.
bool alphabet_to_bytes(std::string_view s, std::string* out) {
  out->clear();
  for (char32_t c : decode_utf8(s)) {
    const int b = Gpt2Bpe::unicode_to_byte(c);
    if (b < 0) return false;
    out->push_back(static_cast<char>(b));
  }
  return true;
}

// ---- binary form -------------------------------------------------------------------------

void put_u32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t get_u32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

bool is_js_split_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

// ---- alphabet ----------------------------------------------------------------------------

char32_t Gpt2Bpe::byte_to_unicode(uint8_t b) {
  if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
  // The 68 others, in byte order: 0x00-0x20, 0x7F-0xA0, 0xAD.
  if (b <= 0x20) return 0x100 + b;
  if (b <= 0xA0) return 0x100 + 33 + (b - 0x7F);
  return 0x100 + 67;  // 0xAD
}

int Gpt2Bpe::unicode_to_byte(char32_t c) {
  if ((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF))
    return static_cast<int>(c);
  if (c < 0x100 || c > 0x100 + 67) return -1;
  const int n = static_cast<int>(c - 0x100);
  if (n <= 32) return n;
  if (n <= 66) return 0x7F + (n - 33);
  return 0xAD;
}

// ---- construction ------------------------------------------------------------------------

Result<Gpt2Bpe> Gpt2Bpe::from_json_and_merges(std::string_view encoder_json,
                                              std::string_view vocab_bpe) {
  std::vector<std::pair<std::string, int64_t>> entries;
  MINT_RETURN_IF_ERROR(JsonVocabParser(encoder_json).parse(&entries));
  if (entries.empty()) return Status::invalid_plan("encoder.json: no tokens");

  Gpt2Bpe t;
  t.tokens_.resize(entries.size());
  std::vector<bool> seen(entries.size(), false);
  std::string bytes;
  for (const auto& [key, id] : entries) {
    if (id < 0 || static_cast<size_t>(id) >= entries.size())
      return Status::invalid_plan("encoder.json: token \"" + key + "\" has id " +
                                  std::to_string(id) + ", want ids 0.." +
                                  std::to_string(entries.size() - 1));
    if (seen[id])
      return Status::invalid_plan("encoder.json: id " + std::to_string(id) + " used twice");
    seen[id] = true;
    if (key.empty() || !alphabet_to_bytes(key, &bytes))
      return Status::invalid_plan("encoder.json: token " + std::to_string(id) + " \"" + key +
                                  "\" is empty or has a character outside GPT-2's byte alphabet");
    if (bytes.size() > 0xFFFF)
      return Status::invalid_plan("encoder.json: token " + std::to_string(id) + " too long");
    t.tokens_[id] = bytes;
  }
  MINT_RETURN_IF_ERROR(t.finish("encoder.json"));

  // vocab.bpe: Encoder.js keeps lines[1 .. n-2] of split('\n').
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    const size_t nl = vocab_bpe.find('\n', start);
    if (nl == std::string_view::npos) break;  // the text after the last '\n' is dropped
    lines.push_back(vocab_bpe.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() > kMaxEntries) return Status::invalid_plan("vocab.bpe: more than 2^24 merges");
  std::string left, right;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const auto where = [&] { return "vocab.bpe: line " + std::to_string(i + 1) + ": "; };
    std::vector<std::string_view> fields;
    for (size_t p = 0; p < line.size();) {
      while (p < line.size() && is_js_split_space(line[p])) ++p;
      size_t e = p;
      while (e < line.size() && !is_js_split_space(line[e])) ++e;
      if (e > p) fields.push_back(line.substr(p, e - p));
      p = e;
    }
    if (fields.size() != 2)
      return Status::invalid_plan(where() + "want 2 fields \"<left> <right>\", got " +
                                  std::to_string(fields.size()));
    if (!alphabet_to_bytes(fields[0], &left) || !alphabet_to_bytes(fields[1], &right))
      return Status::invalid_plan(where() + "character outside GPT-2's byte alphabet");
    const int32_t l = t.token_id(left), r = t.token_id(right);
    if (l < 0 || r < 0)
      return Status::invalid_plan(where() + "\"" + std::string(l < 0 ? fields[0] : fields[1]) +
                                  "\" is not a token of encoder.json");
    t.merges_.emplace_back(l, r);
  }
  MINT_RETURN_IF_ERROR(t.finish("vocab.bpe"));
  return t;
}

Result<Gpt2Bpe> Gpt2Bpe::from_binary(std::string_view data) {
  const auto bad = [](const std::string& m) {
    return Status::invalid_plan("tokenizer data: " + m);
  };
  if (data.size() < 16 || data.substr(0, 4) != "MBPE") return bad("missing 'MBPE' header");
  const uint32_t version = get_u32(data, 4);
  if (version != kBinaryVersion)
    return bad("version " + std::to_string(version) + ", want " + std::to_string(kBinaryVersion));
  const uint32_t n_tokens = get_u32(data, 8), n_merges = get_u32(data, 12);
  if (n_tokens < 256 || n_tokens > kMaxEntries)
    return bad("n_tokens " + std::to_string(n_tokens) + " outside [256, 2^24]");
  if (n_merges > kMaxEntries) return bad("n_merges " + std::to_string(n_merges) + " > 2^24");
  size_t pos = 16;
  if (data.size() - pos < 2ull * n_tokens) return bad("truncated token lengths");
  Gpt2Bpe t;
  std::vector<uint32_t> lengths(n_tokens);
  uint64_t total = 0;
  for (uint32_t i = 0; i < n_tokens; ++i, pos += 2) {
    lengths[i] = static_cast<unsigned char>(data[pos]) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(data[pos + 1])) << 8);
    if (lengths[i] == 0) return bad("token " + std::to_string(i) + " has length 0");
    total += lengths[i];
  }
  if (data.size() - pos < total) return bad("truncated token bytes");
  t.tokens_.reserve(n_tokens);
  for (uint32_t i = 0; i < n_tokens; ++i) {
    t.tokens_.emplace_back(data.substr(pos, lengths[i]));
    pos += lengths[i];
  }
  if (data.size() - pos != 8ull * n_merges)
    return bad("merges take " + std::to_string(data.size() - pos) + " bytes at offset " +
               std::to_string(pos) + ", want " + std::to_string(8ull * n_merges));
  t.merges_.reserve(n_merges);
  for (uint32_t i = 0; i < n_merges; ++i, pos += 8) {
    const uint32_t l = get_u32(data, pos), r = get_u32(data, pos + 4);
    if (l >= n_tokens || r >= n_tokens)
      return bad("merge " + std::to_string(i) + " refers to token " +
                 std::to_string(l >= n_tokens ? l : r) + " of " + std::to_string(n_tokens));
    t.merges_.emplace_back(static_cast<int32_t>(l), static_cast<int32_t>(r));
  }
  MINT_RETURN_IF_ERROR(t.finish("tokenizer data"));
  return t;
}

std::string Gpt2Bpe::to_binary() const {
  std::string out = "MBPE";
  put_u32(kBinaryVersion, &out);
  put_u32(static_cast<uint32_t>(tokens_.size()), &out);
  put_u32(static_cast<uint32_t>(merges_.size()), &out);
  for (const std::string& tok : tokens_) {
    out.push_back(static_cast<char>(tok.size() & 0xFF));
    out.push_back(static_cast<char>((tok.size() >> 8) & 0xFF));
  }
  for (const std::string& tok : tokens_) out += tok;
  for (const auto& [l, r] : merges_) {
    put_u32(static_cast<uint32_t>(l), &out);
    put_u32(static_cast<uint32_t>(r), &out);
  }
  return out;
}

Status Gpt2Bpe::finish(const char* what) {
  token_ids_.clear();
  token_ids_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (!token_ids_.emplace(tokens_[i], static_cast<int32_t>(i)).second)
      return Status::invalid_plan(std::string(what) + ": token " + std::to_string(i) +
                                  " duplicates token " + std::to_string(token_ids_[tokens_[i]]));
  }
  for (int b = 0; b < 256; ++b) {
    const int32_t id = token_id(std::string(1, static_cast<char>(b)));
    if (id < 0)
      return Status::invalid_plan(std::string(what) + ": no token for the single byte " +
                                  std::to_string(b));
    byte_ids_[b] = id;
  }
  ranks_.clear();
  ranks_.reserve(merges_.size());
  for (size_t i = 0; i < merges_.size(); ++i) {
    // Later merges overwrite earlier ones with the same key, as Encoder.js's dictZip does.
    ranks_[tokens_[merges_[i].first] + ',' + tokens_[merges_[i].second]] = static_cast<int32_t>(i);
  }
  bos_id_ = eos_id_ = token_id("<|endoftext|>");
  return Status::ok();
}

// ---- queries -----------------------------------------------------------------------------

std::string_view Gpt2Bpe::token_view(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return tokens_[id];
}

Status Gpt2Bpe::set_special_ids(int32_t bos, int32_t eos) {
  for (const auto& [name, id] : {std::pair<const char*, int32_t>{"bos", bos}, {"eos", eos}}) {
    if (id < -1 || id >= vocab_size()) {
      return Status::invalid_argument(std::string(name) + " id " + std::to_string(id) +
                                      " is outside [0, " + std::to_string(vocab_size()) +
                                      ") (and not -1, none)");
    }
  }
  bos_id_ = bos;
  eos_id_ = eos;
  return Status::ok();
}

int32_t Gpt2Bpe::token_id(std::string_view bytes) const {
  const auto it = token_ids_.find(std::string(bytes));
  return it == token_ids_.end() ? -1 : it->second;
}

std::vector<std::string> Gpt2Bpe::pre_tokenize(std::string_view text) {
  const std::vector<char32_t> cps = decode_utf8(text);
  std::vector<CharClass> cls(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) cls[i] = classify(cps[i]);
  std::vector<std::string> pieces;
  for (size_t p = 0; p < cps.size();) {
    const size_t len = match_at(cps, cls, p);
    std::string piece;
    for (size_t i = p; i < p + len; ++i) append_utf8(cps[i], &piece);
    pieces.push_back(std::move(piece));
    p += len;
  }
  return pieces;
}

void Gpt2Bpe::bpe(std::string_view piece, std::vector<int32_t>* out) const {
  std::vector<std::string> word;
  word.reserve(piece.size());
  for (char c : piece) word.emplace_back(1, c);
  std::string key;
  while (word.size() > 1) {
    double best = kNoRank;
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      key.assign(word[i]).append(1, ',').append(word[i + 1]);
      const auto it = ranks_.find(key);
      const double rank = it == ranks_.end() ? kNoRank : it->second;
      if (rank <= best) {  // ties: the last pair wins, as Encoder.js's minPairs object
        best = rank;
        best_at = i;
      }
    }
    if (best >= kNoRank) break;
    const std::string first = word[best_at], second = word[best_at + 1];
    std::vector<std::string> merged;
    merged.reserve(word.size());
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(first + second);
        i += 2;
      } else {
        merged.push_back(std::move(word[i]));
        i += 1;
      }
    }
    word = std::move(merged);
  }
  for (const std::string& sym : word) {
    const auto it = token_ids_.find(sym);
    if (it != token_ids_.end()) {
      out->push_back(it->second);
    } else {
      for (char c : sym) out->push_back(byte_ids_[static_cast<unsigned char>(c)]);
    }
  }
}

std::vector<int32_t> Gpt2Bpe::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  for (const std::string& piece : pre_tokenize(text)) bpe(piece, &ids);
  return ids;
}

Result<std::string> Gpt2Bpe::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= vocab_size())
      return Status::invalid_argument("decode: id " + std::to_string(ids[i]) + " at position " +
                                      std::to_string(i) + " is not in the vocabulary (size " +
                                      std::to_string(vocab_size()) + ")");
    out += tokens_[ids[i]];
  }
  return out;
}

}  // namespace mint::tokenizer
