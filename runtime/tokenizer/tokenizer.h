// The tokenizer interface the runtime generates through.
//
// Implementations: GPT-2 byte-level BPE (gpt2_bpe.h) and SentencePiece-style BPE for the
// Llama family (sentencepiece_bpe.h). A plan carries its tokenizer's data; the runtime builds
// the Tokenizer from it at load (tokenizer/from_plan.*), validating every byte.
//
// Contract
//   encode(text): token ids of any bytes (invalid UTF-8 is replaced as each implementation
//     documents; it never fails). No BOS is added: callers add bos_id() where the model wants it.
//   decode(ids): the bytes of the ids, concatenated; invalid_argument names the first id out
//     of range and its position. The result may end in a partial UTF-8 sequence.
//   token_bytes(id): the bytes token `id` contributes to decode (empty for out-of-range ids).
//   bos_id() / eos_id(): -1 when the tokenizer has none.
//   Immutable after construction; every method is const and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/status.h"

namespace mint::tokenizer {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;
  virtual Result<std::string> decode(const std::vector<int32_t>& ids) const = 0;
  virtual std::string token_bytes(int32_t id) const = 0;
  virtual int32_t vocab_size() const = 0;
  virtual int32_t bos_id() const = 0;
  virtual int32_t eos_id() const = 0;
};

}  // namespace mint::tokenizer
