// The body of mint_session_generate (include/mint/mint.h), over any TokenDecoder.
//
// runtime/c_api.cc calls session_generate with the session's plan decoder; tests call it with
// a fake decoder, so the C ABI's option handling, callback and statistics are tested without
// a text plan. Checks, in order, before anything runs:
//   options: size (as every mint options struct), the sampling fields (Sampler::check),
//     stop_ids / prompt_ids NULL with a non-zero count, add_bos not in {-1, 0, 1};
//   out_stats: size below sizeof(size_t) or above 64 KiB;
//   the tokenizer: null -> invalid_argument "the plan has no tokenizer";
//   then get_decoder() (make_plan_decoder's error for plans that are not text plans).
// Then generate() (generate.h) with `state`; *out_stats is written only on success.
#pragma once

#include <functional>

#include "mint/mint.h"
#include "runtime/generate/generate.h"

namespace mint::generate {

// mint_generate_options (NULL: defaults) -> GenerateOptions and its prompt_ids; plan_add_bos
// resolves add_bos -1.
Status read_generate_options(const mint_generate_options* in, bool plan_add_bos,
                             GenerateOptions* out, std::vector<int32_t>* prompt_ids);

Status session_generate(const tokenizer::Tokenizer* tokenizer, bool plan_add_bos,
                        const std::function<Result<TokenDecoder*>()>& get_decoder,
                        GenerateState* state, const char* prompt,
                        const mint_generate_options* options, mint_token_callback callback,
                        void* user_data, mint_generate_stats* out_stats);

}  // namespace mint::generate
