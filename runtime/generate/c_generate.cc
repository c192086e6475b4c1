#include "runtime/generate/c_generate.h"

#include <algorithm>
#include <cstring>
#include <string>

extern "C" void mint_generate_options_init(mint_generate_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->size = sizeof(*options);
  options->max_new_tokens = 128;
  options->temperature = 1.0f;
  options->top_p = 1.0f;
  options->repetition_penalty = 1.0f;
  options->add_bos = -1;
  options->stop_at_eos = 1;
}

namespace mint::generate {

Status read_generate_options(const mint_generate_options* in, bool plan_add_bos,
                             GenerateOptions* out, std::vector<int32_t>* prompt_ids) {
  mint_generate_options o;
  mint_generate_options_init(&o);
  if (in != nullptr) {
    if (in->size < sizeof(size_t) || in->size > (1u << 16)) {
      return Status::invalid_argument("mint_generate_options->size is " + std::to_string(in->size) +
                                      "; call mint_generate_options_init first");
    }
    std::memcpy(&o, in, std::min(sizeof(o), in->size));
  }
  if (o.stop_ids == nullptr && o.stop_id_count != 0) {
    return Status::invalid_argument("options: stop_ids is null but stop_id_count is " +
                                    std::to_string(o.stop_id_count));
  }
  if (o.prompt_ids == nullptr && o.prompt_id_count != 0) {
    return Status::invalid_argument("options: prompt_ids is null but prompt_id_count is " +
                                    std::to_string(o.prompt_id_count));
  }
  constexpr size_t kMaxIds = size_t{1} << 24;
  if (o.stop_id_count > kMaxIds || o.prompt_id_count > kMaxIds) {
    return Status::invalid_argument("options: stop_id_count " + std::to_string(o.stop_id_count) +
                                    " / prompt_id_count " + std::to_string(o.prompt_id_count) +
                                    " beyond the 2^24 sanity limit");
  }
  if (o.add_bos < -1 || o.add_bos > 1) {
    return Status::invalid_argument("options: add_bos is " + std::to_string(o.add_bos) +
                                    ", want -1 (as the plan says), 0 or 1");
  }
  GenerateOptions g;
  g.sampling.temperature = o.temperature;
  g.sampling.top_k = o.top_k;
  g.sampling.top_p = o.top_p;
  g.sampling.repetition_penalty = o.repetition_penalty;
  g.sampling.repetition_window = o.repetition_window;
  g.sampling.seed = o.seed;
  MINT_RETURN_IF_ERROR(Sampler::check(g.sampling).with_context("options"));
  g.max_new_tokens = o.max_new_tokens;
  g.add_bos = o.add_bos == -1 ? plan_add_bos : o.add_bos == 1;
  g.stop_at_eos = o.stop_at_eos != 0;
  if (o.stop_id_count != 0) g.stop_ids.assign(o.stop_ids, o.stop_ids + o.stop_id_count);
  *out = std::move(g);
  prompt_ids->clear();
  if (o.prompt_id_count != 0) prompt_ids->assign(o.prompt_ids, o.prompt_ids + o.prompt_id_count);
  return Status::ok();
}

namespace {

mint_stop_reason to_c(StopReason r) {
  switch (r) {
    case StopReason::kMaxTokens:
      return mint_stop_max_tokens;
    case StopReason::kEos:
      return mint_stop_eos;
    case StopReason::kStopToken:
      return mint_stop_token;
    case StopReason::kContextFull:
      return mint_stop_context_full;
    case StopReason::kCallback:
      return mint_stop_callback;
  }
  return mint_stop_max_tokens;
}

}  // namespace

Status session_generate(const tokenizer::Tokenizer* tokenizer, bool plan_add_bos,
                        const std::function<Result<TokenDecoder*>()>& get_decoder,
                        GenerateState* state, const char* prompt,
                        const mint_generate_options* options, mint_token_callback callback,
                        void* user_data, mint_generate_stats* out_stats) {
  GenerateOptions g;
  std::vector<int32_t> ids;
  MINT_RETURN_IF_ERROR(read_generate_options(options, plan_add_bos, &g, &ids));
  if (out_stats != nullptr && (out_stats->size < sizeof(size_t) || out_stats->size > (1u << 16))) {
    return Status::invalid_argument(
        "out_stats->size is " + std::to_string(out_stats->size) +
        ", want sizeof(mint_generate_stats) = " + std::to_string(sizeof(mint_generate_stats)));
  }
  if (tokenizer == nullptr) return Status::invalid_argument("the plan has no tokenizer");
  MINT_ASSIGN_OR_RETURN(TokenDecoder * decoder, get_decoder());
  TokenCallback cb;
  if (callback != nullptr) {
    cb = [&](int32_t id, std::string_view text) {
      return callback(user_data, id, text.data(), text.size()) == 0;
    };
  }
  MINT_ASSIGN_OR_RETURN(GenerateStats s,
                        generate(*decoder, *tokenizer, prompt ? prompt : "", ids, g, cb, state));
  if (out_stats != nullptr) {
    mint_generate_stats c{};
    c.size = out_stats->size;
    c.prompt_tokens = s.prompt_tokens;
    c.generated_tokens = s.generated_tokens;
    c.time_to_first_token_ms = s.time_to_first_token_s * 1e3;
    c.prefill_ms = s.prefill_s * 1e3;
    c.decode_ms = s.decode_s * 1e3;
    c.prefill_tokens_per_s = s.prefill_tokens_per_s();
    c.decode_tokens_per_s = s.decode_tokens_per_s();
    c.stop_reason = to_c(s.stop_reason);
    c.stop_token = s.stop_token;
    std::memcpy(out_stats, &c, std::min(sizeof(c), out_stats->size));
  }
  return Status::ok();
}

}  // namespace mint::generate
