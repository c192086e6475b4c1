// Unicode helpers for the tokenizers: UTF-8 decoding and encoding, and the character classes of
// JavaScript regular expressions (u flag) that GPT-2's pre-tokenizer pattern uses.
//
// Classes (see scripts/gen_unicode_tables.py and unicode_tables.inc for the version):
//   is_letter(c)      \p{L}: general category Lu, Ll, Lt, Lm or Lo.
//   is_number(c)      \p{N}: general category Nd, Nl or No.
//   is_js_space(c)    \s as ECMAScript defines it: WhiteSpace (U+0009, U+000B, U+000C, U+FEFF and
//                     every Zs: U+0020, U+00A0, U+1680, U+2000-U+200A, U+202F, U+205F, U+3000) and
//                     LineTerminator (U+000A, U+000D, U+2028, U+2029). Note U+0085 is NOT \s.
// The tables are generated from Node's regex engine (Unicode 17.0). Python 3.11's unicodedata
// (Unicode 14.0) agrees on every code point assigned in 14.0; the 13,916 letters and 133 numbers
// it lacks are all code points assigned in Unicode 15.0-17.0.
//
// decode_utf8 follows the WHATWG Encoding Standard's UTF-8 decoder (what Node's
// Buffer.toString('utf8') and TextDecoder do): every maximal subpart of an ill-formed sequence
// becomes one U+FFFD. Overlong forms, surrogates (ED A0..BF ..) and code points above U+10FFFF are
// ill-formed. So a byte string maps to the same code points as the JS string a JS program would
// get from those bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mint::tokenizer {

constexpr char32_t kReplacementChar = 0xFFFD;

bool is_letter(char32_t c);
bool is_number(char32_t c);
bool is_js_space(char32_t c);

// Decodes UTF-8 into code points, replacing ill-formed subsequences with U+FFFD (see above).
// Never fails.
std::vector<char32_t> decode_utf8(std::string_view bytes);

// Appends the UTF-8 encoding of `c` (which must be a Unicode scalar value: <= U+10FFFF and not a
// surrogate; anything else is encoded as U+FFFD).
void append_utf8(char32_t c, std::string* out);

// True when `bytes` is well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes);

}  // namespace mint::tokenizer
