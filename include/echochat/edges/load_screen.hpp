// Load mode's live view: rows of text redrawn once a second on the alternate screen. Constructed,
// it owns the terminal; destroyed (an exception unwinding too), it gives it back as it found it.
#pragma once

#include <string>
#include <vector>

#include <termios.h>

namespace echochat {

class load_screen {
 public:
  // Throws terminal_unusable (curses_terminal.hpp) when the terminal cannot be driven.
  load_screen();
  ~load_screen();
  load_screen(const load_screen&) = delete;
  load_screen& operator=(const load_screen&) = delete;

  // The size now (rows, columns), after a SIGWINCH too.
  std::pair<int, int> size();
  // Shows `rows`, top to bottom, each cut to the width; the rest of the screen blank.
  void draw(const std::vector<std::string>& rows);

 private:
  termios saved_{};
  bool have_saved_ = false;
  void* screen_ = nullptr;  // ncurses' SCREEN*
};

}  // namespace echochat
