#include "runtime/generate/generate.h"

#include <algorithm>
#include <chrono>

namespace mint::generate {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Bytes of the UTF-8 sequence a lead byte announces; 0 for a continuation or invalid byte.
size_t sequence_length(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xC0 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF7) return 4;
  return 0;
}

}  // namespace

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kMaxTokens:
      return "max_tokens";
    case StopReason::kEos:
      return "eos";
    case StopReason::kStopToken:
      return "stop_token";
    case StopReason::kContextFull:
      return "context_full";
    case StopReason::kCallback:
      return "callback";
  }
  return "unknown";
}

std::string Utf8Stream::push(std::string_view bytes) {
  held_.append(bytes.data(), bytes.size());
  // The last lead byte among the final 4 bytes: if its sequence is still short, hold it back.
  size_t keep = held_.size();
  for (size_t back = 1; back <= std::min<size_t>(4, held_.size()); ++back) {
    const unsigned char b = static_cast<unsigned char>(held_[held_.size() - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte: look further back
    const size_t need = sequence_length(b);
    if (need > back) keep = held_.size() - back;
    break;
  }
  std::string out = held_.substr(0, keep);
  held_.erase(0, keep);
  return out;
}

std::string Utf8Stream::flush() {
  std::string out;
  out.swap(held_);
  return out;
}

Result<GenerateStats> generate(TokenDecoder& decoder, const tokenizer::Tokenizer& tokenizer,
                               std::string_view prompt, const std::vector<int32_t>& prompt_ids,
                               const GenerateOptions& options, const TokenCallback& callback,
                               GenerateState* state) {
  const Clock::time_point start = Clock::now();
  MINT_ASSIGN_OR_RETURN(Sampler sampler, Sampler::create(options.sampling));
  GenerateState local;
  GenerateState& st = state != nullptr ? *state : local;

  // ---- the tokens to append ----
  std::vector<int32_t> input = st.pending;
  if (options.add_bos) {
    if (tokenizer.bos_id() < 0)
      return Status::invalid_argument("add_bos: the tokenizer has no bos id");
    input.push_back(tokenizer.bos_id());
  }
  const std::vector<int32_t> encoded = tokenizer.encode(prompt);
  input.insert(input.end(), encoded.begin(), encoded.end());
  input.insert(input.end(), prompt_ids.begin(), prompt_ids.end());
  if (input.empty()) {
    return Status::invalid_argument(
        "the prompt is empty: give text or token ids, or add the bos token");
  }
  const size_t vocab = decoder.vocab_size();
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] < 0 || static_cast<size_t>(input[i]) >= vocab) {
      return Status::invalid_argument(
          "prompt token " + std::to_string(i) + " is id " + std::to_string(input[i]) +
          ", outside the model's vocabulary [0, " + std::to_string(vocab) + ")");
    }
  }
  const size_t ctx = decoder.context_length();
  if (decoder.position() > ctx || input.size() > ctx - decoder.position()) {
    return Status::invalid_argument("the prompt has " + std::to_string(input.size()) +
                                    " tokens but the context has " +
                                    std::to_string(ctx - std::min(ctx, decoder.position())) +
                                    " of " + std::to_string(ctx) + " positions left");
  }

  // ---- prefill ----
  GenerateStats stats;
  const Clock::time_point prefill_start = Clock::now();
  Result<const float*> logits = decoder.append(input.data(), input.size());
  if (!logits.is_ok()) return logits.status().with_context("prefill");
  stats.prefill_s = seconds(prefill_start, Clock::now());
  stats.prompt_tokens = input.size();
  st.pending.clear();
  st.context.insert(st.context.end(), input.begin(), input.end());

  // ---- decode ----
  const int32_t eos = options.stop_at_eos ? tokenizer.eos_id() : -1;
  Utf8Stream utf8;
  std::vector<int32_t> history = st.context;  // the context plus this call's sampled tokens
  Clock::time_point step_start = Clock::now();
  while (stats.generated_tokens < options.max_new_tokens) {
    Result<int32_t> next = sampler.sample(logits.value(), vocab, history.data(), history.size());
    if (!next.is_ok()) {
      return next.status().with_context("sampling token " + std::to_string(stats.generated_tokens));
    }
    const int32_t id = next.value();
    const Clock::time_point sampled = Clock::now();
    if (stats.generated_tokens == 0) {
      stats.time_to_first_token_s = seconds(start, sampled);
    } else {
      stats.decode_s += seconds(step_start, sampled);
      ++stats.decode_steps;
    }
    ++stats.generated_tokens;
    history.push_back(id);
    st.pending.assign(1, id);
    if (id == eos && eos >= 0) {
      stats.stop_reason = StopReason::kEos;
      stats.stop_token = id;
      break;
    }
    if (std::find(options.stop_ids.begin(), options.stop_ids.end(), id) != options.stop_ids.end()) {
      stats.stop_reason = StopReason::kStopToken;
      stats.stop_token = id;
      break;
    }
    const std::string text = utf8.push(tokenizer.token_bytes(id));
    if (callback && !callback(id, text)) {
      stats.stop_reason = StopReason::kCallback;
      break;
    }
    if (stats.generated_tokens == options.max_new_tokens) break;
    if (decoder.position() >= ctx) {
      stats.stop_reason = StopReason::kContextFull;
      break;
    }
    step_start = Clock::now();
    logits = decoder.append(&id, 1);
    if (!logits.is_ok()) {
      return logits.status().with_context("decode step " + std::to_string(stats.generated_tokens));
    }
    st.pending.clear();
    st.context.push_back(id);
  }
  const std::string rest = utf8.flush();
  if (!rest.empty() && callback) callback(-1, rest);
  return stats;
}

}  // namespace mint::generate
