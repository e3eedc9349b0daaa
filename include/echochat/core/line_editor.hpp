// The chat input line: UTF-8 text with a cursor, readline-style editing keys and a history that
// keeps the unsent draft.
#pragma once

#include "echochat/core/key.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// Columns a code point takes on the screen (wcwidth() in the real program, a fake in tests).
// A negative answer ("not printable") counts as 1: terminals draw such a code point as one cell.
using width_function = std::function<int(char32_t)>;

// Columns `utf8` takes, summed code point by code point. Invalid bytes count as U+FFFD.
std::size_t display_width(std::string_view utf8, const width_function& width);

class line_editor {
 public:
  static constexpr std::size_t default_history_limit = 1000;
  // A longer line (a big paste) is sent but not kept in the history: 1,000 of them would be
  // gigabytes.
  static constexpr std::size_t max_history_line = 64 * 1024;

  explicit line_editor(std::size_t history_limit = default_history_limit);

  // Always valid UTF-8 that is_safe_text() accepts, so the screen can draw it as it is; never
  // contains '\n' or '\r', so it can be sent as one line.
  const std::string& text() const { return text_; }
  // Byte offset into text(), always at a code point boundary.
  std::size_t cursor() const { return cursor_; }
  // Columns of the text before the cursor: where the terminal cursor goes.
  std::size_t cursor_column(const width_function& width) const;

  // Inserts at the cursor and moves the cursor past the insertion. Invalid UTF-8 becomes U+FFFD,
  // TAB a space; the other controls and the bidi controls (everything sanitize() would escape)
  // are dropped, since the input line is drawn unescaped. A multi-line paste must be split into
  // lines by the caller first: its "\n" and "\r" would be dropped here.
  void insert(std::string_view utf8);

  // Cursor movement and deletion act on characters: a code point together with the code points
  // that attach to it (combining marks, variation selectors, emoji skin-tone modifiers and tags,
  // whatever follows a ZWJ, the second half of a regional-indicator flag). This approximates
  // Unicode grapheme clusters without their tables. They return false when there was nothing
  // to do (at the start or end of the line).
  bool left();
  bool right();
  void home() { cursor_ = 0; }
  void end() { cursor_ = text_.size(); }
  bool backspace();
  bool del();

  // Ctrl-U: clears the whole line (not just the part before the cursor).
  void kill_line();
  // Ctrl-W, readline's unix-word-rubout: deletes the spaces before the cursor, then the word
  // (up to the previous space) before them. The text after the cursor stays.
  bool kill_word();

  // Replaces the line (a Ctrl-R match taken for editing), the cursor at byte `cursor` (clamped,
  // and moved back to a character boundary). The text must follow insert()'s rules already.
  void set_text(std::string text, std::size_t cursor);

  // Fills the history (oldest first) before any line is typed: a history file's lines. Keeps the
  // newest within the limit, and leaves out lines the history would not record.
  void load_history(std::vector<std::string> lines);

  // The text, moved out, leaving an empty line (nothing is recorded in the history).
  std::string take_text();
  // Removes the first `bytes` bytes (rounded up to a whole character).
  void erase_prefix(std::size_t bytes);

  // Enter: returns the line, records it in the history (unless it repeats the newest entry, or
  // is longer than max_history_line) and starts an empty draft. An empty line is not submitted: std::nullopt,
  // and nothing changes. A line of spaces is not empty.
  std::optional<std::string> submit();

  // Up / Down: walk the history. Leaving the draft for the history keeps it; coming back down
  // past the newest entry restores it exactly. A recalled entry is a copy: editing it leaves the
  // history as it was. The cursor goes to the end of the recalled line. False when there is no
  // older / newer line.
  bool history_up();
  bool history_down();

  // Oldest first; bounded by the history limit (the oldest entries go first).
  const std::deque<std::string>& history() const { return history_; }
  bool browsing_history() const { return browse_ != history_.size(); }

  // Applies an editing key: printable characters, Left, Right, Home / Ctrl-A, End / Ctrl-E,
  // Backspace, Del, Ctrl-U, Ctrl-W, Up, Down. True when the key was one of these (even if it
  // changed nothing, like Left at the start). Enter is the caller's: it calls submit().
  bool handle(const key& k);

 private:
  std::string text_;
  std::size_t cursor_ = 0;
  std::deque<std::string> history_;
  std::size_t history_limit_;
  std::size_t browse_ = 0;  // index into history_ of the recalled line; history_.size(): the draft
  std::string draft_;       // the unsent line, kept while browsing the history
};

}  // namespace echochat
