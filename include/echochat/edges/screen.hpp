// The screen edge: what the printer draws on. ncurses, plain stdout and the tests' recorder
// implement it; the printer cannot tell which one it has.
#pragma once

#include "echochat/core/session.hpp"

#include <span>

namespace echochat {

struct term_size {
  int rows = 24;
  int cols = 80;
};

class screen {
 public:
  virtual ~screen() = default;
  // The size now.
  virtual term_size size() = 0;
  // The terminal changed size: take the new size and return it.
  virtual term_size resize() = 0;
  // Shows the session; `fresh` holds the entries finished since the last draw (if the session
  // collects them).
  virtual void draw(const session& s, std::span<const entry> fresh) = 0;
  // The program is ending: last words (plain output prints the entry still being typed).
  virtual void finish(const session& s) = 0;
  // Ctrl-Z: give the terminal back before the program stops, and take it again after.
  virtual void suspend() {}
  virtual void resume() {}
};

}  // namespace echochat
