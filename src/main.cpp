// echochat's entry point: parse the options, run, report.
#include "echochat/app/app.hpp"
#include "echochat/core/options.hpp"
#include "echochat/core/sanitize.hpp"

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fcntl.h>

namespace {

// Started with fd 0, 1 or 2 closed, the next file opened (the log, Asio's eventfd) would take its
// number and get what was meant for it. Each closed one is opened on /dev/null first; returns
// whether stdout was closed.
bool open_closed_standard_fds() {
  bool stdout_closed = false;
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    if (fd == 1) stdout_closed = true;
    // open() takes the lowest free number: this one, as the lower ones are open by now.
    [[maybe_unused]] const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
  }
  return stdout_closed;
}

}  // namespace

int main(int argc, char** argv) {
  const bool stdout_closed = open_closed_standard_fds();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = echochat::parse_options(args);
  // As mysql does with -p: the password is gone from the arguments (ps, /proc/PID/cmdline) once
  // read. The few moments before this are why --help points to ALL_PROXY instead.
  for (const auto& secret : echochat::argument_secrets(args)) {
    char* arg = argv[secret.arg + 1];
    for (std::size_t i = 0; i < secret.length; ++i) arg[secret.offset + i] = 'x';
  }
  if (auto* done = std::get_if<echochat::parse_exit>(&parsed)) {
    std::fputs(done->out.c_str(), stdout);
    std::fputs(done->err.c_str(), stderr);
    return done->code;
  }
  if (stdout_closed) {
    std::fputs("echochat: standard output is closed: there is nowhere to show anything\n", stderr);
    return 1;
  }
  try {
    return echochat::run(std::get<echochat::options>(parsed));
  } catch (const std::exception& e) {
    // The screen and the input thread were unwound before we got here: the terminal is back.
    std::fprintf(stderr, "echochat: %s\n", echochat::sanitize(e.what()).c_str());
    return 1;
  }
}
