// The screen edge: what the printer draws on. ncurses, plain stdout and the tests' recorder
// implement it; the printer cannot tell which one it has, and none of them sees the session.
#pragma once

#include "echochat/core/frame.hpp"

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
  // True for a screen that prints finished entries and shows no rows (plain output): its frames
  // lay nothing out.
  virtual bool entries_only() const { return false; }
  // The terminal changed size: take the new size and return it.
  virtual term_size resize() = 0;
  // Shows a frame.
  virtual void draw(const frame& f) = 0;
  // The program is ending, and `f` was the last frame: last words (plain output prints the
  // entry still being typed).
  virtual void finish(const frame& f) = 0;
  // Ctrl-Z: give the terminal back before the program stops, and take it again after.
  virtual void suspend() {}
  virtual void resume() {}
};

}  // namespace echochat
