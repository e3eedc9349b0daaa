// Starting a child on a fresh pseudo-terminal: shared by the e2e tests' pty_terminal and the pty benchmark.
#pragma once

// Kept free of libvterm and of the product's code: the benchmark links this file's library
// (echochat_pty_spawn) and times what spawn_on_pty starts, so nothing here may pull a screen
// emulator along.

#include <chrono>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace echochat::pty {

using environment = std::vector<std::pair<std::string, std::string>>;

// Both ends of a new pty of rows x cols, close-on-exec, the master non-blocking. The caller owns
// the fds. Throws std::system_error ("<who>: openpty", "<who>: fcntl"), leaving nothing open.
struct pty_fds {
  int master = -1;
  int slave = -1;
};
pty_fds open_pty(int rows, int cols, const char* who);

// A started child: its pid, a pidfd for it (owned by the caller) and when fork() was called.
struct child {
  pid_t pid = -1;
  int pidfd = -1;
  std::chrono::steady_clock::time_point forked_at{};
};

// Starts argv[0] (looked up in PATH) with argv as a session leader whose controlling terminal
// and fds 0/1/2 are `slave`; every other fd is closed, signal dispositions and mask are reset.
// The environment is ours minus LINES and COLUMNS (they would override the window size in
// curses) and the proxy variables (ALL_PROXY...), with TERM=xterm-256color, LANG=C.UTF-8 and
// LC_ALL=C.UTF-8, then `extra_env` on top.
// Returns once the exec has succeeded. Throws std::system_error ("<who>: cannot execute '...'",
// "<who>: fork", ...) when it has not, after reaping any child it made.
child spawn_on_pty(int slave, const std::vector<std::string>& argv, const environment& extra_env,
                   const char* who);

}  // namespace echochat::pty
