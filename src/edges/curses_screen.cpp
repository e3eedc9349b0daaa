// ncurses drawing. Only the io_context thread calls into here. Each frame rewrites in stdscr only
// the rows that changed since the last one, and sends them with one doupdate().
#include "echochat/edges/curses_screen.hpp"

#include "echochat/core/row_diff.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/core/text_width.hpp"
#include "echochat/edges/curses_terminal.hpp"
#include "echochat/edges/terminal_rescue.hpp"

#include <curses.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace echochat {
namespace {

// Bracketed paste (chat mode), on while the screen is ours and off whenever it is given back.
constexpr const char* paste_on = "\x1b[?2004h";
constexpr const char* paste_off = "\x1b[?2004l";
// Mouse reporting (--mouse): presses and releases (1000), in SGR form (1006).
constexpr const char* mouse_on = "\x1b[?1000h\x1b[?1006h";
constexpr const char* mouse_off = "\x1b[?1006l\x1b[?1000l";

enum pair_id : short { pair_you = 1, pair_slow, pair_net, pair_sys };

short pair_for(source s) {
  switch (s) {
    case source::you:
    case source::reply: return pair_you;
    case source::slow: return pair_slow;
    case source::net: return pair_net;
    case source::sys:
    case source::echo: return pair_sys;
  }
  return 0;
}

// Writes UTF-8 text into at most `cells` cells at the cursor; returns the cells used.
int put_text(std::string_view text, int cells) {
  const fitted f = fit_cells(text, cells);
  if (f.bytes > 0) addnstr(text.data(), static_cast<int>(f.bytes));
  return f.cells;
}

// Writes the cells of a row that differ between what it shows and `new_text` (both start at
// cell `x0` of screen row y): the edit from diff_row, then blanks for cells the old text had.
// A typed key rewrites one cell, where a whole row would be eighty for doupdate to compare.
// With `out`, the edit is also kept there (for draw()'s direct path), in attribute `attr`.
void edit_row(int y, int x0, std::string_view old_text, std::string_view new_text, int cells,
              std::vector<curses_screen::direct_edit>* out = nullptr, unsigned attr = 0) {
  const row_edit e = diff_row(old_text, new_text);
  if (e.empty()) return;
  move(y, x0 + e.column);
  const std::string_view text = new_text.substr(e.begin, e.end - e.begin);
  const fitted fit = fit_cells(text, cells - e.column);
  if (fit.bytes > 0) addnstr(text.data(), static_cast<int>(fit.bytes));
  int blanks = 0;
  for (; blanks < e.clear && e.column + fit.cells + blanks < cells; ++blanks) addch(' ');
  if (out != nullptr) out->push_back({y, x0 + e.column, attr, text.substr(0, fit.bytes), blanks});
}

// True for text the direct path may write itself: printable ASCII, a cell a byte.
bool plain_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

// "ESC [ row ; col H" (1-based), what xterm's and most terminals' cup gives without tparm.
void append_number(std::string& out, int n) {
  char digits[12];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  while (len > 0) out.push_back(digits[--len]);
}

void append_cup(std::string& out, int y, int x) {
  out.append("\x1b[");
  append_number(out, y + 1);
  out.push_back(';');
  append_number(out, x + 1);
  out.push_back('H');
}

// The "── new ──" row: a rule across the transcript with the word in it.
void put_marker_row(int y, int cols) {
  move(y, 0);
  clrtoeol();
  attron(A_BOLD);
  std::string rule = "── new ";
  for (int x = 7; x < cols; ++x) rule += "─";
  put_text(rule, cols);
  attroff(A_BOLD);
}

// An entry's first row starts with its time, dim, and its tag in the source's colour.
void put_time_and_tag(const char* clock, source src, bool color) {
  attron(A_DIM);
  addstr(clock);
  attroff(A_DIM);
  addch(' ');
  const short pair = color ? pair_for(src) : 0;
  const std::string_view tag = source_tag(src);
  attron(COLOR_PAIR(pair) | A_BOLD);
  addnstr(tag.data(), static_cast<int>(tag.size()));
  attroff(COLOR_PAIR(pair) | A_BOLD);
}

// The text, with the highlighted ranges (the current find match) in reverse video.
void put_marked_text(std::string_view text, const std::vector<std::pair<std::size_t, std::size_t>>& marks,
                     int cells) {
  int used = 0;
  std::size_t at = 0;
  for (const auto& [b, e] : marks) {
    used += put_text(text.substr(at, b - at), cells - used);
    attron(A_REVERSE);
    used += put_text(text.substr(b, e - b), cells - used);
    attroff(A_REVERSE);
    at = e;
  }
  put_text(text.substr(at), cells - used);
}

// The highlighted bytes of row `r` (none for a blank row or the marker row).
std::vector<std::pair<std::size_t, std::size_t>> marks_of(const frame& f, const layout_row* r) {
  if (r == nullptr || f.highlight.e == nullptr) return {};
  return f.marks(*r);
}

}  // namespace

curses_screen::curses_screen(bool color, bool chat, bool mouse) : chat_(chat), mouse_(mouse) {
  have_saved_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
  const curses_terminal started = start_curses();
  if (started.fell_back) {
    note_ = "TERM=" + sanitize(started.term) + " has no terminfo entry: drawing as " + fallback_terminal +
            " (--plain draws nothing)";
  }
  screen_ = started.screen;
  raw();
  noecho();
  nonl();
  typeahead(-1);  // we read the terminal ourselves; ncurses must not peek at it
  curs_set(chat_ ? 1 : 0);
  idlok(stdscr, FALSE);  // turned on by draw() for the frames where the transcript moved
  // The cursor goes where draw() leaves stdscr's (without the input line, a fixed cell, the
  // cursor hidden), so that after each doupdate the terminal's cursor is where draw() knows.
  leaveok(stdscr, FALSE);
  // The direct path (see draw()) writes cursor moves and three attributes itself: only for a
  // terminal whose cup is the ANSI one, and with terminfo's own strings for the attributes.
  direct_capable_ = terminfo_string("cup") == "\x1b[%i%p1%d;%p2%dH";
  rev_ = terminfo_string("rev");
  dim_ = terminfo_string("dim");
  sgr0_ = terminfo_string("sgr0");
  if (rev_.empty() || sgr0_.empty()) direct_capable_ = false;
  if (chat_) std::fputs(paste_on, stdout);  // a paste arrives marked, as one piece, not as keys
  if (mouse_) std::fputs(mouse_on, stdout);
  std::fflush(stdout);
  if (have_saved_) {
    // What a fatal signal must write to give the screen back: terminfo's own escapes.
    std::string leave = terminfo_leave_escapes();
    if (chat_) leave += paste_off;
    if (mouse_) leave += mouse_off;
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

void curses_screen::restore_cursor() {
  if (cursor_y_ == believed_y_ && cursor_x_ == believed_x_) return;
  std::string out;
  append_cup(out, believed_y_, believed_x_);
  write_out(out);
  cursor_y_ = believed_y_;
  cursor_x_ = believed_x_;
}

void curses_screen::write_out(std::string_view bytes) {
  std::fflush(stdout);
  for (std::size_t off = 0; off < bytes.size();) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {  // a terminal shared in non-blocking mode (EWOULDBLOCK is EAGAIN on Linux)
        pollfd fd{STDOUT_FILENO, POLLOUT, 0};
        ::poll(&fd, 1, -1);
        continue;
      }
      return;  // the terminal is gone: ncurses' own writes will fail the same way
    }
    off += static_cast<std::size_t>(n);
  }
}

void curses_screen::leave_terminal() {
  restore_cursor();  // endwin moves the cursor from where ncurses believes it is
  if (chat_) std::fputs(paste_off, stdout);
  if (mouse_) std::fputs(mouse_off, stdout);
  std::fflush(stdout);
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
  if (chat_) std::fputs(paste_on, stdout);
  if (mouse_) std::fputs(mouse_on, stdout);
  std::fflush(stdout);
  clearok(curscr, TRUE);
  redraw_all_ = true;
}

term_size curses_screen::size() { return {LINES, COLS}; }

term_size curses_screen::resize() {
  clearok(curscr, TRUE);  // a resize (or a SIGCONT) may have left anything on the screen
  redraw_all_ = true;
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    resizeterm(ws.ws_row, ws.ws_col);
  }
  return size();
}

bool curses_screen::drawn_row::shows(const layout_row* r,
                                     const std::vector<std::pair<std::size_t, std::size_t>>& want) const {
  if (r == nullptr) return blank;
  if (r->marker || marker) return !blank && r->marker && marker;
  if (blank || first != r->first || marks != want) return false;
  if (r->first && (time != r->e->time || src != r->e->src)) return false;
  return text == std::string_view{r->e->text}.substr(r->begin, r->end - r->begin);
}

const char* curses_screen::clock_text(std::time_t t) {
  if (t != clock_for_) {
    std::tm tm{};
    localtime_r(&t, &tm);
    std::snprintf(clock_, sizeof clock_, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    clock_for_ = t;
  }
  return clock_;
}

void curses_screen::draw_row(int y, const layout_row* r, int prefix, int cols,
                             std::vector<std::pair<std::size_t, std::size_t>> marks) {
  drawn_row& d = drawn_[static_cast<std::size_t>(y)];
  if (r != nullptr && r->marker) {
    direct_ok_ = false;
    put_marker_row(y, cols);
    d = drawn_row{};
    d.blank = false;
    d.marker = true;
    return;
  }
  const std::string_view text =
      r != nullptr ? std::string_view{r->e->text}.substr(r->begin, r->end - r->begin) : std::string_view{};
  if (r != nullptr && !d.blank && !d.marker && marks.empty() && d.marks.empty() && d.first == r->first &&
      (!r->first || prefix == 0 || (d.time == r->e->time && d.src == r->e->src))) {
    // The same row of the same entry, grown or shrunk (typing, Backspace): the time and tag
    // stay, and only the cells of the text that differ are written.
    const attr_t dim = r->e->src == source::reply ? A_DIM : 0;  // sent without typing
    attron(dim);
    edit_row(y, prefix, d.text, text, cols - prefix, &direct_, dim);
    attroff(dim);
    d.time = r->e->time;
    d.src = r->e->src;
    d.text.assign(text);
    return;
  }
  direct_ok_ = false;  // a whole row: ncurses draws it
  move(y, 0);
  clrtoeol();
  d.blank = r == nullptr;
  d.marker = false;
  d.marks = std::move(marks);
  if (r == nullptr) {
    d.text.clear();
    d.marks.clear();
    return;
  }
  if (prefix > 0 && r->first) put_time_and_tag(clock_text(r->e->time), r->e->src, color_);
  move(y, prefix);
  const attr_t dim = r->e->src == source::reply ? A_DIM : 0;  // sent without typing
  attron(dim);
  put_marked_text(text, d.marks, cols - prefix);
  attroff(dim);
  d.first = r->first;
  d.time = r->e->time;
  d.src = r->e->src;
  d.text.assign(text);
}

bool curses_screen::scroll_rows(const frame& f) {
  // When new rows came in at the bottom (or PgUp/PgDn moved the view), the rows still shown have
  // moved: find by how much, and move them in stdscr instead of writing them again. ncurses then
  // sees the moved lines and scrolls the terminal instead of sending them again.
  const int text_rows = f.text_rows;
  auto moved_by = [&](int d) {  // d > 0: up (new rows at the bottom); d < 0: down
    bool any = false;
    for (int y = std::max(0, -d); y < std::min(text_rows, text_rows - d); ++y) {
      const layout_row* r = f.row_at(y);
      // NOLINTNEXTLINE(bugprone-misplaced-widening-cast): y + d is a row, 0 to text_rows
      if (!drawn_[static_cast<std::size_t>(y + d)].shows(r, marks_of(f, r))) return false;
      any = any || r != nullptr;
    }
    return any;  // blank rows moving past each other are no scroll
  };
  for (int d = 1; d < text_rows; ++d) {
    for (const int shift : {d, -d}) {
      if (!moved_by(shift)) continue;
      scrollok(stdscr, TRUE);  // only for wscrl: text written to the last column must not scroll
      wscrl(stdscr, shift);
      scrollok(stdscr, FALSE);
      // The rows' records move with them; the rows scrolled in are blank, as wscrl left them.
      const auto first = drawn_.begin();
      const auto end = first + text_rows;
      const auto fresh = shift > 0 ? std::rotate(first, first + shift, end) : first;
      if (shift < 0) std::rotate(first, end + shift, end);
      for (auto it = fresh; it != fresh + std::abs(shift); ++it) it->blank = true;
      return true;
    }
  }
  return false;
}

void curses_screen::draw(const frame& f) {
  direct_.clear();
  direct_ok_ = direct_capable_;
  start_frame(f);
  const bool scrolled = draw_transcript(f);
  if (f.status_row >= 0) draw_status(f);
  const int cursor_y = f.rows - 1;  // without the input line the hidden cursor rests here
  int cursor_x = 0;
  if (f.input) {
    edit_row(f.rows - 1, 0, drawn_input_, f.input->text, f.cols, &direct_, 0);
    drawn_input_ = f.input->text;
    cursor_x = std::clamp(f.input->cursor, 0, std::max(f.cols - 1, 0));
  }
  move(cursor_y, cursor_x);
  if (direct_ok_ && write_direct(f.cols, cursor_y, cursor_x)) return;
  // Insert/delete-line moves are for frames where the transcript moved; other frames change a
  // row or two in place.
  restore_cursor();
  idlok(stdscr, scrolled ? TRUE : FALSE);
  wnoutrefresh(stdscr);
  doupdate();
  // leaveok is off: doupdate leaves the terminal's cursor at stdscr's, and believes it there.
  believed_y_ = cursor_y_ = getcury(stdscr);
  believed_x_ = cursor_x_ = getcurx(stdscr);
}

void curses_screen::start_frame(const frame& f) {
  const int text_rows = std::max(f.text_rows, 0);
  if (!redraw_all_ && f.rows == frame_lines_ && f.cols == frame_cols_ && text_rows == frame_text_rows_)
    return;
  direct_ok_ = false;
  // Start from a blank window: every row, the separator and the status bar are drawn anew.
  werase(stdscr);
  drawn_.assign(static_cast<std::size_t>(text_rows), drawn_row{});
  status_drawn_ = false;
  drawn_input_.clear();
  if (text_rows > 0) {
    wsetscrreg(stdscr, 0, text_rows - 1);
    mvhline(text_rows, 0, ACS_HLINE, f.cols);
  }
  redraw_all_ = false;
  frame_lines_ = f.rows;
  frame_cols_ = f.cols;
  frame_text_rows_ = text_rows;
}

bool curses_screen::draw_transcript(const frame& f) {
  const int text_rows = std::max(f.text_rows, 0);
  // Each row compared with what it shows once; a typed key changes one row.
  stale_.assign(static_cast<std::size_t>(text_rows), 0);
  int changed = 0;
  for (int y = 0; y < text_rows; ++y) {
    const layout_row* r = f.row_at(y);
    if (!drawn_[static_cast<std::size_t>(y)].shows(r, marks_of(f, r))) {
      stale_[static_cast<std::size_t>(y)] = 1;
      ++changed;
    }
  }
  // More than one row changed is usually the transcript moving: after a scroll the rows are
  // compared again, as they moved.
  const bool scrolled = changed > 1 && scroll_rows(f);
  if (scrolled) direct_ok_ = false;
  for (int y = 0; y < text_rows; ++y) {
    if (!scrolled && stale_[static_cast<std::size_t>(y)] == 0) continue;
    const layout_row* r = f.row_at(y);
    auto marks = marks_of(f, r);
    if (!scrolled || !drawn_[static_cast<std::size_t>(y)].shows(r, marks))
      draw_row(y, r, f.prefix, f.cols, std::move(marks));
  }
  return scrolled;
}

void curses_screen::draw_status(const frame& f) {
  attron(A_REVERSE);
  if (!status_drawn_) {
    direct_ok_ = false;
    move(f.status_row, 0);
    const int used = put_text(f.status, f.cols);
    for (int x = used; x < f.cols; ++x) addch(' ');
  } else if (f.status != drawn_status_) {
    // A count ticks: a cell or two.
    edit_row(f.status_row, 0, drawn_status_, f.status, f.cols, &direct_, A_REVERSE);
  }
  attroff(A_REVERSE);
  drawn_status_ = f.status;
  status_drawn_ = true;
}

// The direct path. A typed key changes a cell or two of one row and the status bar's count:
// for that, doupdate compares whole rows and works out the cheapest cursor moves, several times
// the work of the rest of the frame. When every change of this frame is such an edit, of
// printable ASCII short of the last column, in no attribute or one of reverse and dim (the
// status bar, a reply's row), it is written here as cursor moves, attributes and text, and the
// same cells are written into curscr, ncurses' record of the terminal, so that its next doupdate
// finds them there already; stdscr has them too, and the next wnoutrefresh copies them to newscr.
// ncurses believes the cursor where its last doupdate left it: the slow path's restore_cursor()
// puts it back there first.
bool curses_screen::write_direct(int cols, int cursor_y, int cursor_x) {
  for (const direct_edit& e : direct_) {
    if (e.x + static_cast<int>(e.text.size()) + e.blanks >= cols || !plain_ascii(e.text)) return false;
    if (e.attr != 0 && e.attr != A_REVERSE && !(e.attr == A_DIM && !dim_.empty())) return false;
  }
  out_.clear();
  for (const direct_edit& e : direct_) {
    append_cup(out_, e.y, e.x);
    if (e.attr != 0) out_ += e.attr == A_REVERSE ? rev_ : dim_;
    out_.append(e.text);
    out_.append(static_cast<std::size_t>(e.blanks), ' ');
    if (e.attr != 0) out_ += sgr0_;
    wattrset(curscr, static_cast<int>(e.attr));
    mvwaddnstr(curscr, e.y, e.x, e.text.data(), static_cast<int>(e.text.size()));
    for (int i = 0; i < e.blanks; ++i) waddch(curscr, ' ');
  }
  wattrset(curscr, A_NORMAL);
  wmove(curscr, believed_y_, believed_x_);
  if (cursor_y != cursor_y_ || cursor_x != cursor_x_ || !direct_.empty())
    append_cup(out_, cursor_y, cursor_x);
  write_out(out_);
  cursor_y_ = cursor_y;
  cursor_x_ = cursor_x;
  return true;
}

}  // namespace echochat
