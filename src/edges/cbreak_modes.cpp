// Canonical mode and echo off on fd 0, and back on whatever way the program ends.
#include "echochat/edges/cbreak_modes.hpp"

#include "echochat/edges/terminal_rescue.hpp"

#include <unistd.h>

namespace echochat {

cbreak_modes::cbreak_modes() {
  if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
  termios modes = saved_;
  // Signals stay on: Ctrl-C and Ctrl-Z keep their meaning, as in the original program.
  modes.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
  modes.c_cc[VMIN] = 1;
  modes.c_cc[VTIME] = 0;
  if (::tcsetattr(STDIN_FILENO, TCSANOW, &modes) != 0) return;
  set_ = true;
  arm_terminal_rescue(saved_, {});  // nothing to write: there is no screen to leave
}

cbreak_modes::~cbreak_modes() {
  if (!set_) return;
  ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
  disarm_terminal_rescue();
}

}  // namespace echochat
