// The visible escapes that keep peer bytes from driving the terminal.
#include "echochat/core/sanitize.hpp"

#include "echochat/core/utf8.hpp"

namespace echochat {

namespace {

constexpr char32_t replacement = 0xFFFD;

bool is_bidi_control(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

constexpr char hex_digits[] = "0123456789abcdef";
constexpr char upper_hex_digits[] = "0123456789ABCDEF";

void append_escape(std::string& out, char32_t c) {
  if (c == U'\t') {
    out.push_back(' ');
  } else if (c < 0x20 || c == 0x7F) {
    // Caret notation: the control's value with bit 6 flipped (0x1B -> '[', 0x7F -> '?').
    out.push_back('^');
    out.push_back(static_cast<char>(c ^ 0x40U));
  } else if (c >= 0x80 && c <= 0x9F) {
    out += "\\x";
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 0xFU]);
  } else {
    // Bidi controls: all of them are in the BMP, so four hex digits always suffice.
    out += "<U+";
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(upper_hex_digits[(c >> shift) & 0xFU]);
    out.push_back('>');
  }
}

}  // namespace

bool is_escaped_code_point(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || is_bidi_control(c);
}

std::string sanitize(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const utf8_char ch = decode_utf8(bytes);
    if (ch.status != utf8_status::ok) {
      // A truncated sequence at the end of a whole line is just as ill-formed as any other.
      append_utf8(out, replacement);
    } else if (is_escaped_code_point(ch.value)) {
      append_escape(out, ch.value);
    } else {
      out.append(bytes.substr(0, ch.length));
    }
    bytes.remove_prefix(ch.length);
  }
  return out;
}

bool is_safe_text(std::string_view bytes) {
  while (!bytes.empty()) {
    const utf8_char ch = decode_utf8(bytes);
    if (ch.status != utf8_status::ok || is_escaped_code_point(ch.value)) return false;
    bytes.remove_prefix(ch.length);
  }
  return true;
}

}  // namespace echochat
