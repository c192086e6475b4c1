#include "compiler/hf/json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mint::compiler::hf {

const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view text, const std::string& what) : s_(text), what_(what) {}

  Result<JsonValue> document() {
    JsonValue v;
    MINT_RETURN_IF_ERROR(value(&v, 0));
    skip_space();
    if (i_ != s_.size()) return fail("unexpected data after the JSON value");
    return v;
  }

 private:
  Status fail(const std::string& m) const {
    return Status::invalid_argument("'" + what_ + "': offset " + std::to_string(i_) + ": " + m);
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Status value(JsonValue* out, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than 64 levels");
    skip_space();
    if (i_ >= s_.size()) return fail("unexpected end of input");
    const char c = s_[i_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out->kind = JsonValue::Kind::kString;
      return string(&out->string);
    }
    if (c == 't' && literal("true")) {
      out->kind = JsonValue::Kind::kBool;
      out->boolean = true;
      return Status::ok();
    }
    if (c == 'f' && literal("false")) {
      out->kind = JsonValue::Kind::kBool;
      return Status::ok();
    }
    if (c == 'n' && literal("null")) return Status::ok();
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    // Python's json writes these for non-finite floats; accept them as numbers.
    if (literal("NaN")) return special(out, NAN);
    if (literal("Infinity")) return special(out, INFINITY);
    if (literal("-Infinity")) return special(out, -INFINITY);
    return fail(std::string("unexpected character '") + c + "'");
  }

  Status special(JsonValue* out, double v) {
    out->kind = JsonValue::Kind::kNumber;
    out->number = v;
    return Status::ok();
  }

  Status object(JsonValue* out, int depth) {
    out->kind = JsonValue::Kind::kObject;
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return Status::ok();
    }
    while (true) {
      skip_space();
      if (i_ >= s_.size() || s_[i_] != '"') return fail("expected a string key");
      std::string key;
      MINT_RETURN_IF_ERROR(string(&key));
      skip_space();
      if (i_ >= s_.size() || s_[i_] != ':') return fail("expected ':'");
      ++i_;
      JsonValue v;
      MINT_RETURN_IF_ERROR(value(&v, depth + 1));
      out->object.emplace_back(std::move(key), std::move(v));
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return Status::ok();
      }
      return fail("expected ',' or '}'");
    }
  }

  Status array(JsonValue* out, int depth) {
    out->kind = JsonValue::Kind::kArray;
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return Status::ok();
    }
    while (true) {
      JsonValue v;
      MINT_RETURN_IF_ERROR(value(&v, depth + 1));
      out->array.push_back(std::move(v));
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return Status::ok();
      }
      return fail("expected ',' or ']'");
    }
  }

  Result<uint32_t> hex4() {
    if (s_.size() - i_ < 4) return fail("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else return fail("bad hex digit in \\u escape");
    }
    return v;
  }

  static void append_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  Status string(std::string* out) {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= s_.size()) return fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return Status::ok();
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          MINT_ASSIGN_OR_RETURN(uint32_t cp, hex4());
          if (cp >= 0xd800 && cp < 0xdc00) {
            if (s_.size() - i_ < 2 || s_[i_] != '\\' || s_[i_ + 1] != 'u') return fail("unpaired surrogate");
            i_ += 2;
            MINT_ASSIGN_OR_RETURN(uint32_t lo, hex4());
            if (lo < 0xdc00 || lo >= 0xe000) return fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            return fail("unpaired surrogate");
          }
          append_utf8(cp, out);
          break;
        }
        default: return fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  Status number(JsonValue* out) {
    const size_t start = i_;
    bool integral = true;
    if (s_[i_] == '-') ++i_;
    auto digits = [&]() {
      const size_t b = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ > b;
    };
    if (!digits()) return fail("bad number");
    if (i_ < s_.size() && s_[i_] == '.') {
      integral = false;
      ++i_;
      if (!digits()) return fail("bad number");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) return fail("bad number");
    }
    const std::string text(s_.substr(start, i_ - start));
    out->kind = JsonValue::Kind::kNumber;
    out->number = std::strtod(text.c_str(), nullptr);
    if (integral) {
      errno = 0;
      char* end = nullptr;
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == 0 && end != nullptr && *end == '\0') {
        out->is_integer = true;
        out->integer = v;
      }
    }
    return Status::ok();
  }

  std::string_view s_;
  const std::string& what_;
  size_t i_ = 0;
};

}  // namespace

Result<JsonValue> parse_json(std::string_view text, const std::string& what) {
  return Parser(text, what).document();
}

}  // namespace mint::compiler::hf
