// UTF-8, in one place: decoding by the Unicode rules, encoding, and telling continuation bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace echochat {

// True for a UTF-8 continuation byte (10xxxxxx): one that never starts a character.
constexpr bool is_utf8_continuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0U) == 0x80U;
}

enum class utf8_status : std::uint8_t {
  ok,         // a well-formed scalar value
  invalid,    // a maximal ill-formed subpart: shown as one U+FFFD
  truncated,  // a well-formed prefix that the end of the bytes cut short
};

struct utf8_char {
  char32_t value = 0;       // U+FFFD unless status is ok
  std::size_t length = 0;   // bytes taken; at least 1 for non-empty input
  utf8_status status = utf8_status::ok;

  friend bool operator==(const utf8_char&, const utf8_char&) = default;
};

// Decodes the first character of `bytes` (which must not be empty) by Table 3-7 of the Unicode
// standard: overlong forms, surrogates and values above U+10FFFF are ill-formed, and a failure
// takes the maximal ill-formed subpart (the W3C/WHATWG "U+FFFD substitution of maximal subparts").
// The core's one decoder: the framer, the key decoder, the sanitizer and the line editor all
// agree on where characters end.
utf8_char decode_utf8(std::string_view bytes);

// Appends the UTF-8 encoding of a scalar value (U+FFFD for anything that is not one).
void append_utf8(std::string& out, char32_t c);

}  // namespace echochat
