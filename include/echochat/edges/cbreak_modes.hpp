// A terminal that cannot show a screen (TERM=dumb) still sends each key at once: canonical mode
// and echo off with termios, which needs no terminfo. Destroyed, it puts the modes back; a fatal
// signal puts them back through terminal_rescue.
#pragma once

#include <termios.h>

namespace echochat {

class cbreak_modes {
 public:
  // Sets the modes of fd 0 (a terminal); does nothing if they cannot be read.
  cbreak_modes();
  ~cbreak_modes();
  cbreak_modes(const cbreak_modes&) = delete;
  cbreak_modes& operator=(const cbreak_modes&) = delete;

 private:
  termios saved_{};
  bool set_ = false;
};

}  // namespace echochat
