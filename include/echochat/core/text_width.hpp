// Display width of UTF-8 text in terminal cells (by wcwidth), and walking text cell by cell.
#pragma once

#include "echochat/core/utf8.hpp"

#include <cstddef>
#include <string_view>

namespace echochat {

// Cells a character takes: 2 for wide CJK and emoji, 0 for combining marks, 1 otherwise.
// Uses the C library's wcwidth, so the program (and the tests) set a UTF-8 locale first.
int char_width(char32_t c);

// The character starting at byte `pos` of valid UTF-8 text: its length in bytes and the cells it
// takes (as char_width). ASCII, most of what every frame walks, needs no decoding and no wcwidth
// (inline, so that the walks over it stay tight loops).
struct text_char {
  std::size_t bytes = 1;
  int cells = 1;
};
inline text_char char_at(std::string_view text, std::size_t pos) {
  const char b = text[pos];
  if (is_ascii(b)) return {1, b >= 0x20 ? 1 : 0};  // what char_width gives all of ASCII
  char32_t c = 0;
  const std::size_t n = next_char(text, pos, c);
  return {n, char_width(c)};
}

// Cells the whole text takes.
int text_width(std::string_view text);

}  // namespace echochat

namespace echochat {

// The bytes of the whole characters at the start of `text` that fit in `cells` cells, and the
// cells they take.
struct fitted {
  std::size_t bytes = 0;
  int cells = 0;
};
inline fitted fit_cells(std::string_view text, int cells) {
  fitted f;
  while (f.bytes < text.size()) {
    const text_char ch = char_at(text, f.bytes);
    if (f.cells + ch.cells > cells) break;
    f.cells += ch.cells;
    f.bytes += ch.bytes;
  }
  return f;
}

}  // namespace echochat
