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

constexpr char32_t black_flag = 0x1F3F4;
constexpr char32_t cancel_tag = 0xE007F;

bool is_tag(char32_t c) { return c >= 0xE0020 && c <= 0xE007E; }

// Unicode's format characters (general category Cf, Unicode 15) besides the bidi controls,
// and the line and paragraph separators: invisible, and drawn with no width, one cell or a line
// break depending on the terminal. ZWJ is left out: it joins an emoji family, and alone it is
// drawn as nothing everywhere.
bool is_invisible(char32_t c) {
  if (c < 0x00AD) return false;
  return c == 0x00AD || (c >= 0x0600 && c <= 0x0605) || c == 0x06DD || c == 0x070F || c == 0x0890 ||
         c == 0x0891 || c == 0x08E2 || c == 0x180E || c == 0x200B || c == 0x200C || c == 0x2028 ||
         c == 0x2029 || (c >= 0x2060 && c <= 0x2064) || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF ||
         (c >= 0xFFF9 && c <= 0xFFFB) || c == 0x110BD || c == 0x110CD || (c >= 0x13430 && c <= 0x1343F) ||
         (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || c == 0xE0001 ||
         (c >= 0xE0020 && c <= 0xE007F);
}

// U+FDD0..U+FDEF and the last two code points of every plane: never meant for interchange.
bool is_noncharacter(char32_t c) { return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFEU) == 0xFFFEU; }

// The bytes of an emoji tag sequence (a subdivision flag: U+1F3F4, tags, U+E007F) starting at
// `bytes`, or 0: such a sequence is one picture and passes whole.
std::size_t tag_sequence(std::string_view bytes) {
  utf8_char ch = decode_utf8(bytes);
  if (ch.status != utf8_status::ok || ch.value != black_flag) return 0;
  std::size_t at = ch.length;
  int tags = 0;
  for (;;) {
    if (at == bytes.size()) return 0;  // the text ended before the cancel tag
    ch = decode_utf8(bytes.substr(at));
    if (ch.status != utf8_status::ok) return 0;
    at += ch.length;
    if (ch.value == cancel_tag) return tags > 0 ? at : 0;
    if (!is_tag(ch.value) || ++tags > 32) return 0;
  }
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
    // Bidi, format and noncharacters: four hex digits, more above the BMP ("<U+E0041>").
    out += "<U+";
    int shift = 20;
    while (shift > 12 && ((c >> shift) & 0xFU) == 0) shift -= 4;
    for (; shift >= 0; shift -= 4) out.push_back(upper_hex_digits[(c >> shift) & 0xFU]);
    out.push_back('>');
  }
}

}  // namespace

bool is_escaped_code_point(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || is_bidi_control(c) || is_invisible(c) || is_noncharacter(c);
}

std::string sanitize(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    if (const std::size_t flag = tag_sequence(bytes); flag > 0) {
      out.append(bytes.substr(0, flag));
      bytes.remove_prefix(flag);
      continue;
    }
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
  // Most text is printable ASCII: no decoding needed.
  bool ascii = true;
  for (const char b : bytes) ascii = ascii && b >= 0x20 && b < 0x7F;
  return ascii || sanitize(bytes) == bytes;
}

}  // namespace echochat
