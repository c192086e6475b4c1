// The contract between a decoder-only language model and the generation loop.
//
// A TokenDecoder owns the model's context: the tokens appended so far and their KV cache.
// The generation loop (runtime/generate/generate.h) only sees this interface, so sampling,
// stop rules and streaming are written once, independently of how a plan lays out its
// prefill and decode graphs. The plan-backed implementation lives beside the text ops
// (runtime/generate/plan_decoder.*); tests may implement it with a fixed function.
//
// Contract
//   append(tokens, n): appends n >= 1 token ids at positions position() .. position()+n-1,
//     runs the model over them (prefill in chunks, or one decode step when n == 1) and returns
//     the logits of the LAST appended token: vocab_size() floats, valid until the next call to
//     append or reset. Errors (no change to the context on any of them):
//       invalid_argument: n == 0, a null pointer, or an id outside [0, vocab_size());
//       invalid_state:    position() + n > context_length() (the context is full).
//   reset(): forgets every token; position() becomes 0. Never fails.
//   A TokenDecoder is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/status.h"

namespace mint::generate {

class TokenDecoder {
 public:
  virtual ~TokenDecoder() = default;

  virtual size_t vocab_size() const = 0;
  virtual size_t context_length() const = 0;  // most tokens the context can hold
  virtual size_t position() const = 0;        // tokens in the context now

  virtual Result<const float*> append(const int32_t* tokens, size_t count) = 0;
  virtual void reset() = 0;
};

}  // namespace mint::generate
