// Display width via wcwidth, and UTF-8 stepping over text the program itself produced (valid).
#include "echochat/core/text_width.hpp"

#include "echochat/core/utf8.hpp"

#include <cwchar>

namespace echochat {

int char_width(char32_t c) {
  if (c < 0x7F) return c >= 0x20 ? 1 : 0;
  const int w = ::wcwidth(static_cast<wchar_t>(c));
  if (w < 0) return 1;  // unassigned or unknown to the C library: take one cell, as terminals do
  return w;
}

std::size_t next_char(std::string_view text, std::size_t pos, char32_t& c) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  std::size_t len = 1;
  if (b0 >= 0xF0) {
    len = 4;
    c = b0 & 0x07u;
  } else if (b0 >= 0xE0) {
    len = 3;
    c = b0 & 0x0Fu;
  } else if (b0 >= 0xC0) {
    len = 2;
    c = b0 & 0x1Fu;
  } else {
    c = b0;
    return 1;
  }
  if (pos + len > text.size()) {
    c = 0xFFFD;
    return text.size() - pos;
  }
  for (std::size_t i = 1; i < len; ++i) c = (c << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3Fu);
  return len;
}

std::size_t prev_char_start(std::string_view text, std::size_t pos) {
  std::size_t i = pos - 1;
  while (i > 0 && pos - i < 4 && is_utf8_continuation(text[i])) --i;
  return i;
}

int text_width(std::string_view text) {
  int w = 0;
  for (std::size_t i = 0; i < text.size();) {
    const text_char ch = char_at(text, i);
    i += ch.bytes;
    w += ch.cells;
  }
  return w;
}

}  // namespace echochat
