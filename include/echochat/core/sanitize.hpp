// Makes bytes from the peer safe to show: UTF-8 decoding by the Unicode rules, and visible escapes
// for everything that could drive the terminal (C0/C1 controls, DEL, bidi controls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace echochat {

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
// Shared by the framer and the line editor so the whole core agrees on where characters end.
utf8_char decode_utf8(std::string_view bytes);

// True for a UTF-8 continuation byte (10xxxxxx).
constexpr bool is_utf8_continuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0U) == 0x80U;
}

// True for the code points sanitize() replaces by a visible escape rather than showing:
// C0 controls (TAB included), DEL, C1 controls and the bidi controls (U+061C, U+200E, U+200F,
// U+202A..U+202E, U+2066..U+2069).
bool is_escaped_code_point(char32_t c);

// The peer's bytes as text that is safe to write to the terminal:
// - valid UTF-8 passes unchanged (accents, CJK, emoji, ZWJ sequences);
// - each maximal ill-formed subpart becomes one U+FFFD;
// - TAB becomes one space (a tab stop would make the width of the text depend on where it is
//   drawn, and the transcript wraps text itself);
// - other C0 controls become caret escapes (0x1B -> "^[", 0x00 -> "^@"), DEL becomes "^?";
// - C1 controls (U+0080..U+009F) become "\x80".."\x9f" (4 visible characters);
// - bidi controls become "<U+202E>" (they would reorder the text around them).
std::string sanitize(std::string_view bytes);

// True when sanitize(bytes) == bytes: valid UTF-8 without anything sanitize() escapes.
bool is_safe_text(std::string_view bytes);

}  // namespace echochat
