#include "runtime/tokenizer/from_plan.h"

#include <string>

#include "runtime/tokenizer/gpt2_bpe.h"

namespace mint::tokenizer {

const char* tokenizer_kind_name(plan::TokenizerKind kind) {
  switch (kind) {
    case plan::TokenizerKind::none:
      return "none";
    case plan::TokenizerKind::gpt2_bpe:
      return "gpt2_bpe";
    case plan::TokenizerKind::sentencepiece_bpe:
      return "sentencepiece_bpe";
  }
  return "unknown";
}

Result<std::unique_ptr<Tokenizer>> tokenizer_from_plan(plan::TokenizerKind kind,
                                                       std::string_view data, int32_t bos_id,
                                                       int32_t eos_id) {
  const std::string where = std::string("tokenizer (") + tokenizer_kind_name(kind) + ")";
  switch (kind) {
    case plan::TokenizerKind::gpt2_bpe: {
      Result<Gpt2Bpe> bpe = Gpt2Bpe::from_binary(data);
      if (!bpe.is_ok()) return Status::invalid_plan(where + ": " + bpe.status().message());
      auto tok = std::make_unique<Gpt2Bpe>(std::move(bpe).value());
      Status st = tok->set_special_ids(bos_id, eos_id);
      if (!st.is_ok()) return Status::invalid_plan(where + ": " + st.message());
      return std::unique_ptr<Tokenizer>(std::move(tok));
    }
    case plan::TokenizerKind::sentencepiece_bpe:
      return Status::unsupported(where + ": this runtime has no SentencePiece BPE tokenizer yet");
    default:
      return Status::invalid_plan(where + ": kind " + std::to_string(static_cast<int>(kind)) +
                                  " is not a tokenizer kind");
  }
}

}  // namespace mint::tokenizer
