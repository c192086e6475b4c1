// SentencePiece BPE tokenizer (the Llama family's), matching sentencepiece's own encoder
// (python3-sentencepiece 0.1.97; src/bpe_model.cc, normalizer.cc, sentencepiece_processor.cc)
// id for id. No libprotobuf, no files: it is built from a tokenizer.model's bytes in memory, or
// from the compact binary form below, which a plan carries.
//
// Construction
//   from_model_proto(bytes): a serialized sentencepiece ModelProto (tokenizer.model), read with
//     the bounds-checked protobuf reader (runtime/util/protobuf_reader.h). Supported: model_type
//     BPE; a normalizer without a character map (normalization_rule_name "identity", as Llama),
//     any add_dummy_prefix / remove_extra_whitespaces / escape_whitespaces; byte_fallback on or
//     off. Rejected (invalid_plan, naming the field and byte offset): other model types, a
//     non-empty precompiled_charsmap (nmt_nfkc and the like), treat_whitespace_as_suffix, and
//     any malformed vocabulary (see the checks below).
//   from_binary(data) / to_binary(): the compact form of the same data, what a plan embeds.
//
// Vocabulary checks (both constructors): 1 <= pieces <= 2^24; every piece non-empty, at most
//   65535 bytes, valid UTF-8 and distinct from every other; every type one of NORMAL (1),
//   UNKNOWN (2), CONTROL (3), USER_DEFINED (4), UNUSED (5), BYTE (6); exactly one UNKNOWN piece;
//   every BYTE piece spelled "<0xHH>" (upper-case hex) and each byte at most once; with
//   byte_fallback all 256 BYTE pieces present, without it none; bos/eos -1 or a CONTROL piece.
//   Scores must be finite.
//
// Binary form (all integers little-endian, no alignment or padding; version 1):
//     offset 0   char[4]  magic "MSPB"
//            4   u32      version = 1
//            8   u32      n_pieces  (1 <= n_pieces <= 2^24)
//           12   u32      flags: bit 0 add_dummy_prefix, bit 1 remove_extra_whitespaces,
//                         bit 2 escape_whitespaces, bit 3 byte_fallback; other bits 0
//           16   i32      bos_id  (-1 or a CONTROL piece)
//           20   i32      eos_id  (-1 or a CONTROL piece)
//           24   u32      unk_surface_length (<= 1024)
//           28   u8       unk_surface[unk_surface_length]  (what decode gives for <unk>)
//            .   u8       type[n_pieces]           (1..6 as above)
//            .   f32      score[n_pieces]          (IEEE-754 bits)
//            .   u16      piece_length[n_pieces]   (1..65535)
//            .   u8       piece_bytes[sum of lengths]  (pieces as in the model, U+2581 included)
//   The data must end exactly there. For models/text/tokenizer (8000 pieces) it is 119 KB,
//   against 136 KB for tokenizer.model.
//
// Encoding (encode), as SentencePieceProcessor::Encode with default options (no BOS/EOS):
//   1. Normalization (identity rules): the input is read as UTF-8; every byte that does not start
//      a well-formed character (strict UTF-8: no overlong forms, surrogates or code points above
//      U+10FFFF; truncated sequences included) becomes one U+FFFD, byte by byte, as
//      sentencepiece does. Empty input gives no ids. With remove_extra_whitespaces, leading and
//      trailing spaces are dropped and runs of spaces become one (an input of spaces only gives
//      no ids); then with add_dummy_prefix a space is put in front; with escape_whitespaces
//      every ' ' (U+0020 only; tabs and newlines are ordinary characters) becomes U+2581.
//   2. The text is cut into characters, except that USER_DEFINED pieces are matched first
//      (longest match) and never merged further.
//   3. BPE by scores (bpe_model.cc): every adjacent pair whose concatenation is a NORMAL,
//      USER_DEFINED or UNUSED piece is a candidate; repeatedly the candidate of highest score
//      (ties: the leftmost) is merged, and the new neighbours become candidates. The whole
//      normalized text is one sequence: there is no pre-splitting at spaces.
//   4. UNUSED pieces in the result are split back into the two symbols they were merged from.
//   5. Each symbol's id (a CONTROL, UNKNOWN or BYTE piece of that spelling, else the piece, else
//      <unk>). With byte_fallback, an <unk> symbol becomes the BYTE pieces of its UTF-8 bytes;
//      without it, consecutive <unk> symbols become one <unk>.
//   encode never fails: any bytes give ids.
//
// Decoding (decode) concatenates token_bytes(id) of each id: a NORMAL / USER_DEFINED / UNUSED
//   piece with every U+2581 turned into ' ', a BYTE piece's byte, <unk>'s unk_surface
//   (" \u2047 " by default), nothing for a CONTROL piece (<s>, </s>). As sentencepiece does,
//   when add_dummy_prefix or remove_extra_whitespaces is set, the first id that is not CONTROL
//   loses a leading U+2581 (so decode(encode(s)) == s for valid UTF-8 s without the spaces
//   remove_extra_whitespaces drops; token_bytes alone keeps that space). An id outside
//   [0, vocab_size) is an invalid_argument Status naming the id and its position. The bytes are
//   returned as they are, even when BYTE pieces leave them ill-formed (sentencepiece's decode
//   would replace each ill-formed byte of a run of BYTE pieces with U+FFFD, a run ending at any
//   other id). token_bytes of an id out of range is empty.
//
// A SentencePieceBpe is immutable after construction; every method is const and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/status.h"
#include "runtime/tokenizer/tokenizer.h"

namespace mint::tokenizer {

class SentencePieceBpe final : public Tokenizer {
 public:
  // Piece types, with sentencepiece_model.proto's numbers.
  enum class PieceType : uint8_t {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6,
  };

  static Result<SentencePieceBpe> from_model_proto(std::string_view model_proto);
  static Result<SentencePieceBpe> from_binary(std::string_view data);
  std::string to_binary() const;

  std::vector<int32_t> encode(std::string_view text) const override;
  Result<std::string> decode(const std::vector<int32_t>& ids) const override;
  std::string token_bytes(int32_t id) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(pieces_.size()); }
  int32_t bos_id() const override { return bos_id_; }
  int32_t eos_id() const override { return eos_id_; }
  int32_t unk_id() const { return unk_id_; }

  // The piece as stored (U+2581 for spaces, "<0x41>" for byte pieces); empty out of range.
  std::string_view piece(int32_t id) const;
  float score(int32_t id) const;     // 0 out of range
  PieceType type(int32_t id) const;  // kUnknown out of range
  // Id of the piece spelled `piece` (any type), or -1.
  int32_t piece_id(std::string_view piece) const;

  // Step 1 alone: the normalized text (U+2581 for spaces, dummy prefix added).
  std::string normalize(std::string_view text) const;

  bool add_dummy_prefix() const { return add_dummy_prefix_; }
  bool remove_extra_whitespaces() const { return remove_extra_whitespaces_; }
  bool escape_whitespaces() const { return escape_whitespaces_; }
  bool byte_fallback() const { return byte_fallback_; }

 private:
  template <typename>
  friend class ::mint::Result;
  SentencePieceBpe() = default;

  // Checks the vocabulary (pieces_, types_, scores_, flags, special ids) and builds the lookup
  // tables; `what` names the source in errors.
  Status finish(const char* what);

  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::vector<PieceType> types_;
  std::string unk_surface_ = " \xE2\x81\x87 ";
  bool add_dummy_prefix_ = true;
  bool remove_extra_whitespaces_ = true;
  bool escape_whitespaces_ = true;
  bool byte_fallback_ = false;
  int32_t unk_id_ = -1, bos_id_ = -1, eos_id_ = -1;

  // Built by finish().
  std::unordered_map<std::string, int32_t> mergeable_;  // NORMAL, USER_DEFINED, UNUSED
  std::unordered_map<std::string, int32_t> reserved_;   // CONTROL, UNKNOWN, BYTE
  std::unordered_map<std::string, int32_t> user_defined_;
  size_t max_user_defined_length_ = 0;
  std::array<int32_t, 256> byte_ids_{};
  std::vector<std::string> surfaces_;  // token_bytes of each id
};

}  // namespace mint::tokenizer
