#include "runtime/tokenizer/from_plan.h"

#include <string>

#include "runtime/tokenizer/gpt2_bpe.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"

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
    case plan::TokenizerKind::sentencepiece_bpe: {
      Result<SentencePieceBpe> sp = SentencePieceBpe::from_binary(data);
      if (!sp.is_ok()) return Status::invalid_plan(where + ": " + sp.status().message());
      // The special ids are the model's own (CONTROL pieces, checked by from_binary); the
      // plan's copies must agree with them.
      if (bos_id != sp.value().bos_id()) {
        return Status::invalid_plan(where + ": bos id " + std::to_string(bos_id) +
                                    " differs from the model's " +
                                    std::to_string(sp.value().bos_id()));
      }
      if (eos_id != sp.value().eos_id()) {
        return Status::invalid_plan(where + ": eos id " + std::to_string(eos_id) +
                                    " differs from the model's " +
                                    std::to_string(sp.value().eos_id()));
      }
      return std::unique_ptr<Tokenizer>(std::make_unique<SentencePieceBpe>(std::move(sp).value()));
    }
    default:
      return Status::invalid_plan(where + ": kind " + std::to_string(static_cast<int>(kind)) +
                                  " is not a tokenizer kind");
  }
}

}  // namespace mint::tokenizer
