// The terminal screen: ncurses on the alternate screen. Constructed, it owns the terminal;
// destroyed (also by an exception unwinding), it gives the terminal back exactly as it found it.
#pragma once

#include "echochat/edges/curses_terminal.hpp"
#include "echochat/edges/screen.hpp"

#include <ctime>
#include <string>
#include <string_view>
#include <termios.h>
#include <utility>
#include <vector>

namespace echochat {

class curses_screen final : public screen {
 public:
  // Takes over the terminal on fds 0 (input modes) and 1 (output). `color`: false under NO_COLOR.
  // `chat`: shows the input line and its cursor, and turns bracketed paste on. `mouse`: turns on
  // SGR 1006 mouse reporting (for the wheel), off whenever the terminal is given back.
  curses_screen(bool color, bool chat, bool mouse = false);
  ~curses_screen() override;
  curses_screen(const curses_screen&) = delete;
  curses_screen& operator=(const curses_screen&) = delete;

  term_size size() override;
  term_size resize() override;
  void draw(const frame& f) override;
  void finish(const frame&) override {}
  void suspend() override;
  void resume() override;
  // What to say in a `sys` entry about how the terminal is driven (TERM had no terminfo entry
  // and it draws as xterm-256color), or nothing.
  const std::string& note() const { return note_; }

 private:
  // What the last frame put on one transcript row: the next frame redraws only the rows whose
  // content differs (a copy, not the entry's address, which a new entry may reuse and whose text
  // an amendment may change).
  struct drawn_row {
    bool blank = true;                                       // no entry on this row
    bool first = false;                                      // the entry's first row: shows its time and tag
    bool marker = false;                                     // the "── new ──" row
    std::vector<std::pair<std::size_t, std::size_t>> marks;  // highlighted bytes of `text`
    std::time_t time = 0;
    source src = source::you;
    std::string text;
    // True when the row shows what `r` (nullptr: no entry) would draw, highlighted at `marks`.
    bool shows(const layout_row* r, const std::vector<std::pair<std::size_t, std::size_t>>& marks) const;
  };
  void leave_terminal();
  void draw_row(int y, const layout_row* r, int prefix, int cols,
                std::vector<std::pair<std::size_t, std::size_t>> marks);
  bool scroll_rows(const frame& f);
  // A frame of another size, or after redraw(): a blank window, everything drawn anew.
  void start_frame(const frame& f);
  // The transcript's rows that changed; true when the transcript moved (scrolled).
  bool draw_transcript(const frame& f);
  void draw_status(const frame& f);
  const char* clock_text(std::time_t t);
  bool write_direct(int cols, int cursor_y, int cursor_x);
  void restore_cursor();
  static void write_out(std::string_view bytes);

  std::string note_;
  std::vector<drawn_row> drawn_;
  std::vector<unsigned char>
      stale_;                 // draw()'s rows that differ from what they show (kept: no allocation a frame)
  std::string drawn_status_;  // the status bar's text as shown (what fits of it)
  std::string drawn_input_;   // the chat input line as shown, prompt included
  bool status_drawn_ = false;
  bool redraw_all_ = true;  // a new size, or a screen that may show anything: start afresh
  int frame_lines_ = -1;
  int frame_cols_ = -1;
  int frame_text_rows_ = -1;
  std::time_t clock_for_ = -1;  // the time clock_ shows: entries come in runs of one second
  char clock_[16] = {};

  termios saved_{};
  bool have_saved_ = false;
  bool color_ = false;
  bool chat_ = false;
  bool mouse_ = false;
  void* screen_ = nullptr;  // ncurses' SCREEN*, kept opaque so <curses.h> stays in one file

 public:
  // One edit of a frame, as draw()'s direct path writes it: at row y, cell x, in attribute
  // `attr` (curses' attr_t bits), `text` then `blanks` blanks. `text` points into the frame.
  struct direct_edit {
    int y = 0;
    int x = 0;
    unsigned attr = 0;
    std::string_view text;
    int blanks = 0;
  };

 private:
  std::vector<direct_edit> direct_;  // this frame's edits
  bool direct_ok_ = false;           // every change of this frame so far is an edit
  bool direct_capable_ = false;      // the terminal's cup is the ANSI one, and rev and sgr0 exist
  std::string rev_, dim_, sgr0_;     // terminfo's strings
  std::string out_;                  // the direct path's bytes
  // Where the terminal's cursor is, and where ncurses believes it is (its last doupdate's).
  int cursor_y_ = 0, cursor_x_ = 0, believed_y_ = 0, believed_x_ = 0;
};

}  // namespace echochat
