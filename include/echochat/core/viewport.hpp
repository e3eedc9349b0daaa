// Which part of the transcript the screen shows: the screen's size, the rows the transcript gets
// on it, and how far the view is scrolled back from the live end.
#pragma once

#include <string_view>

namespace echochat {

class transcript;

class viewport {
 public:
  // `bar_rows`: the rows below the transcript (the status bar, and the input line in chat mode).
  explicit viewport(int bar_rows = 1) : bars_(bar_rows) {}

  // The screen's new size; nonsense sizes are taken as 1x1.
  void resize(int rows, int cols);
  int rows() const { return rows_; }
  int cols() const { return cols_; }

  // The rows the transcript gets: all but the bars and, when there is room, a separator.
  int transcript_rows() const;

  // Rows scrolled back from the live end (0: live).
  int scroll() const { return scroll_; }
  // A page back, clamped at the top of `t`, so that PgDn moves at once after paging past it.
  void page_up(const transcript& t);
  void page_down();
  // `n` rows back (clamped at the top of `t`) or forward: the mouse wheel.
  void scroll_up(int n, const transcript& t);
  void scroll_down(int n);
  // Exactly `rows` rows back from the live end (clamped when the frame is laid out).
  void scroll_to(int rows);
  // Typing, sending: back to the live end.
  void to_live() { scroll_ = 0; }
  // A finished entry with `text` came in below the view: while scrolled back, the view moves up
  // with the rows it takes, so that what the user is reading stays where it is.
  void hold(std::string_view text);

 private:
  int page() const;

  int bars_;
  int rows_ = 24;
  int cols_ = 80;
  int scroll_ = 0;
};

}  // namespace echochat
