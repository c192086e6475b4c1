// A small bounds-checked JSON parser (RFC 8259) for the Hugging Face frontend: config.json,
// safetensors headers, model.safetensors.index.json.
//
// parse_json(text, what) returns the document or invalid_argument naming `what` and the byte
// offset of the problem ("'config.json': offset 17: expected ':'"). Nesting is limited to 64
// levels and the input to what a std::string_view holds; strings are decoded to UTF-8
// (\uXXXX escapes with surrogate pairs); numbers are kept as double plus, for integral
// literals that fit, an exact int64. Duplicate object keys keep the first value in find().
// Nothing is thrown; a JsonValue is a plain tree of vectors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/status.h"

namespace mint::compiler::hf {

struct JsonValue {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0.0;
  bool is_integer = false;   // an integral literal within int64
  int64_t integer = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;

  bool is_null() const { return kind == Kind::kNull; }
  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_number() const { return kind == Kind::kNumber; }
  // The member `key` of an object, or null if absent (or not an object).
  const JsonValue* find(std::string_view key) const;
};

Result<JsonValue> parse_json(std::string_view text, const std::string& what);

}  // namespace mint::compiler::hf
