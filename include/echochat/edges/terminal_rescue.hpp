// The last resort for the terminal: on a fatal signal (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL,
// and the dumping SIGQUIT, SIGXCPU, SIGSYS, SIGTRAP) restore the saved modes and leave the screen
// with async-signal-safe calls, then re-raise the signal so the exit status stays honest. The
// program's only global state lives behind this.
#pragma once

#include <string_view>
#include <termios.h>

namespace echochat {

// Arms the handlers: `modes` go back on fd 0 and `leave` (the escapes that leave the alternate
// screen, show the cursor, reset attributes) is written to fd 1.
void arm_terminal_rescue(const termios& modes, std::string_view leave);

// The screen gave the terminal back by itself: nothing left to rescue.
void disarm_terminal_rescue();

}  // namespace echochat
