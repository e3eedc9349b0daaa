// Display width via wcwidth.
#include "echochat/core/text_width.hpp"

#include <cstdint>
#include <cstring>
#include <cwchar>

namespace echochat {

int char_width(char32_t c) {
  if (c < 0x7F) return c >= 0x20 ? 1 : 0;
  const int w = ::wcwidth(static_cast<wchar_t>(c));
  if (w < 0) return 1;  // unassigned or unknown to the C library: take one cell, as terminals do
  return w;
}

namespace {

// The bytes of printable ASCII (and DEL) at the start of `text`: a cell each.
std::size_t printable_ascii_run(std::string_view text) {
  // Eight bytes at a time: a word with no byte at or above 0x80 and none below 0x20 is eight
  // printable (or DEL) ASCII characters of a cell each. The test can only err towards "not all
  // printable" (a borrow past a byte that is below 0x20), and the byte loop settles those.
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, text.data() + i, 8);
    if (((v | ((v - 0x20 * ones) & ~v)) & highs) != 0) break;
  }
  while (i < text.size() && is_ascii(text[i]) && text[i] >= 0x20) ++i;
  return i;
}

}  // namespace

int text_width(std::string_view text) {
  // Printable ASCII, most of what every frame measures, a word at a time; the rest by character.
  const std::size_t run = printable_ascii_run(text);
  int w = static_cast<int>(run);
  for (std::size_t i = run; i < text.size();) {
    const text_char ch = char_at(text, i);
    i += ch.bytes;
    w += ch.cells;
  }
  return w;
}

}  // namespace echochat
