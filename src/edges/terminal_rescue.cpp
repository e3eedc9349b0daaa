// Fatal-signal rescue of the terminal. Everything the handler touches is prepared beforehand in
// static storage; the handler itself calls only write(), tcsetattr(), sigaction() and raise().
#include "echochat/edges/terminal_rescue.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace echochat {
namespace {

struct rescue_state {
  termios modes{};
  std::array<char, 256> leave{};
  std::size_t leave_size = 0;
};

rescue_state state;
volatile std::sig_atomic_t armed = 0;
// Every signal whose default action dumps core: the faults, and the ones sent to ask for a dump
// (SIGQUIT, SIGXCPU from a CPU limit, SIGSYS, SIGTRAP).
constexpr std::array fatal_signals{SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL,
                                   SIGQUIT, SIGXCPU, SIGSYS, SIGTRAP};

extern "C" void on_fatal_signal(int signo) {
  if (armed != 0) {
    armed = 0;
    [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, state.leave.data(), state.leave_size);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &state.modes);
  }
  // SA_RESETHAND put the default action back: the signal now ends the program as it would have.
  std::raise(signo);
}

}  // namespace

void arm_terminal_rescue(const termios& modes, std::string_view leave) {
  state.modes = modes;
  state.leave_size = std::min(leave.size(), state.leave.size());
  // `leave` may be empty (a dumb terminal has no screen to leave), its data() then null.
  if (state.leave_size > 0) std::memcpy(state.leave.data(), leave.data(), state.leave_size);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = static_cast<int>(SA_RESETHAND | SA_NODEFER);
  for (int sig : fatal_signals) ::sigaction(sig, &sa, nullptr);
  armed = 1;
}

void disarm_terminal_rescue() {
  armed = 0;
  for (int sig : fatal_signals) std::signal(sig, SIG_DFL);
}

}  // namespace echochat
