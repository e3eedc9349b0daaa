// Display width via wcwidth.
#include "echochat/core/text_width.hpp"

#include <cwchar>

namespace echochat {

int char_width(char32_t c) {
  if (c < 0x7F) return c >= 0x20 ? 1 : 0;
  const int w = ::wcwidth(static_cast<wchar_t>(c));
  if (w < 0) return 1;  // unassigned or unknown to the C library: take one cell, as terminals do
  return w;
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
