// UTF-8, in one place: decoding by the Unicode rules, encoding, and stepping through text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace echochat {

// True for a byte that is a whole character by itself: U+0000..U+007F (0xxxxxxx).
constexpr bool is_ascii(char byte) { return static_cast<unsigned char>(byte) < 0x80U; }

// True for a UTF-8 continuation byte (10xxxxxx): one that never starts a character.
constexpr bool is_utf8_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0U) == 0x80U; }

enum class utf8_status : std::uint8_t {
  ok,         // a well-formed scalar value
  invalid,    // a maximal ill-formed subpart: shown as one U+FFFD
  truncated,  // a well-formed prefix that the end of the bytes cut short
};

struct utf8_char {
  char32_t value = 0;      // U+FFFD unless status is ok
  std::size_t length = 0;  // bytes taken; at least 1 for non-empty input
  utf8_status status = utf8_status::ok;

  friend bool operator==(const utf8_char&, const utf8_char&) = default;
};

// decode_utf8 for a first byte that is not ASCII. Out of line, so that the ASCII test stays small
// enough to inline into every loop over text.
utf8_char decode_utf8_multibyte(std::string_view bytes);

// Decodes the first character of `bytes` (which must not be empty) by Table 3-7 of the Unicode
// standard: overlong forms, surrogates and values above U+10FFFF are ill-formed, and a failure
// takes the maximal ill-formed subpart (the W3C/WHATWG "U+FFFD substitution of maximal subparts").
// The core's one decoder: the framer, the key decoder, the sanitizer, the line editor and the
// width functions all agree on where characters end.
inline utf8_char decode_utf8(std::string_view bytes) {
  const auto b0 = static_cast<unsigned char>(bytes.front());
  if (b0 < 0x80U) [[likely]]
    return {b0, 1, utf8_status::ok};
  return decode_utf8_multibyte(bytes);
}

// Appends the UTF-8 encoding of a scalar value (U+FFFD for anything that is not one).
void append_utf8(std::string& out, char32_t c);

// Stepping through valid UTF-8: text the program itself produced or already sanitized (the
// transcript, the input line, the rows of the screen), so there is no error to report.

// Decodes the character starting at byte `pos` (< text.size()) of valid UTF-8 text; returns its
// byte length. (On invalid bytes it gives what decode_utf8 gives: U+FFFD and its length.)
inline std::size_t next_char(std::string_view text, std::size_t pos, char32_t& c) {
  const utf8_char ch = decode_utf8(text.substr(pos));
  c = ch.value;
  return ch.length;
}

// Byte offset of the start of the character that ends at `pos` (0 < pos <= text.size()) of valid
// UTF-8 text. Never steps back more than 4 bytes.
inline std::size_t prev_char_start(std::string_view text, std::size_t pos) {
  std::size_t i = pos - 1;
  while (i > 0 && pos - i < 4 && is_utf8_continuation(text[i])) --i;
  return i;
}

}  // namespace echochat
