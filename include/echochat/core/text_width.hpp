// Display width of UTF-8 text in terminal cells, and walking text character by character.
#pragma once

#include <cstddef>
#include <string_view>

namespace echochat {

// Cells a character takes: 2 for wide CJK and emoji, 0 for combining marks, 1 otherwise.
// Uses the C library's wcwidth, so the program (and the tests) set a UTF-8 locale first.
int char_width(char32_t c);

// Decodes the character starting at byte `pos` of valid UTF-8 text; returns its byte length.
std::size_t next_char(std::string_view text, std::size_t pos, char32_t& c);

// Byte offset of the start of the character that ends at `pos` (pos > 0).
std::size_t prev_char_start(std::string_view text, std::size_t pos);

// Cells the whole text takes.
int text_width(std::string_view text);

}  // namespace echochat
