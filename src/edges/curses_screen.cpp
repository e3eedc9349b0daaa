// ncurses drawing. Only the io_context thread calls into here. Each frame is drawn into
// stdscr and sent with one doupdate(), so ncurses writes only the cells that changed.
#include "echochat/edges/curses_screen.hpp"

#include "echochat/core/line_editor.hpp"
#include "echochat/core/text_width.hpp"
#include "echochat/core/transcript.hpp"
#include "echochat/edges/terminal_rescue.hpp"

#include <curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace echochat {
namespace {

enum pair_id : short { pair_you = 1, pair_slow, pair_net, pair_sys };

short pair_for(source s) {
  switch (s) {
    case source::you: return pair_you;
    case source::slow: return pair_slow;
    case source::net: return pair_net;
    case source::sys: return pair_sys;
  }
  return 0;
}

// Writes UTF-8 text into at most `cells` cells at the cursor; returns the cells used.
int put_text(std::string_view text, int cells) {
  int used = 0;
  char32_t c = 0;
  std::size_t i = 0;
  for (; i < text.size();) {
    const std::size_t n = next_char(text, i, c);
    const int w = char_width(c);
    if (used + w > cells) break;
    used += w;
    i += n;
  }
  if (i > 0) addnstr(text.data(), static_cast<int>(i));
  return used;
}

std::string clock_text(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// The chat input line: "> " and the text, scrolled sideways so that the cursor stays in view.
void draw_input_line(const line_editor& editor, int row, int cols) {
  move(row, 0);
  const int prompt = cols >= 4 ? 2 : 0;
  if (prompt > 0) addstr("> ");
  const int room = std::max(cols - prompt - 1, 1);  // keep a cell for the cursor at the end
  const auto column = static_cast<int>(editor.cursor_column(char_width));
  std::string_view text = editor.text();
  int skip = column >= room ? column - room + 1 : 0;
  char32_t c = 0;
  std::size_t i = 0;
  int skipped = 0;
  while (i < text.size() && skipped < skip) {
    const std::size_t n = next_char(text, i, c);
    skipped += char_width(c);
    i += n;
  }
  put_text(text.substr(i), cols - prompt);
  move(row, std::min(prompt + column - skipped, cols - 1));
}

}  // namespace

curses_screen::curses_screen(bool color, bool chat) : chat_(chat) {
  have_saved_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
  const char* term = std::getenv("TERM");
  if (term == nullptr || *term == '\0') throw terminal_unusable("TERM is not set");
  if (std::string_view{term} == "dumb") throw terminal_unusable("TERM=dumb cannot show a screen");
  SCREEN* scr = newterm(nullptr, stdout, stdin);
  if (scr == nullptr) throw terminal_unusable(std::string{"unknown terminal type '"} + term + "'");
  screen_ = scr;
  raw();
  noecho();
  nonl();
  typeahead(-1);  // we read the terminal ourselves; ncurses must not peek at it
  curs_set(chat_ ? 1 : 0);
  idlok(stdscr, TRUE);
  leaveok(stdscr, chat_ ? FALSE : TRUE);
  if (chat_) {
    // Bracketed paste: a paste arrives marked, as one piece, instead of as typed keys.
    std::fputs("\x1b[?2004h", stdout);
    std::fflush(stdout);
  }
  if (have_saved_) {
    // What a fatal signal must write to give the screen back: terminfo's own escapes.
    std::string leave;
    for (const char* cap : {"sgr0", "cnorm", "rmcup"}) {
      const char* seq = tigetstr(cap);
      if (seq != nullptr && seq != reinterpret_cast<char*>(-1)) leave += seq;
    }
    if (chat_) leave += "\x1b[?2004l";
    arm_terminal_rescue(saved_, leave);
  }
  color_ = color && has_colors();
  if (color_) {
    start_color();
    use_default_colors();
    init_pair(pair_you, COLOR_GREEN, -1);
    init_pair(pair_slow, COLOR_YELLOW, -1);
    init_pair(pair_net, COLOR_CYAN, -1);
    init_pair(pair_sys, COLOR_MAGENTA, -1);
  }
}

void curses_screen::leave_terminal() {
  if (chat_) {
    std::fputs("\x1b[?2004l", stdout);
    std::fflush(stdout);
  }
  endwin();
  // ncurses restores the modes it saw at start-up; ours were read before it touched anything.
  if (have_saved_) ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
}

curses_screen::~curses_screen() {
  if (screen_ != nullptr) {
    leave_terminal();
    delscreen(static_cast<SCREEN*>(screen_));
  } else if (have_saved_) {
    ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
  }
  disarm_terminal_rescue();
}

void curses_screen::suspend() { leave_terminal(); }

void curses_screen::resume() {
  // The shell may have changed the modes while we were stopped: take the terminal again.
  reset_prog_mode();
  if (chat_) {
    std::fputs("\x1b[?2004h", stdout);
    std::fflush(stdout);
  }
  clearok(curscr, TRUE);
}

term_size curses_screen::size() { return {LINES, COLS}; }

term_size curses_screen::resize() {
  clearok(curscr, TRUE);  // a resize (or a SIGCONT) may have left anything on the screen
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    resizeterm(ws.ws_row, ws.ws_col);
  }
  return size();
}

void curses_screen::draw(const session& s, std::span<const entry>) {
  const int rows = LINES;
  const int cols = COLS;
  werase(stdscr);
  const int text_rows = s.transcript_rows();
  const int prefix = prefix_width(cols);
  const visible_rows view = layout(s.log(), cols, text_rows, s.scroll_rows());
  int y = text_rows - static_cast<int>(view.rows.size());  // newest at the bottom
  for (const layout_row& r : view.rows) {
    move(y, 0);
    if (prefix > 0 && r.first) {
      attron(A_DIM);
      addstr(clock_text(r.e->time).c_str());
      attroff(A_DIM);
      addch(' ');
      const short pair = color_ ? pair_for(r.e->src) : 0;
      attron(COLOR_PAIR(pair) | A_BOLD);
      addnstr(source_tag(r.e->src).data(), static_cast<int>(source_tag(r.e->src).size()));
      attroff(COLOR_PAIR(pair) | A_BOLD);
    }
    move(y, prefix);
    put_text(std::string_view{r.e->text}.substr(r.begin, r.end - r.begin), cols - prefix);
    ++y;
  }
  const int status_row = chat_ ? rows - 2 : rows - 1;
  if (text_rows > 0) mvhline(text_rows, 0, ACS_HLINE, cols);
  if (status_row >= 0) {
    move(status_row, 0);
    attron(A_REVERSE);
    const int used = put_text(s.status_line(), cols);
    for (int x = used; x < cols; ++x) addch(' ');
    attroff(A_REVERSE);
  }
  if (chat_) draw_input_line(s.input_line(), rows - 1, cols);
  wnoutrefresh(stdscr);
  doupdate();
}

}  // namespace echochat
