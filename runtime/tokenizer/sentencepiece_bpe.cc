#include "runtime/tokenizer/sentencepiece_bpe.h"

#include <cmath>
#include <cstring>
#include <queue>
#include <utility>

#include "runtime/tokenizer/unicode.h"
#include "runtime/util/protobuf_reader.h"

namespace mint::tokenizer {
namespace {

constexpr uint32_t kBinaryVersion = 1;
constexpr uint32_t kMaxPieces = 1u << 24;
constexpr uint32_t kMaxUnkSurface = 1024;
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr uint32_t kFlagDummyPrefix = 1, kFlagRemoveExtra = 2, kFlagEscape = 4,
                   kFlagByteFallback = 8;

// sentencepiece's DecodeUTF8 (util.cc): the length of the well-formed character at the start of
// [p, end), or 0 when it is ill-formed (overlong, surrogate, > U+10FFFF, truncated).
size_t utf8_char_length(const unsigned char* p, const unsigned char* end) {
  const size_t n = static_cast<size_t>(end - p);
  const auto trail = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  const auto valid = [](uint32_t c) { return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF); };
  if (p[0] < 0x80) return 1;
  if (n >= 2 && (p[0] & 0xE0) == 0xC0) {
    const uint32_t c = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    return trail(p[1]) && c >= 0x80 && valid(c) ? 2 : 0;
  }
  if (n >= 3 && (p[0] & 0xF0) == 0xE0) {
    const uint32_t c = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    return trail(p[1]) && trail(p[2]) && c >= 0x800 && valid(c) ? 3 : 0;
  }
  if (n >= 4 && (p[0] & 0xF8) == 0xF0) {
    const uint32_t c =
        ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    return trail(p[1]) && trail(p[2]) && trail(p[3]) && c >= 0x10000 && valid(c) ? 4 : 0;
  }
  return 0;
}

// The byte of a "<0xHH>" piece (upper-case hex), or -1.
int parse_byte_piece(std::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  int v = 0;
  for (int i = 3; i < 5; ++i) {
    const char c = p[i];
    if (c >= '0' && c <= '9')
      v = v * 16 + (c - '0');
    else if (c >= 'A' && c <= 'F')
      v = v * 16 + (c - 'A' + 10);
    else
      return -1;
  }
  return v;
}

void put_u32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint32_t get_u32(std::string_view d, size_t pos) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(d[pos + i])) << (8 * i);
  return v;
}

Status as_plan_error(const Status& s) { return s.is_ok() ? s : Status::invalid_plan(s.message()); }

bool is_mergeable(SentencePieceBpe::PieceType t) {
  return t == SentencePieceBpe::PieceType::kNormal ||
         t == SentencePieceBpe::PieceType::kUserDefined ||
         t == SentencePieceBpe::PieceType::kUnused;
}

// One symbol of the BPE sequence: bytes [begin, begin + size) of the normalized text.
struct Symbol {
  size_t begin = 0, size = 0;
  int64_t prev = -1, next = -1;
  bool freeze = false;
};

// A merge candidate: symbols `left` and `right` (adjacent), whose concatenation has `score`.
struct Candidate {
  float score;
  int64_t left, right;
  size_t size;
};

// bpe_model.cc's SymbolPairComparator: highest score first, then the leftmost.
struct CandidateOrder {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

// ---- construction ------------------------------------------------------------------------

Result<SentencePieceBpe> SentencePieceBpe::from_model_proto(std::string_view model_proto) {
  using util::Field;
  using util::ProtoReader;
  SentencePieceBpe t;
  int64_t model_type = 1;  // TrainerSpec's default, UNIGRAM
  bool have_trainer = false, suffix = false;
  std::string bos_piece = "<s>", eos_piece = "</s>";
  std::string charsmap;
  ProtoReader r(reinterpret_cast<const uint8_t*>(model_proto.data()), model_proto.size(),
                "tokenizer.model (ModelProto)");
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(as_plan_error(r.next(&f)));
    if (f.number == 1) {  // repeated SentencePiece pieces
      const std::string name = "pieces[" + std::to_string(t.pieces_.size()) + "]";
      if (t.pieces_.size() >= kMaxPieces)
        return Status::invalid_plan(r.path() + ": more than 2^24 pieces");
      Result<ProtoReader> sr = r.sub(f, name);
      MINT_RETURN_IF_ERROR(as_plan_error(sr.status()));
      ProtoReader s = std::move(sr).value();
      std::string piece;
      float score = 0;
      int64_t type = 1;
      Field g;
      while (!s.done()) {
        MINT_RETURN_IF_ERROR(as_plan_error(s.next(&g)));
        Status st;
        if (g.number == 1) {
          Result<std::string> v = s.as_string(g);
          st = v.status();
          if (v.is_ok()) piece = std::move(v).value();
        } else if (g.number == 2) {
          Result<float> v = s.as_float(g);
          st = v.status();
          if (v.is_ok()) score = v.value();
        } else if (g.number == 3) {
          Result<int64_t> v = s.as_int64(g);
          st = v.status();
          if (v.is_ok()) type = v.value();
        }
        MINT_RETURN_IF_ERROR(as_plan_error(st));
      }
      if (type < 1 || type > 6) {
        return Status::invalid_plan(s.path() + ": type " + std::to_string(type) + " is not 1..6");
      }
      t.pieces_.push_back(std::move(piece));
      t.scores_.push_back(score);
      t.types_.push_back(static_cast<PieceType>(type));
    } else if (f.number == 2 || f.number == 3) {  // TrainerSpec, NormalizerSpec
      const bool trainer = f.number == 2;
      Result<ProtoReader> sr = r.sub(f, trainer ? "trainer_spec" : "normalizer_spec");
      MINT_RETURN_IF_ERROR(as_plan_error(sr.status()));
      ProtoReader s = std::move(sr).value();
      if (trainer) have_trainer = true;
      Field g;
      while (!s.done()) {
        MINT_RETURN_IF_ERROR(as_plan_error(s.next(&g)));
        const bool is_string =
            trainer ? (g.number == 44 || g.number == 46 || g.number == 47) : (g.number == 2);
        const bool is_flag = trainer ? (g.number == 3 || g.number == 24 || g.number == 35)
                                     : (g.number >= 3 && g.number <= 5);
        if (is_string) {
          Result<std::string> v = s.as_string(g);
          MINT_RETURN_IF_ERROR(as_plan_error(v.status()));
          std::string& dst = !trainer         ? charsmap
                             : g.number == 44 ? t.unk_surface_
                             : g.number == 46 ? bos_piece
                                              : eos_piece;
          dst = std::move(v).value();
        } else if (is_flag) {
          Result<int64_t> v = s.as_int64(g);
          MINT_RETURN_IF_ERROR(as_plan_error(v.status()));
          const bool on = v.value() != 0;
          if (trainer) {
            if (g.number == 3)
              model_type = v.value();
            else if (g.number == 24)
              suffix = on;
            else
              t.byte_fallback_ = on;
          } else if (g.number == 3) {
            t.add_dummy_prefix_ = on;
          } else if (g.number == 4) {
            t.remove_extra_whitespaces_ = on;
          } else {
            t.escape_whitespaces_ = on;
          }
        }
      }
    }
  }
  const std::string what = "tokenizer.model";
  if (!have_trainer || model_type != 2) {
    return Status::invalid_plan(what + ": trainer_spec.model_type is " +
                                std::to_string(model_type) + ", only BPE (2) is supported");
  }
  if (!charsmap.empty()) {
    return Status::invalid_plan(what + ": normalizer_spec has a precompiled_charsmap (" +
                                std::to_string(charsmap.size()) +
                                " bytes); only the identity normalizer is supported");
  }
  if (suffix) return Status::invalid_plan(what + ": treat_whitespace_as_suffix is not supported");
  if (t.unk_surface_.size() > kMaxUnkSurface) {
    return Status::invalid_plan(what + ": unk_surface longer than 1024 bytes");
  }
  // bos/eos as sentencepiece finds them: the piece of that spelling, when it is CONTROL.
  for (size_t i = 0; i < t.pieces_.size(); ++i) {
    if (t.types_[i] != PieceType::kControl) continue;
    if (t.pieces_[i] == bos_piece) t.bos_id_ = static_cast<int32_t>(i);
    if (t.pieces_[i] == eos_piece) t.eos_id_ = static_cast<int32_t>(i);
  }
  MINT_RETURN_IF_ERROR(t.finish(what.c_str()));
  return t;
}

Status SentencePieceBpe::finish(const char* what) {
  const auto bad = [what](const std::string& m) {
    return Status::invalid_plan(std::string(what) + ": " + m);
  };
  const size_t n = pieces_.size();
  if (n == 0 || n > kMaxPieces) return bad(std::to_string(n) + " pieces, want 1..2^24");
  mergeable_.clear();
  reserved_.clear();
  user_defined_.clear();
  max_user_defined_length_ = 0;
  byte_ids_.fill(-1);
  unk_id_ = -1;
  surfaces_.assign(n, std::string());
  int n_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string& p = pieces_[i];
    const std::string at = "piece " + std::to_string(i);
    if (p.empty() || p.size() > 65535)
      return bad(at + " has length " + std::to_string(p.size()) + ", want 1..65535");
    if (!is_valid_utf8(p)) return bad(at + " is not valid UTF-8");
    if (!std::isfinite(scores_[i])) return bad(at + " has a score that is not finite");
    const PieceType type = types_[i];
    if (static_cast<int>(type) < 1 || static_cast<int>(type) > 6)
      return bad(at + " has type " + std::to_string(static_cast<int>(type)));
    auto& map = is_mergeable(type) ? mergeable_ : reserved_;
    if (mergeable_.count(p) || reserved_.count(p)) return bad(at + " '" + p + "' is defined twice");
    map.emplace(p, static_cast<int32_t>(i));
    switch (type) {
      case PieceType::kUnknown:
        if (unk_id_ >= 0)
          return bad(at + " is a second UNKNOWN piece (the first is " + std::to_string(unk_id_) +
                     ")");
        unk_id_ = static_cast<int32_t>(i);
        surfaces_[i] = unk_surface_;
        break;
      case PieceType::kControl:
        break;
      case PieceType::kByte: {
        const int b = parse_byte_piece(p);
        if (b < 0) return bad(at + " '" + p + "' is a BYTE piece not spelled <0xHH>");
        if (!byte_fallback_) return bad(at + " is a BYTE piece but byte_fallback is off");
        byte_ids_[b] = static_cast<int32_t>(i);  // distinct spelling => each byte once
        surfaces_[i] = std::string(1, static_cast<char>(b));
        ++n_bytes;
        break;
      }
      default: {
        if (type == PieceType::kUserDefined) {
          user_defined_.emplace(p, static_cast<int32_t>(i));
          max_user_defined_length_ = std::max(max_user_defined_length_, p.size());
        }
        std::string& s = surfaces_[i];
        for (size_t k = 0; k < p.size();) {
          if (p.compare(k, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
            s.push_back(' ');
            k += kSpaceSymbol.size();
          } else {
            s.push_back(p[k++]);
          }
        }
      }
    }
  }
  if (unk_id_ < 0) return bad("no UNKNOWN piece");
  if (byte_fallback_ && n_bytes != 256)
    return bad("byte_fallback needs all 256 BYTE pieces, found " + std::to_string(n_bytes));
  for (const int32_t id : {bos_id_, eos_id_}) {
    if (id != -1 && (id < 0 || static_cast<size_t>(id) >= n || types_[id] != PieceType::kControl)) {
      return bad("bos/eos id " + std::to_string(id) + " is not a CONTROL piece");
    }
  }
  return Status::ok();
}

Result<SentencePieceBpe> SentencePieceBpe::from_binary(std::string_view data) {
  const auto bad = [](const std::string& m) {
    return Status::invalid_plan("tokenizer data (sentencepiece_bpe): " + m);
  };
  if (data.size() < 28 || data.substr(0, 4) != "MSPB") return bad("missing 'MSPB' header");
  const uint32_t version = get_u32(data, 4);
  if (version != kBinaryVersion) {
    return bad("version " + std::to_string(version) + ", want " + std::to_string(kBinaryVersion));
  }
  const uint32_t n = get_u32(data, 8), flags = get_u32(data, 12);
  if (n == 0 || n > kMaxPieces) return bad("n_pieces " + std::to_string(n) + " outside [1, 2^24]");
  if (flags & ~15u) return bad("unknown flags " + std::to_string(flags));
  SentencePieceBpe t;
  t.add_dummy_prefix_ = flags & kFlagDummyPrefix;
  t.remove_extra_whitespaces_ = flags & kFlagRemoveExtra;
  t.escape_whitespaces_ = flags & kFlagEscape;
  t.byte_fallback_ = flags & kFlagByteFallback;
  t.bos_id_ = static_cast<int32_t>(get_u32(data, 16));
  t.eos_id_ = static_cast<int32_t>(get_u32(data, 20));
  const uint32_t unk_len = get_u32(data, 24);
  if (unk_len > kMaxUnkSurface)
    return bad("unk_surface_length " + std::to_string(unk_len) + " > 1024");
  size_t pos = 28;
  if (data.size() - pos < unk_len + 7ull * n) return bad("truncated piece table");
  t.unk_surface_ = std::string(data.substr(pos, unk_len));
  pos += unk_len;
  t.types_.resize(n);
  t.scores_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t ty = static_cast<uint8_t>(data[pos + i]);
    if (ty < 1 || ty > 6)
      return bad("piece " + std::to_string(i) + " has type " + std::to_string(ty));
    t.types_[i] = static_cast<PieceType>(ty);
  }
  pos += n;
  for (uint32_t i = 0; i < n; ++i, pos += 4) {
    const uint32_t bits = get_u32(data, pos);
    std::memcpy(&t.scores_[i], &bits, 4);
  }
  std::vector<uint32_t> lengths(n);
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; ++i, pos += 2) {
    lengths[i] = static_cast<unsigned char>(data[pos]) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(data[pos + 1])) << 8);
    if (lengths[i] == 0) return bad("piece " + std::to_string(i) + " has length 0");
    total += lengths[i];
  }
  if (data.size() - pos != total) {
    return bad("piece bytes take " + std::to_string(data.size() - pos) + " bytes at offset " +
               std::to_string(pos) + ", want " + std::to_string(total));
  }
  t.pieces_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    t.pieces_.emplace_back(data.substr(pos, lengths[i]));
    pos += lengths[i];
  }
  MINT_RETURN_IF_ERROR(t.finish("tokenizer data (sentencepiece_bpe)"));
  return t;
}

std::string SentencePieceBpe::to_binary() const {
  std::string out = "MSPB";
  put_u32(kBinaryVersion, &out);
  put_u32(static_cast<uint32_t>(pieces_.size()), &out);
  put_u32((add_dummy_prefix_ ? kFlagDummyPrefix : 0) |
              (remove_extra_whitespaces_ ? kFlagRemoveExtra : 0) |
              (escape_whitespaces_ ? kFlagEscape : 0) | (byte_fallback_ ? kFlagByteFallback : 0),
          &out);
  put_u32(static_cast<uint32_t>(bos_id_), &out);
  put_u32(static_cast<uint32_t>(eos_id_), &out);
  put_u32(static_cast<uint32_t>(unk_surface_.size()), &out);
  out += unk_surface_;
  for (const PieceType ty : types_) out.push_back(static_cast<char>(ty));
  for (const float s : scores_) {
    uint32_t bits;
    std::memcpy(&bits, &s, 4);
    put_u32(bits, &out);
  }
  for (const std::string& p : pieces_) {
    out.push_back(static_cast<char>(p.size() & 0xFF));
    out.push_back(static_cast<char>((p.size() >> 8) & 0xFF));
  }
  for (const std::string& p : pieces_) out += p;
  return out;
}

// ---- lookups -----------------------------------------------------------------------------

std::string_view SentencePieceBpe::piece(int32_t id) const {
  return id >= 0 && id < vocab_size() ? std::string_view(pieces_[id]) : std::string_view();
}

float SentencePieceBpe::score(int32_t id) const {
  return id >= 0 && id < vocab_size() ? scores_[id] : 0.0f;
}

SentencePieceBpe::PieceType SentencePieceBpe::type(int32_t id) const {
  return id >= 0 && id < vocab_size() ? types_[id] : PieceType::kUnknown;
}

int32_t SentencePieceBpe::piece_id(std::string_view p) const {
  const std::string key(p);
  if (auto it = reserved_.find(key); it != reserved_.end()) return it->second;
  if (auto it = mergeable_.find(key); it != mergeable_.end()) return it->second;
  return -1;
}

std::string SentencePieceBpe::token_bytes(int32_t id) const {
  return id >= 0 && id < vocab_size() ? surfaces_[id] : std::string();
}

// ---- encoding ----------------------------------------------------------------------------

std::string SentencePieceBpe::normalize(std::string_view text) const {
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  if (remove_extra_whitespaces_) {
    while (p < end && *p == ' ') ++p;
  }
  if (p == end) return out;
  out.reserve(static_cast<size_t>(end - p) + 8);
  const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : std::string_view(" ");
  if (add_dummy_prefix_) out += space;
  bool prev_space = remove_extra_whitespaces_;
  while (p < end) {
    const size_t len = utf8_char_length(p, end);
    if (len == 0) {  // one ill-formed byte -> U+FFFD
      out += kReplacement;
      prev_space = false;
      ++p;
      continue;
    }
    if (len == 1 && *p == ' ') {
      if (!prev_space) out += space;
      prev_space = remove_extra_whitespaces_;
    } else {
      out.append(reinterpret_cast<const char*>(p), len);
      prev_space = false;
    }
    p += len;
  }
  if (remove_extra_whitespaces_) {
    while (out.size() >= space.size() &&
           out.compare(out.size() - space.size(), space.size(), space) == 0) {
      out.resize(out.size() - space.size());
    }
  }
  return out;
}

std::vector<int32_t> SentencePieceBpe::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  const std::string norm = normalize(text);
  if (norm.empty()) return ids;
  const auto* base = reinterpret_cast<const unsigned char*>(norm.data());
  const auto* end = base + norm.size();

  // Characters (or user-defined pieces, frozen).
  std::vector<Symbol> symbols;
  symbols.reserve(norm.size());
  std::string key;
  for (size_t pos = 0; pos < norm.size();) {
    Symbol s;
    s.begin = pos;
    size_t len = 0;
    for (size_t l = std::min(max_user_defined_length_, norm.size() - pos); l > 0 && !len; --l) {
      key.assign(norm, pos, l);
      if (user_defined_.count(key)) len = l;
    }
    if (len) {
      s.freeze = true;
    } else {
      len = utf8_char_length(base + pos, end);  // normalized text is well-formed
      if (len == 0) len = 1;
    }
    s.size = len;
    s.prev = static_cast<int64_t>(symbols.size()) - 1;
    pos += len;
    s.next = pos < norm.size() ? static_cast<int64_t>(symbols.size()) + 1 : -1;
    symbols.push_back(s);
  }

  std::unordered_map<std::string, std::pair<std::string, std::string>> rev_merge;
  std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> agenda;
  const auto add_candidate = [&](int64_t left, int64_t right) {
    if (left < 0 || right < 0 || symbols[left].freeze || symbols[right].freeze) return;
    const Symbol& l = symbols[left];
    const Symbol& r = symbols[right];
    key.assign(norm, l.begin, l.size + r.size);
    const auto it = mergeable_.find(key);
    if (it == mergeable_.end()) return;
    agenda.push({scores_[it->second], left, right, l.size + r.size});
    if (types_[it->second] == PieceType::kUnused) {
      rev_merge[key] = {norm.substr(l.begin, l.size), norm.substr(r.begin, r.size)};
    }
  };
  for (size_t i = 1; i < symbols.size(); ++i)
    add_candidate(static_cast<int64_t>(i - 1), static_cast<int64_t>(i));

  while (!agenda.empty()) {
    const Candidate top = agenda.top();
    agenda.pop();
    Symbol& l = symbols[top.left];
    Symbol& r = symbols[top.right];
    if (l.size == 0 || r.size == 0 || l.size + r.size != top.size) continue;  // stale
    l.size += r.size;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = top.left;
    r.size = 0;
    add_candidate(l.prev, top.left);
    add_candidate(top.left, l.next);
  }

  // Ids; UNUSED pieces split back, unknown symbols to bytes (or one <unk> per run).
  bool prev_unk = false;
  const auto emit = [&](const std::string& w) {
    int32_t id = unk_id_;
    if (auto it = reserved_.find(w); it != reserved_.end())
      id = it->second;
    else if (auto it2 = mergeable_.find(w); it2 != mergeable_.end())
      id = it2->second;
    const bool is_unk = types_[id] == PieceType::kUnknown;
    if (types_[id] == PieceType::kControl) {
      ids.push_back(id);
    } else if (is_unk && byte_fallback_) {
      for (const char c : w) ids.push_back(byte_ids_[static_cast<unsigned char>(c)]);
    } else if (!(is_unk && prev_unk)) {
      ids.push_back(id);
    }
    prev_unk = is_unk;
  };
  // resegment (bpe_model.cc), iterative: a stack of pieces, leftmost on top.
  std::vector<std::string> stack;
  for (int64_t i = 0; i >= 0; i = symbols[i].next) {
    stack.assign(1, norm.substr(symbols[i].begin, symbols[i].size));
    while (!stack.empty()) {
      std::string w = std::move(stack.back());
      stack.pop_back();
      const auto it = mergeable_.find(w);
      if (it != mergeable_.end() && types_[it->second] == PieceType::kUnused) {
        const auto rm = rev_merge.find(w);
        if (rm != rev_merge.end()) {
          stack.push_back(rm->second.second);
          stack.push_back(rm->second.first);
          continue;
        }
      }
      emit(w);
    }
  }
  return ids;
}

// ---- decoding ----------------------------------------------------------------------------

Result<std::string> SentencePieceBpe::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  bool at_start = true;
  const bool strip_first = add_dummy_prefix_ || remove_extra_whitespaces_;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab_size()) {
      return Status::invalid_argument("decode: id " + std::to_string(id) + " at position " +
                                      std::to_string(i) + " is outside the vocabulary [0, " +
                                      std::to_string(vocab_size()) + ")");
    }
    const PieceType ty = types_[id];
    if (ty == PieceType::kControl) continue;
    if (at_start && strip_first && is_mergeable(ty) &&
        pieces_[id].compare(0, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
      out.append(surfaces_[id], 1, std::string::npos);
    } else {
      out += surfaces_[id];
    }
    at_start = false;
  }
  return out;
}

}  // namespace mint::tokenizer
