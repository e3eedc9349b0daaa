// The transcript model: timed, tagged entries with bounded scrollback, the `you` entry being
// typed, and its layout into screen rows. Pure: the caller supplies the time.
#pragma once

#include <cstdint>
#include <ctime>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// echo: echo mode's result lines (plain output prints them without a tag, as ping prints them).
// reply: a line sent without typing (a --reply answer), shown dimmed.
enum class source : std::uint8_t { you, slow, net, sys, echo, reply };

// The tag shown for a source: "you", "slow", "net", "sys".
std::string_view source_tag(source s);

struct entry {
  std::time_t time = 0;
  source src = source::you;
  std::string text;  // valid UTF-8 with no control characters
  // Where each named-key token ("<Up>") of the entry being typed stands, so Backspace removes a
  // token whole. Emptied when the entry is finished.
  struct token_span {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
  };
  std::vector<token_span> tokens;
};

// A zero-width character (a combining mark) at the start of an entry would attach to the last
// cell of the time and tag drawn before it: it goes on U+25CC (◌), as Unicode shows a mark alone.
void mark_leading_combining(std::string& text);

class transcript {
 public:
  // Scrollback keeps the newest finished entries: at most this many, and at most this much text
  // (a peer sending lines of 64 KiB would otherwise hold 640 MiB in 10,000 entries). The newest
  // entry stays whatever its size.
  static constexpr std::size_t default_capacity = 10'000;
  static constexpr std::size_t default_byte_capacity = 4 * 1024 * 1024;

  explicit transcript(std::size_t capacity = default_capacity,
                      std::size_t byte_capacity = default_byte_capacity)
      : capacity_(capacity), byte_capacity_(byte_capacity) {}

  // A finished entry. If the user is typing, it goes above the line being typed, which stays
  // at the bottom.
  void add(std::time_t when, source src, std::string text);

  // Typing into the open `you` entry (opened on first use).
  void type(std::time_t when, std::string_view text);
  void type_token(std::time_t when, std::string_view token);
  // Removes the last character (or named-key token) of the open entry; false if nothing to remove.
  bool backspace();
  // Enter: the open entry (or an empty one) becomes a finished entry.
  void finish_typing(std::time_t when);

  // An entry shown earlier learns more (echo mode marks a line lost on its own `you` entry):
  // `more` (valid UTF-8, no controls) goes on the end of finished entry `id`. False, and nothing
  // changes, when that entry is no longer kept. Counted in amendments(), so a layout made
  // before it is known to be stale.
  bool amend(std::uint64_t id, std::string_view more);

  const std::deque<entry>& finished() const { return finished_; }
  const std::optional<entry>& typing() const { return typing_; }
  // Entries ever finished, scrolled-out ones included: a plain-output cursor counts against it.
  // It is also how an entry is named for good: the entry finished when this was n has id n.
  std::uint64_t finished_total() const { return finished_total_; }
  // The id of the oldest finished entry kept.
  std::uint64_t first_id() const { return finished_total_ - finished_.size(); }
  // Finished entry `id`, or nullptr when it is not (or no longer) kept.
  const entry* find(std::uint64_t id) const;
  // How many times an entry was amended: unchanged, no finished entry's text changed.
  std::uint64_t amendments() const { return amendments_; }
  std::size_t size() const { return finished_.size() + (typing_ ? 1 : 0); }
  // Bytes of text in the finished entries kept.
  std::size_t finished_bytes() const { return finished_bytes_; }
  // The i-th entry from the top of the kept scrollback (the open entry last).
  const entry& at(std::size_t i) const { return i < finished_.size() ? finished_[i] : *typing_; }

 private:
  void push_finished(entry e);
  void trim();

  std::size_t capacity_;
  std::size_t byte_capacity_;
  std::size_t finished_bytes_ = 0;
  std::deque<entry> finished_;
  std::optional<entry> typing_;
  std::uint64_t finished_total_ = 0;
  std::uint64_t amendments_ = 0;
};

// One screen row of the transcript: part of an entry's text.
struct layout_row {
  const entry* e = nullptr;
  std::size_t begin = 0;  // byte range of e->text on this row
  std::size_t end = 0;
  bool first = false;   // the entry's first row (shows the time and tag)
  bool marker = false;  // not an entry's row: the "── new ──" row (e is nullptr)
};

// Splits an entry's text into rows of at most `width` cells (at least one row, even if empty).
// Wide characters never straddle a row boundary.
void wrap_text(std::string_view text, int width, std::vector<std::pair<std::size_t, std::size_t>>& rows);

// Width of the "HH:MM:SS tag   " prefix for a screen `cols` wide (0 when too narrow for it).
int prefix_width(int cols);
// Width of an entry's text on a screen `cols` wide: what the prefix leaves, at least one cell.
int text_width_for(int cols);

// The rows visible in a window `height` rows tall and `cols` wide, scrolled `scroll` rows up from
// the live end (clamped). Returns the rows top to bottom and the scroll actually applied.
struct visible_rows {
  std::vector<layout_row> rows;
  int scroll = 0;
  bool at_top = false;
};
visible_rows layout(const transcript& t, int cols, int height, int scroll);

// layout() for one frame after another. While the finished entries, the size and the scroll stay
// as they were (the user is typing), a frame wraps only the entry being typed again and reuses
// the other rows; otherwise (an entry added or amended, a new size or scroll) it lays everything
// out. Gives exactly what layout() gives.
class layout_cache {
 public:
  const visible_rows& update(const transcript& t, int cols, int height, int scroll);

 private:
  visible_rows view_;
  const transcript* of_ = nullptr;
  std::uint64_t finished_total_ = 0;  // unchanged: no entry was added, so none was dropped
  std::uint64_t amendments_ = 0;      // unchanged: no finished entry's text grew
  int cols_ = -1;
  int height_ = -1;
  int scroll_ = -1;
  const entry* typing_ = nullptr;  // the open entry at the bottom of view_, if any
  std::size_t typing_rows_ = 0;    // how many of view_'s rows are its
  std::vector<std::pair<std::size_t, std::size_t>> pieces_;
};

}  // namespace echochat
