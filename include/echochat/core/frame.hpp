// What a screen shows, built from the session by a pure function: the visible rows of the
// transcript, the status bar's text and the input line with its cursor, plus the entries
// finished since the last frame (plain output prints those). ncurses, plain output and the
// tests' recorder each take a frame and never see the session.
#pragma once

#include "echochat/core/presentation.hpp"
#include "echochat/core/transcript.hpp"

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace echochat {

class session;

// The chat input line as shown: the prompt and the part of the text around the cursor that fits.
struct input_row {
  std::string text;
  int cursor = 0;  // the cursor's cell on the row
};

struct frame {
  int rows = 0;  // the screen's size; 0 rows: a frame of entries only (plain output)
  int cols = 0;
  int text_rows = 0;  // rows for the transcript, from the top; the separator is under them
  int prefix = 0;     // cells of the "HH:MM:SS tag   " prefix on an entry's first row
  // The visible rows, top to bottom, newest at the bottom: fewer than text_rows are bottom-aligned.
  // A row with `marker` set is the "── new ──" row above the first entry that arrived unseen.
  std::span<const layout_row> transcript;
  // What to show highlighted (the current find match): byte ranges of one entry's text.
  text_highlight highlight;
  int status_row = -1;             // -1: no room for the status bar
  std::string status;              // what fits of the status bar's text
  std::optional<input_row> input;  // chat mode's input line, on the last row
  std::span<const entry> fresh;    // entries finished since the last frame (if collected)
  const entry* typing = nullptr;   // the entry being typed, if any

  // The transcript row at screen row y, or nullptr for a blank one.
  const layout_row* row_at(int y) const {
    const int top = text_rows - static_cast<int>(transcript.size());
    return y >= top && y < text_rows ? &transcript[static_cast<std::size_t>(y - top)] : nullptr;
  }
  // The highlighted byte ranges of row `r`, relative to the row's own text (r->begin).
  std::vector<std::pair<std::size_t, std::size_t>> marks(const layout_row& r) const;
};

// Builds one frame after another. It keeps the last frame's layout (layout_cache): while only
// the entry being typed changes, a frame wraps just that entry again.
class frame_builder {
 public:
  // `entries_only`: for a screen that prints finished entries and shows no rows (plain output),
  // so that no frame lays anything out.
  explicit frame_builder(bool entries_only = false) : entries_only_(entries_only) {}

  // The frame stays valid until the next build() or until the session changes.
  const frame& build(const session& s, std::span<const entry> fresh);

 private:
  void add_marker(std::uint64_t id, const transcript& t, frame& f);

  bool entries_only_;
  layout_cache layout_;
  std::vector<layout_row> marked_;  // the rows with the "── new ──" row in them
  frame frame_;
};

// The input line for an editor text with the cursor at cell `cursor_column`, in `cols` cells:
// the prompt ("> ") and the text, scrolled sideways so that the cursor stays in view.
input_row fit_input_line(std::string_view text, int cursor_column, int cols, std::string_view prompt = "> ");

}  // namespace echochat
