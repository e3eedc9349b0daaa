#include "echochat/edges/load_screen.hpp"

#include "echochat/core/text_width.hpp"
#include "echochat/edges/curses_screen.hpp"
#include "echochat/edges/terminal_rescue.hpp"

#include <curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace echochat {

namespace {

std::string capability(const char* name) {
  const char* s = tigetstr(name);
  // NOLINTNEXTLINE(performance-no-int-to-ptr): tigetstr answers (char*)-1 for "not a string"
  if (s == nullptr || s == reinterpret_cast<const char*>(-1)) return {};
  return s;
}

}  // namespace

load_screen::load_screen() {
  have_saved_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
  const char* term = std::getenv("TERM");
  if (term == nullptr || *term == '\0') throw terminal_unusable("TERM is not set");
  if (std::string_view{term} == "dumb") throw terminal_unusable("TERM=dumb cannot show a screen");
  SCREEN* scr = newterm(nullptr, stdout, stdin);
  if (scr == nullptr) scr = newterm("xterm-256color", stdout, stdin);
  if (scr == nullptr) throw terminal_unusable("unknown terminal type");
  screen_ = scr;
  cbreak();  // Ctrl-C stays a signal: it stops the run like q
  noecho();
  typeahead(-1);  // the input thread reads the terminal; ncurses must not peek at it
  curs_set(0);
  if (have_saved_) {
    std::string leave;
    for (const char* cap : {"sgr0", "cnorm", "rmcup"}) leave += capability(cap);
    arm_terminal_rescue(saved_, leave);
  }
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
