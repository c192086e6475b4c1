// Building a plan's tokenizer (schema/plan.fbs, TokenizerInfo) at load.
//
// tokenizer_from_plan(kind, data, bos_id, eos_id): the Tokenizer for `kind` built from its
// binary form `data` (copied; `data` need not outlive the result), with the plan's special ids.
//   gpt2_bpe:          Gpt2Bpe::from_binary (gpt2_bpe.h);
//   sentencepiece_bpe: SentencePieceBpe::from_binary (sentencepiece_bpe.h); bos_id and eos_id
//                      must equal the model's own (from the binary), else invalid_plan;
//   none / unknown:    invalid_plan.
// Every malformed byte, and a bos/eos id that is neither -1 nor in [0, vocab size), is an
// invalid_plan Status whose message starts with "tokenizer (<kind>)".
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/status.h"
#include "runtime/tokenizer/tokenizer.h"
#include "schema/plan_generated.h"

namespace mint::tokenizer {

const char* tokenizer_kind_name(plan::TokenizerKind kind);

Result<std::unique_ptr<Tokenizer>> tokenizer_from_plan(plan::TokenizerKind kind,
                                                       std::string_view data, int32_t bos_id,
                                                       int32_t eos_id);

}  // namespace mint::tokenizer
