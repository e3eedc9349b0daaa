// The secret prompt: canonical mode with echo off on /dev/tty, and a handler for the signals that
// would end the program mid-prompt so that echo comes back first.
#include "echochat/edges/tty_prompt.hpp"

#include <array>
#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace echochat {
namespace {

// What the handler restores; set only while a prompt is open.
int prompt_fd = -1;           // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
struct termios prompt_modes;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

constexpr std::array<int, 4> ending_signals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_and_reraise(int sig) {
  ::tcsetattr(prompt_fd, TCSAFLUSH, &prompt_modes);
  static constexpr char newline = '\n';
  [[maybe_unused]] const ssize_t n = ::write(prompt_fd, &newline, 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::optional<std::string> ask_secret(std::string_view prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct termios modes {};
  if (::tcgetattr(fd, &modes) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  prompt_fd = fd;
  prompt_modes = modes;
  std::array<struct sigaction, ending_signals.size()> before{};
  struct sigaction act {};
  act.sa_handler = restore_and_reraise;
  sigemptyset(&act.sa_mask);
  for (std::size_t i = 0; i < ending_signals.size(); ++i) ::sigaction(ending_signals[i], &act, &before[i]);
  struct termios quiet = modes;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL | ICANON;
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  write_all(fd, prompt);

  std::string line;
  bool ended = false;
  for (;;) {
    std::array<char, 256> chunk{};
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ended = true;
      break;
    }
    line.append(chunk.data(), static_cast<std::size_t>(n));
    if (line.back() == '\n') break;
  }
  ::tcsetattr(fd, TCSAFLUSH, &modes);
  for (std::size_t i = 0; i < ending_signals.size(); ++i) ::sigaction(ending_signals[i], &before[i], nullptr);
  prompt_fd = -1;
  if (ended) write_all(fd, "\n");
  ::close(fd);
  if (ended) return std::nullopt;
  line.pop_back();
  return line;
}

}  // namespace echochat
