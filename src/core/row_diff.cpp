// The row diff: a common start, a common end when the middle keeps its width.
#include "echochat/core/row_diff.hpp"

#include "echochat/core/text_width.hpp"
#include "echochat/core/utf8.hpp"

#include <algorithm>

namespace echochat {
namespace {

bool continuation(std::string_view s, std::size_t i) { return i < s.size() && is_utf8_continuation(s[i]); }

// True when a character starts at byte i of s and takes no cell: it belongs with the one before.
bool zero_width_at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return false;
  if (is_ascii(s[i])) return false;  // ASCII: never zero width here
  char32_t c = 0;
  next_char(s, i, c);
  return char_width(c) == 0;
}

}  // namespace

row_edit diff_row(std::string_view old_text, std::string_view new_text) {
  const std::size_t lo = old_text.size();
  const std::size_t ln = new_text.size();
  std::size_t p = 0;
  const std::size_t shorter = std::min(lo, ln);
  while (p < shorter && old_text[p] == new_text[p]) ++p;
  // Back to the start of a character that takes a cell, in both texts (they agree before p).
  for (;;) {
    while (p > 0 && (continuation(new_text, p) || continuation(old_text, p))) --p;
    if (p > 0 && (zero_width_at(new_text, p) || zero_width_at(old_text, p))) {
      --p;
      continue;
    }
    break;
  }
  if (p == lo && p == ln) return row_edit{p, p, text_width(new_text), 0};

  std::size_t s = 0;  // common end, in bytes, not reaching into the common start
  while (s < lo - p && s < ln - p && old_text[lo - 1 - s] == new_text[ln - 1 - s]) ++s;
  // Forward to a character that starts a cell (the bytes agree, so checking one text suffices).
  while (s > 0 && (continuation(new_text, ln - s) || zero_width_at(new_text, ln - s))) --s;

  row_edit edit;
  edit.begin = p;
  edit.column = text_width(new_text.substr(0, p));
  const int old_mid = text_width(old_text.substr(p, lo - s - p));
  const int new_mid = text_width(new_text.substr(p, ln - s - p));
  if (old_mid == new_mid) {
    edit.end = ln - s;
    return edit;
  }
  edit.end = ln;
  const int old_rest = old_mid + text_width(old_text.substr(lo - s));
  const int new_rest = new_mid + text_width(new_text.substr(ln - s));
  edit.clear = std::max(old_rest - new_rest, 0);
  return edit;
}

}  // namespace echochat
