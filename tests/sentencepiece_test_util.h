// Helpers shared by the SentencePiece tests (sentencepiece_test.cc, sentencepiece_match_test.cc):
// file I/O, the committed models/text/tokenizer/tokenizer.model loaded once.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tokenizer/sentencepiece_bpe.h"

#ifndef MINT_SOURCE_DIR
#define MINT_SOURCE_DIR ""
#endif

namespace mint::tokenizer::sp_test {

using Ids = std::vector<int32_t>;
using Type = SentencePieceBpe::PieceType;

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

inline bool write_file(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

inline std::string model_path() {
  return std::string(MINT_SOURCE_DIR) + "/models/text/tokenizer/tokenizer.model";
}

// The committed tokenizer, loaded once; nullptr (and *error) if it cannot be.
inline const SentencePieceBpe* committed(std::string* error) {
  static std::string err;
  static const SentencePieceBpe* tok = [] {
    std::string bytes;
    if (!read_file(model_path(), &bytes)) {
      err = "cannot read " + model_path();
      return static_cast<const SentencePieceBpe*>(nullptr);
    }
    Result<SentencePieceBpe> r = SentencePieceBpe::from_model_proto(bytes);
    if (!r.is_ok()) {
      err = r.status().message();
      return static_cast<const SentencePieceBpe*>(nullptr);
    }
    return static_cast<const SentencePieceBpe*>(new SentencePieceBpe(std::move(r).value()));
  }();
  *error = err;
  return tok;
}

#define LOAD_COMMITTED(var)                                    \
  std::string var##_error;                                     \
  const SentencePieceBpe* var##_ptr = committed(&var##_error); \
  ASSERT_NE(var##_ptr, nullptr) << var##_error;                \
  const SentencePieceBpe& var = *var##_ptr

}  // namespace mint::tokenizer::sp_test
