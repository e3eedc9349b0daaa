// The least a screen row must rewrite to go from showing one text to showing another. Pure:
// the screen asks it before every row it would otherwise write whole.
#pragma once

#include <cstddef>
#include <string_view>

namespace echochat {

// Write bytes [begin, end) of the new text starting at cell `column` of the row, then `clear`
// blank cells after them (the old text was wider). begin == end and clear == 0: nothing changed.
struct row_edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  int column = 0;
  int clear = 0;
  bool empty() const { return begin == end && clear == 0; }
};

// Both texts valid UTF-8 without control characters, as the screen shows them. The edit keeps
// the common start and, when the changed middle is as wide as before, the common end too. It
// starts and stops on character boundaries, and never separates a combining mark (zero cells)
// from the character before it.
row_edit diff_row(std::string_view old_text, std::string_view new_text);

}  // namespace echochat
