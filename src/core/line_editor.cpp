// The chat input line's editing operations and history.
#include "echochat/core/line_editor.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/core/utf8.hpp"

#include <algorithm>
#include <utility>

namespace echochat {

namespace {

constexpr char32_t zero_width_joiner = 0x200D;

// Code points that attach to the character before them (see line_editor::left()).
bool is_extender(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) ||    // combining diacritical marks
         (c >= 0x1AB0 && c <= 0x1AFF) ||    // ... extended
         (c >= 0x1DC0 && c <= 0x1DFF) ||    // ... supplement
         (c >= 0x20D0 && c <= 0x20FF) ||    // ... for symbols (the keycap U+20E3 among them)
         (c >= 0xFE00 && c <= 0xFE0F) ||    // variation selectors (emoji / text presentation)
         (c >= 0xFE20 && c <= 0xFE2F) ||    // combining half marks
         (c >= 0x1F3FB && c <= 0x1F3FF) ||  // emoji skin-tone modifiers
         (c >= 0xE0020 && c <= 0xE007F) ||  // tags (subdivision flags)
         (c >= 0xE0100 && c <= 0xE01EF);    // variation selectors supplement
}

bool is_regional_indicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

// The text is valid UTF-8 (insert() sees to that), so each decode succeeds.
utf8_char decode_at(std::string_view text, std::size_t pos) { return decode_utf8(text.substr(pos)); }

// The end of the character that starts at `pos` (< text.size()).
std::size_t next_boundary(std::string_view text, std::size_t pos) {
  const utf8_char first = decode_at(text, pos);
  pos += first.length;
  if (is_regional_indicator(first.value) && pos < text.size()) {
    const utf8_char second = decode_at(text, pos);
    if (is_regional_indicator(second.value)) pos += second.length;
  }
  while (pos < text.size()) {
    const utf8_char next = decode_at(text, pos);
    if (is_extender(next.value)) {
      pos += next.length;
    } else if (next.value == zero_width_joiner) {
      pos += next.length;
      if (pos < text.size()) pos += decode_at(text, pos).length;
    } else {
      break;
    }
  }
  return pos;
}

// A character boundary before `pos` from which segmenting forward is safe: an ASCII character
// starts a character unless a ZWJ precedes it. Spares segmenting the line from its start on
// every Left or Backspace.
std::size_t anchor_before(std::string_view text, std::size_t pos) {
  constexpr std::string_view zwj_utf8 = "\xE2\x80\x8D";
  while (pos > 0) {
    --pos;
    if (is_ascii(text[pos]) && !text.substr(0, pos).ends_with(zwj_utf8)) {
      return pos;
    }
  }
  return 0;
}

// The start of the character that ends at (or contains) `pos` (> 0).
std::size_t previous_boundary(std::string_view text, std::size_t pos) {
  std::size_t boundary = anchor_before(text, pos);
  for (;;) {
    const std::size_t next = next_boundary(text, boundary);
    if (next >= pos) return boundary;
    boundary = next;
  }
}

}  // namespace

std::size_t display_width(std::string_view utf8, const width_function& width) {
  std::size_t columns = 0;
  while (!utf8.empty()) {
    const utf8_char ch = decode_utf8(utf8);
    const int w = width(ch.value);
    columns += w < 0 ? 1U : static_cast<std::size_t>(w);
    utf8.remove_prefix(ch.length);
  }
  return columns;
}

line_editor::line_editor(std::size_t history_limit) : history_limit_(history_limit) {}

std::size_t line_editor::cursor_column(const width_function& width) const {
  return display_width(std::string_view(text_).substr(0, cursor_), width);
}

void line_editor::insert(std::string_view utf8) {
  std::string clean;
  clean.reserve(utf8.size());
  while (!utf8.empty()) {
    const utf8_char ch = decode_utf8(utf8);
    if (ch.status != utf8_status::ok) {
      append_utf8(clean, 0xFFFD);
    } else if (ch.value == U'\t') {
      clean.push_back(' ');
    } else if (!is_escaped_code_point(ch.value)) {
      clean.append(utf8.substr(0, ch.length));
    }
    utf8.remove_prefix(ch.length);
  }
  text_.insert(cursor_, clean);
  cursor_ += clean.size();
}

bool line_editor::left() {
  if (cursor_ == 0) return false;
  cursor_ = previous_boundary(text_, cursor_);
  return true;
}

bool line_editor::right() {
  if (cursor_ == text_.size()) return false;
  cursor_ = next_boundary(text_, cursor_);
  return true;
}

bool line_editor::backspace() {
  if (cursor_ == 0) return false;
  const std::size_t start = previous_boundary(text_, cursor_);
  text_.erase(start, cursor_ - start);
  cursor_ = start;
  return true;
}

bool line_editor::del() {
  if (cursor_ == text_.size()) return false;
  text_.erase(cursor_, next_boundary(text_, cursor_) - cursor_);
  return true;
}

void line_editor::kill_line() {
  text_.clear();
  cursor_ = 0;
}

bool line_editor::kill_word() {
  // Byte-wise is safe: no byte of a multi-byte UTF-8 character equals ' '.
  std::size_t start = cursor_;
  while (start > 0 && text_[start - 1] == ' ') --start;
  while (start > 0 && text_[start - 1] != ' ') --start;
  if (start == cursor_) return false;
  text_.erase(start, cursor_ - start);
  cursor_ = start;
  return true;
}

std::optional<std::string> line_editor::submit() {
  if (text_.empty()) return std::nullopt;
  std::string line = std::exchange(text_, {});
  cursor_ = 0;
  draft_.clear();
  if (history_limit_ > 0 && line.size() <= max_history_line &&
      (history_.empty() || history_.back() != line)) {
    history_.push_back(line);
    if (history_.size() > history_limit_) history_.pop_front();
  }
  browse_ = history_.size();
  return line;
}

void line_editor::set_text(std::string text, std::size_t cursor) {
  text_ = std::move(text);
  cursor_ = std::min(cursor, text_.size());
  while (cursor_ > 0 && cursor_ < text_.size() && is_utf8_continuation(text_[cursor_])) --cursor_;
  draft_.clear();
  browse_ = history_.size();
}

void line_editor::load_history(std::vector<std::string> lines) {
  for (auto& l : lines) {
    if (history_limit_ == 0 || l.empty() || l.size() > max_history_line) continue;
    if (!history_.empty() && history_.back() == l) continue;
    history_.push_back(std::move(l));
    if (history_.size() > history_limit_) history_.pop_front();
  }
  browse_ = history_.size();
}

std::string line_editor::take_text() {
  cursor_ = 0;
  return std::exchange(text_, {});
}

void line_editor::erase_prefix(std::size_t bytes) {
  bytes = std::min(bytes, text_.size());
  while (bytes < text_.size() && is_utf8_continuation(text_[bytes])) ++bytes;  // whole characters
  text_.erase(0, bytes);
  cursor_ = cursor_ > bytes ? cursor_ - bytes : 0;
}

bool line_editor::history_up() {
  if (browse_ == 0) return false;
  if (!browsing_history()) draft_ = text_;
  --browse_;
  text_ = history_[browse_];
  cursor_ = text_.size();
  return true;
}

bool line_editor::history_down() {
  if (!browsing_history()) return false;
  ++browse_;
  text_ = browsing_history() ? history_[browse_] : std::exchange(draft_, {});
  cursor_ = text_.size();
  return true;
}

bool line_editor::handle(const key& k) {
  if (is_printable(k)) {
    std::string utf8;
    append_utf8(utf8, k.ch);
    insert(utf8);
    return true;
  }
  if (k.mods != key_mod::none) return false;
  switch (k.code) {
    case key_code::left: left(); return true;
    case key_code::right: right(); return true;
    case key_code::home: home(); return true;
    case key_code::end: end(); return true;
    case key_code::backspace: backspace(); return true;
    case key_code::del: del(); return true;
    case key_code::up: history_up(); return true;
    case key_code::down: history_down(); return true;
    case key_code::ctrl:
      switch (k.ch) {
        case U'a': home(); return true;
        case U'e': end(); return true;
        case U'u': kill_line(); return true;
        case U'w': kill_word(); return true;
        default: return false;
      }
    default: return false;
  }
}

}  // namespace echochat
