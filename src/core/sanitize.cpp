// UTF-8 decoding and the visible escapes that keep peer bytes from driving the terminal.
#include "echochat/core/sanitize.hpp"

#include "echochat/core/key.hpp"

namespace echochat {

namespace {

constexpr char32_t replacement = 0xFFFD;

// The range allowed for the second byte depends on the lead byte: this is what rules out
// overlong forms (E0, F0), surrogates (ED) and values beyond U+10FFFF (F4) in one place.
struct lead_info {
  std::size_t length;  // 0: not a valid lead byte
  unsigned char second_low;
  unsigned char second_high;
};

constexpr lead_info classify_lead(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

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

utf8_char decode_utf8(std::string_view bytes) {
  const auto b0 = static_cast<unsigned char>(bytes.front());
  if (b0 < 0x80) return {b0, 1, utf8_status::ok};
  const lead_info lead = classify_lead(b0);
  if (lead.length == 0) return {replacement, 1, utf8_status::invalid};

  char32_t value = b0 & (0xFFU >> (lead.length + 1));
  for (std::size_t i = 1; i < lead.length; ++i) {
    if (i == bytes.size()) return {replacement, i, utf8_status::truncated};
    const auto b = static_cast<unsigned char>(bytes[i]);
    const unsigned char low = i == 1 ? lead.second_low : 0x80;
    const unsigned char high = i == 1 ? lead.second_high : 0xBF;
    if (b < low || b > high) return {replacement, i, utf8_status::invalid};
    value = (value << 6) | (b & 0x3FU);
  }
  return {value, lead.length, utf8_status::ok};
}

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
