#include "echochat/edges/curses_terminal.hpp"

#include "echochat/core/sanitize.hpp"

#include <curses.h>

#include <cstdlib>
#include <string_view>

namespace echochat {

curses_terminal start_curses() {
  const char* term = std::getenv("TERM");
  if (term == nullptr || *term == '\0') throw terminal_unusable("TERM is not set");
  if (std::string_view{term} == "dumb") throw terminal_unusable("TERM=dumb cannot show a screen");
  curses_terminal t;
  t.term = term;
  t.screen = newterm(nullptr, stdout, stdin);
  if (t.screen == nullptr) {
    // Kitty, Alacritty, foot, st...: their entries come with ncurses-term, often missing on a
    // server reached over ssh, and they speak xterm's language (vim keeps xterm codes for this).
    t.screen = newterm(fallback_terminal, stdout, stdin);
    if (t.screen == nullptr)
      throw terminal_unusable(std::string{"unknown terminal type '"} + sanitize(term) + "'");
    t.fell_back = true;
  }
  return t;
}

std::string terminfo_string(const char* cap) {
  const char* seq = tigetstr(cap);
  // NOLINTNEXTLINE(performance-no-int-to-ptr): tigetstr answers (char*)-1 for "not a string"
  return seq != nullptr && seq != reinterpret_cast<char*>(-1) ? seq : "";
}

std::string terminfo_leave_escapes() {
  std::string leave;
  for (const char* cap : {"sgr0", "cnorm", "rmcup"}) leave += terminfo_string(cap);
  return leave;
}

}  // namespace echochat
