// The terminal screen: ncurses on the alternate screen. Constructed, it owns the terminal;
// destroyed (also by an exception unwinding), it gives the terminal back exactly as it found it.
#pragma once

#include "echochat/edges/screen.hpp"

#include <stdexcept>
#include <termios.h>

namespace echochat {

// The terminal cannot be driven (unknown TERM, a dumb terminal): the caller falls back to plain.
struct terminal_unusable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class curses_screen final : public screen {
 public:
  // Takes over the terminal on fds 0 (input modes) and 1 (output). `color`: false under NO_COLOR.
  // `chat`: shows the input line and its cursor, and turns bracketed paste on.
  curses_screen(bool color, bool chat);
  ~curses_screen() override;
  curses_screen(const curses_screen&) = delete;
  curses_screen& operator=(const curses_screen&) = delete;

  term_size size() override;
  term_size resize() override;
  void draw(const session& s, std::span<const entry> fresh) override;
  void finish(const session&) override {}
  void suspend() override;
  void resume() override;

 private:
  void leave_terminal();
  termios saved_{};
  bool have_saved_ = false;
  bool color_ = false;
  bool chat_ = false;
  void* screen_ = nullptr;  // ncurses' SCREEN*, kept opaque so <curses.h> stays in one file
};

}  // namespace echochat
