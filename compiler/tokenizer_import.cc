#include "compiler/tokenizer_import.h"

#include <fstream>
#include <iterator>

#include "runtime/tokenizer/gpt2_bpe.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"

namespace mint::compiler {
namespace {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot open '" + path + "'");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::io_error("cannot read '" + path + "'");
  return data;
}

bool file_exists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return static_cast<bool>(in);
}

}  // namespace

Result<PlanTokenizer> gpt2_plan_tokenizer(std::string_view encoder_json,
                                          std::string_view vocab_bpe) {
  MINT_ASSIGN_OR_RETURN(tokenizer::Gpt2Bpe tok,
                        tokenizer::Gpt2Bpe::from_json_and_merges(encoder_json, vocab_bpe));
  PlanTokenizer out;
  out.kind = plan::TokenizerKind::gpt2_bpe;
  out.data = tok.to_binary();
  out.bos_id = tok.bos_id();
  out.eos_id = tok.eos_id();
  return out;
}

Result<PlanTokenizer> gpt2_plan_tokenizer_from_files(const std::string& json_path,
                                                     const std::string& bpe_path) {
  MINT_ASSIGN_OR_RETURN(std::string json, read_file(json_path));
  MINT_ASSIGN_OR_RETURN(std::string bpe, read_file(bpe_path));
  Result<PlanTokenizer> t = gpt2_plan_tokenizer(json, bpe);
  if (!t.is_ok()) return t.status().with_context(json_path + " + " + bpe_path);
  return t;
}

Result<PlanTokenizer> sentencepiece_plan_tokenizer(std::string_view model_proto) {
  MINT_ASSIGN_OR_RETURN(tokenizer::SentencePieceBpe tok,
                        tokenizer::SentencePieceBpe::from_model_proto(model_proto));
  PlanTokenizer out;
  out.kind = plan::TokenizerKind::sentencepiece_bpe;
  out.data = tok.to_binary();
  out.bos_id = tok.bos_id();
  out.eos_id = tok.eos_id();
  out.add_bos = tok.bos_id() >= 0;
  return out;
}

Result<PlanTokenizer> checkpoint_plan_tokenizer(const std::string& dir) {
  const std::string json = dir + "/vocab.json", merges = dir + "/merges.txt";
  const std::string sp = dir + "/tokenizer.model";
  if (file_exists(json) && file_exists(merges)) return gpt2_plan_tokenizer_from_files(json, merges);
  if (file_exists(sp)) {
    MINT_ASSIGN_OR_RETURN(std::string bytes, read_file(sp));
    Result<PlanTokenizer> t = sentencepiece_plan_tokenizer(bytes);
    if (!t.is_ok()) return t.status().with_context(sp);
    return t;
  }
  return PlanTokenizer{};
}

}  // namespace mint::compiler
