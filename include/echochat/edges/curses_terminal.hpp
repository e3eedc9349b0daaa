// Starting ncurses on the terminal, for both screens that draw with it: curses_screen (the
// interactive views) and load_screen (load mode's live view).
#pragma once

#include <stdexcept>
#include <string>

namespace echochat {

// The terminal cannot be driven (unknown TERM, a dumb terminal): the caller falls back to plain.
struct terminal_unusable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The terminfo entry drawn with when TERM's own is missing.
inline constexpr const char* fallback_terminal = "xterm-256color";

struct curses_terminal {
  void* screen = nullptr;      // ncurses' SCREEN*, for delscreen()
  const char* term = nullptr;  // TERM, as the environment has it
  bool fell_back = false;      // TERM has no terminfo entry: the screen draws as fallback_terminal
};

// newterm() on stdout and stdin, for TERM or else for fallback_terminal. Throws terminal_unusable
// when TERM is unset, empty or "dumb", or when neither entry loads.
curses_terminal start_curses();

// terminfo's string for `cap` (the current screen's terminal), or "" when the terminal has none.
std::string terminfo_string(const char* cap);

// What a fatal signal must write to give the screen back (terminal_rescue.hpp): terminfo's own
// escapes that reset the attributes, show the cursor and leave the alternate screen.
std::string terminfo_leave_escapes();

}  // namespace echochat
