// `mint decode-bench PLAN`: times a text plan through the PlanDecoder
// (runtime/generate/plan_decoder.h): one prefill of `prompt` tokens, then `tokens` decode
// steps feeding back the greedy (argmax) token; prints prefill tokens/s and decode tokens/s
// (median of 3 runs, each from an empty context). Not `mint generate`: no tokenizer, no
// sampling.
#pragma once

#include <cstddef>
#include <string>

namespace mint::tool {

int cmd_decode_bench(const std::string& plan, size_t threads, size_t tokens, size_t prompt);

}  // namespace mint::tool
