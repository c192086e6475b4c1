// The text-generation loop, written once over TokenDecoder (decoder.h) and Tokenizer.
//
// generate(decoder, tokenizer, prompt, prompt_ids, options, callback, state) does:
//   1. The tokens to append: state->pending (a token sampled by the previous call but not yet
//      run through the model), then bos_id() if options.add_bos, then tokenizer.encode(prompt),
//      then prompt_ids. None at all is invalid_argument (an empty prompt has nothing to predict
//      from). Every id must be in [0, decoder.vocab_size()) (invalid_argument naming it), and
//      they must fit: decoder.position() + count <= decoder.context_length(), else
//      invalid_argument saying how many tokens were asked for and how many positions are left.
//      Nothing is appended when any of this fails.
//   2. Prefill: one decoder.append of all of them.
//   3. Up to options.max_new_tokens times: sample the next token (sampler.h; the repetition
//      penalty sees state->context plus the tokens of this call), then
//        - a stop token (eos_id() when options.stop_at_eos and the tokenizer has one, or any of
//          options.stop_ids) ends the loop, reason kEos / kStopToken; it is not streamed;
//        - else its bytes (tokenizer.token_bytes; empty for ids the tokenizer lacks) go through
//          a UTF-8 holdback (Utf8Stream) and callback(id, text) is called with the bytes that
//          are now complete: text can be empty (a character still incomplete) or hold the end
//          of an earlier token's character. callback returning false ends the loop (kCallback);
//        - max_new_tokens reached ends it (kMaxTokens) without running the last token;
//        - a full context (position() == context_length()) ends it (kContextFull): the token
//          was streamed but cannot be run, so no further token can be predicted;
//        - else the token is appended (one decode step) and the loop goes on.
//      max_new_tokens == 0 only prefills (reason kMaxTokens).
//   4. Bytes still held back (an incomplete UTF-8 sequence at the very end) are flushed with
//      one last callback(-1, bytes), whose return value is ignored.
// The last sampled token is never run through the model (nobody needs its logits): it is left
// in state->pending so that a following call appends it first, and the conversation continues
// exactly; state->context lists the tokens appended through generate (for the penalty).
// Callers that start over call decoder.reset() and clear the state.
//
// Errors (a Status; the decoder may then hold the tokens appended before the failure, which
// state->context lists): the options (Sampler::check), the prompt checks above, and any
// decoder or sampler failure, with context ("prefill: ...", "decode step 3: ...").
//
// Statistics (GenerateStats): prompt_tokens (appended in step 2), generated_tokens (sampled,
// stop token included), time_to_first_token_s (from the call to the first sampled token:
// encoding, prefill and one sampling), prefill_s (the prefill append), decode_s and
// decode_steps (the single-token appends and the samplings after them; callback time is not
// counted), the tokens/s derived from them, and the stop reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/generate/decoder.h"
#include "runtime/generate/sampler.h"
#include "runtime/status.h"
#include "runtime/tokenizer/tokenizer.h"

namespace mint::generate {

enum class StopReason : uint8_t {
  kMaxTokens = 0,    // max_new_tokens sampled
  kEos = 1,          // the tokenizer's eos id was sampled
  kStopToken = 2,    // one of options.stop_ids was sampled
  kContextFull = 3,  // no room left in the context for the sampled token
  kCallback = 4,     // the callback asked to stop
};
const char* stop_reason_name(StopReason reason);

struct GenerateOptions {
  SamplerOptions sampling;
  size_t max_new_tokens = 128;
  bool add_bos = false;
  bool stop_at_eos = true;
  std::vector<int32_t> stop_ids;
};

struct GenerateStats {
  size_t prompt_tokens = 0;
  size_t generated_tokens = 0;
  double time_to_first_token_s = 0;
  double prefill_s = 0;
  double decode_s = 0;
  size_t decode_steps = 0;
  StopReason stop_reason = StopReason::kMaxTokens;
  int32_t stop_token = -1;  // the stop token sampled, for kEos / kStopToken

  double prefill_tokens_per_s() const { return prefill_s > 0 ? prompt_tokens / prefill_s : 0; }
  double decode_tokens_per_s() const { return decode_s > 0 ? decode_steps / decode_s : 0; }
};

// What a conversation carries from one generate call to the next (see the header comment).
struct GenerateState {
  std::vector<int32_t> context;  // tokens appended to the decoder through generate
  std::vector<int32_t> pending;  // sampled, not yet appended (0 or 1 token)
  void clear() {
    context.clear();
    pending.clear();
  }
};

// id: the token (-1 for the final flush); text: the bytes now complete. false: stop.
using TokenCallback = std::function<bool(int32_t id, std::string_view text)>;

Result<GenerateStats> generate(TokenDecoder& decoder, const tokenizer::Tokenizer& tokenizer,
                               std::string_view prompt, const std::vector<int32_t>& prompt_ids,
                               const GenerateOptions& options, const TokenCallback& callback,
                               GenerateState* state);

// UTF-8 holdback for streaming: push(bytes) returns the bytes that are complete so far, keeping
// back a trailing lead byte and its continuation bytes while fewer than the sequence needs (at
// most 3 bytes). Ill-formed bytes are passed on as they are, never held for longer than the
// sequence their lead byte announces. flush() returns what is held back.
class Utf8Stream {
 public:
  std::string push(std::string_view bytes);
  std::string flush();

 private:
  std::string held_;
};

}  // namespace mint::generate
