#include "echochat/edges/load_screen.hpp"

#include "echochat/core/text_width.hpp"
#include "echochat/edges/curses_terminal.hpp"
#include "echochat/edges/terminal_rescue.hpp"

#include <curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace echochat {

load_screen::load_screen() {
  have_saved_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
  screen_ = start_curses().screen;
  cbreak();  // Ctrl-C stays a signal: it stops the run like q
  noecho();
  typeahead(-1);  // the input thread reads the terminal; ncurses must not peek at it
  curs_set(0);
  if (have_saved_) arm_terminal_rescue(saved_, terminfo_leave_escapes());
}

load_screen::~load_screen() {
  endwin();
  delscreen(static_cast<SCREEN*>(screen_));
  if (have_saved_) ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
  disarm_terminal_rescue();
}

std::pair<int, int> load_screen::size() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    if (ws.ws_row != LINES || ws.ws_col != COLS) resizeterm(ws.ws_row, ws.ws_col);
  }
  return {LINES, COLS};
}

void load_screen::draw(const std::vector<std::string>& rows) {
  erase();
  const int cols = COLS;
  for (std::size_t y = 0; y < rows.size() && static_cast<int>(y) < LINES; ++y) {
    // Cut to the width in cells, never inside a character.
    const std::size_t bytes = fit_cells(rows[y], cols).bytes;
    mvaddnstr(static_cast<int>(y), 0, rows[y].data(), static_cast<int>(bytes));
  }
  refresh();
}

}  // namespace echochat
