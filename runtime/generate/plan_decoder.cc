// PlanDecoder: runtime/generate/plan_decoder.h over a text plan (compiler/hf/hf_import.h,
// docs/plan-format.md "Text plans"). append() runs the tokens through the plan's segments: the
// "decode" segment (1 row) and the prefill segments ("prefill", and "prefill_<T>" for each other
// T of the text.prefill_chunks metadata). A run reads every weight once whatever its rows, so
// the split minimizes (rows run, padding included) + kRunCostRows per run (split_into_runs); padding
// rows get token 0 and the last valid position, so every id and position stays in range.
#include "runtime/generate/plan_decoder.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace mint::generate {
namespace {

struct SegmentIo {
  size_t segment = 0;
  size_t rows = 0;
  size_t tokens = 0, positions = 0, count = 0, logits = 0;  // indices into the model's io lists
};

Result<size_t> index_in(const std::vector<int32_t>& list, int32_t id) {
  auto it = std::find(list.begin(), list.end(), id);
  if (it == list.end()) return Status::invalid_argument("segment tensor is not a graph input/output");
  return static_cast<size_t>(it - list.begin());
}

bool is_i32_vector(const TensorDesc& t, int64_t n) {
  return t.dtype == DType::i32 && t.shape.rank == 1 && (n < 0 || t.shape[0] == n);
}

// The segment's io if it has the text-plan form, with `vocab` taken from its logits.
Result<SegmentIo> text_segment(const Model& model, const char* name, int64_t* vocab) {
  const int s = model.segment_index(name);
  if (s < 0) return Status::invalid_argument(std::string("the plan has no '") + name + "' segment");
  const SegmentDesc& seg = model.segments()[s];
  if (seg.inputs.size() != 3 || seg.outputs.size() != 1) {
    return Status::invalid_argument(std::string("segment '") + name + "' wants 3 inputs and 1 output");
  }
  const auto& t = model.tensors();
  const TensorDesc& tokens = t[seg.inputs[0]];
  const TensorDesc& logits = t[seg.outputs[0]];
  if (!is_i32_vector(tokens, -1) || tokens.shape[0] < 1 || !is_i32_vector(t[seg.inputs[1]], tokens.shape[0]) ||
      !is_i32_vector(t[seg.inputs[2]], 1) || logits.dtype != DType::f32 || logits.shape.rank != 2 ||
      logits.shape[0] != 1 || logits.shape[1] < 1) {
    return Status::invalid_argument(std::string("segment '") + name +
                                    "' does not take (tokens [T], positions [T], count [1]) i32 to logits f32 [1, vocab]");
  }
  if (*vocab >= 0 && *vocab != logits.shape[1]) {
    return Status::invalid_argument("the segments disagree on the vocabulary size");
  }
  *vocab = logits.shape[1];
  SegmentIo io;
  io.segment = static_cast<size_t>(s);
  io.rows = static_cast<size_t>(tokens.shape[0]);
  MINT_ASSIGN_OR_RETURN(io.tokens, index_in(model.inputs(), seg.inputs[0]));
  MINT_ASSIGN_OR_RETURN(io.positions, index_in(model.inputs(), seg.inputs[1]));
  MINT_ASSIGN_OR_RETURN(io.count, index_in(model.inputs(), seg.inputs[2]));
  MINT_ASSIGN_OR_RETURN(io.logits, index_in(model.outputs(), seg.outputs[0]));
  return io;
}

struct TextPlan {
  std::vector<SegmentIo> prefills;  // ascending rows; the last is "prefill"
  SegmentIo decode;
  size_t vocab = 0, context = 0;
};

// The T of text.prefill_chunks ("8,32,128"), or an error naming the metadata.
Result<std::vector<size_t>> prefill_chunks(const char* text) {
  const std::string s = text;
  std::vector<size_t> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const unsigned long long v = std::strtoull(item.c_str(), &end, 10);
    if (item.empty() || item[0] == '-' || *end != '\0' || v < 2 || v > 4096 || (!out.empty() && v <= out.back())) {
      return Status::invalid_argument("the plan's text.prefill_chunks metadata '" + s +
                                      "' is not an ascending list of row counts in [2, 4096]");
    }
    out.push_back(static_cast<size_t>(v));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Result<TextPlan> describe(const Model& model) {
  const char* text = model.metadata("mint.text");
  if (text == nullptr || std::string(text) != "1") return Status::invalid_argument("the plan is not a text plan (no mint.text metadata)");
  TextPlan p;
  int64_t vocab = -1;
  MINT_ASSIGN_OR_RETURN(SegmentIo largest, text_segment(model, "prefill", &vocab));
  MINT_ASSIGN_OR_RETURN(p.decode, text_segment(model, "decode", &vocab));
  if (p.decode.rows != 1) return Status::invalid_argument("segment 'decode' must have 1 row");
  if (const char* chunks = model.metadata("text.prefill_chunks")) {
    MINT_ASSIGN_OR_RETURN(std::vector<size_t> rows, prefill_chunks(chunks));
    if (rows.back() != largest.rows) {
      return Status::invalid_argument("the plan's text.prefill_chunks '" + std::string(chunks) +
                                      "' does not end with the " + std::to_string(largest.rows) +
                                      " rows of segment 'prefill'");
    }
    for (size_t i = 0; i + 1 < rows.size(); ++i) {
      const std::string name = "prefill_" + std::to_string(rows[i]);
      MINT_ASSIGN_OR_RETURN(SegmentIo io, text_segment(model, name.c_str(), &vocab));
      if (io.rows != rows[i]) {
        return Status::invalid_argument("segment '" + name + "' has " + std::to_string(io.rows) + " rows");
      }
      p.prefills.push_back(io);
    }
  }
  p.prefills.push_back(largest);
  p.vocab = static_cast<size_t>(vocab);
  const char* context = model.metadata("text.context_length");
  char* end = nullptr;
  const unsigned long long c = context ? std::strtoull(context, &end, 10) : 0;
  if (context == nullptr || end == context || *end != '\0' || c == 0 || c > (1u << 24)) {
    return Status::invalid_argument("the plan's text.context_length metadata is missing or invalid");
  }
  p.context = static_cast<size_t>(c);
  return p;
}

class PlanDecoder final : public TokenDecoder {
 public:
  PlanDecoder(Session& session, TextPlan plan) : session_(session), plan_(plan) {
    const size_t largest = plan_.prefills.back().rows;
    tokens_.resize(largest);
    positions_.resize(largest);
    for (const SegmentIo& io : plan_.prefills) chunks_.push_back(io.rows);
  }

  size_t vocab_size() const override { return plan_.vocab; }
  size_t context_length() const override { return plan_.context; }
  size_t position() const override { return position_; }
  void reset() override { position_ = 0; }

  Result<const float*> append(const int32_t* tokens, size_t count) override {
    if (tokens == nullptr || count == 0) return Status::invalid_argument("append needs at least one token");
    for (size_t i = 0; i < count; ++i) {
      if (tokens[i] < 0 || static_cast<size_t>(tokens[i]) >= plan_.vocab) {
        return Status::invalid_argument("token " + std::to_string(tokens[i]) + " at index " +
                                        std::to_string(i) + " is outside [0, " + std::to_string(plan_.vocab) + ")");
      }
    }
    if (count > plan_.context - position_) {
      return Status::invalid_state("the context holds " + std::to_string(plan_.context) + " tokens; " +
                                   std::to_string(position_) + " + " + std::to_string(count) + " do not fit");
    }
    size_t pos = position_;
    const float* logits = nullptr;
    size_t done = 0;
    for (size_t rows : split_into_runs(chunks_, count)) {
      const SegmentIo* io = &plan_.decode;
      for (const SegmentIo& p : plan_.prefills) {
        if (p.rows == rows) io = &p;
      }
      const size_t n = std::min(count - done, rows);
      MINT_ASSIGN_OR_RETURN(logits, run(*io, tokens + done, n, pos));
      done += n;
      pos += n;
    }
    position_ = pos;  // only once every chunk succeeded
    return logits;
  }

 private:
  Result<const float*> run(const SegmentIo& io, const int32_t* tokens, size_t n, size_t pos) {
    for (size_t t = 0; t < io.rows; ++t) {
      tokens_[t] = t < n ? tokens[t] : 0;
      positions_[t] = static_cast<int32_t>(t < n ? pos + t : pos + n - 1);
    }
    const int32_t valid = static_cast<int32_t>(n);
    const size_t bytes = io.rows * sizeof(int32_t);
    MINT_RETURN_IF_ERROR(session_.set_input(io.tokens, tokens_.data(), bytes));
    MINT_RETURN_IF_ERROR(session_.set_input(io.positions, positions_.data(), bytes));
    MINT_RETURN_IF_ERROR(session_.set_input(io.count, &valid, sizeof(valid)));
    MINT_RETURN_IF_ERROR(session_.run_segment(io.segment));
    size_t size = 0;
    MINT_ASSIGN_OR_RETURN(const uint8_t* out, session_.output(io.logits, &size));
    return reinterpret_cast<const float*>(out);
  }

  Session& session_;
  TextPlan plan_;
  size_t position_ = 0;
  std::vector<int32_t> tokens_, positions_;
  std::vector<size_t> chunks_;  // rows of plan_.prefills
};

}  // namespace

bool is_text_plan(const Model& model) { return describe(model).is_ok(); }

std::vector<size_t> split_into_runs(const std::vector<size_t>& chunks, size_t count) {
  std::vector<size_t> runs;
  if (chunks.empty()) return std::vector<size_t>(count, 1);
  const size_t largest = chunks.back();
  while (count >= 2 * largest) {
    runs.push_back(largest);
    count -= largest;
  }
  // cost[r]: the least cost of r tokens; choice[r]: the rows of its first run (1: decode)
  std::vector<size_t> cost(count + 1, 0), choice(count + 1, 1);
  for (size_t r = 1; r <= count; ++r) {
    cost[r] = cost[r - 1] + 1 + kRunCostRows;
    for (size_t t : chunks) {
      const size_t c = cost[r - std::min(r, t)] + t + kRunCostRows;
      if (c < cost[r]) {
        cost[r] = c;
        choice[r] = t;
      }
    }
  }
  const size_t first_dp_run = runs.size();
  for (size_t r = count; r > 0; r -= std::min(r, choice[r])) runs.push_back(choice[r]);
  // Largest first: the padding, if any, falls in the last and smallest run.
  std::sort(runs.begin() + static_cast<std::ptrdiff_t>(first_dp_run), runs.end(), std::greater<size_t>());
  return runs;
}

Result<std::unique_ptr<TokenDecoder>> make_plan_decoder(Session& session) {
  MINT_ASSIGN_OR_RETURN(TextPlan plan, describe(session.model()));
  return std::unique_ptr<TokenDecoder>(new PlanDecoder(session, plan));
}

}  // namespace mint::generate
