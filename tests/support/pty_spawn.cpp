// Starting a child on a fresh pseudo-terminal: shared by the e2e tests' pty_terminal and the pty benchmark.
#include "support/pty_spawn.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace echochat::pty {

namespace {

[[noreturn]] void throw_errno(const char* who, const std::string& what) {
  std::string message{who};
  message += ": ";
  message += what;
  throw std::system_error(errno, std::generic_category(), message);
}

void set_fd_flag(int fd, int get_cmd, int set_cmd, int flag, const char* who) {
  const int flags = ::fcntl(fd, get_cmd);
  if (flags < 0 || ::fcntl(fd, set_cmd, flags | flag) < 0) {
    throw_errno(who, "fcntl");
  }
}

// Sets NAME=value in a list of "NAME=value" strings.
void set_env(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) { return e.starts_with(prefix); });
  if (it == env.end()) {
    env.push_back(prefix + value);
  } else {
    *it = prefix + value;
  }
}

// A proxy the developer's shell names must not come between a test and its loopback servers: the
// tests of proxies set the variables themselves.
bool proxy_variable(std::string_view entry) {
  for (const std::string_view name : {"http_proxy=", "https_proxy=", "HTTPS_PROXY=", "all_proxy=",
                                      "ALL_PROXY=", "no_proxy=", "NO_PROXY="}) {
    if (entry.starts_with(name)) return true;
  }
  return false;
}

std::vector<std::string> child_environment(const environment& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry{*e};
    if (!entry.starts_with("LINES=") && !entry.starts_with("COLUMNS=") && !proxy_variable(entry)) {
      env.emplace_back(entry);
    }
  }
  set_env(env, "TERM", "xterm-256color");
  set_env(env, "LANG", "C.UTF-8");
  set_env(env, "LC_ALL", "C.UTF-8");
  for (const auto& [name, value] : extra_env) {
    set_env(env, name, value);
  }
  return env;
}

// The argv/envp form exec wants; the pointers point into `strings`, which must outlive them.
std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Runs in the forked child: only async-signal-safe calls. Never returns.
[[noreturn]] void exec_child(int slave_fd, int error_fd, long max_fd, char* const* argv,
                             char* const* envp) noexcept {
  const auto fail = [error_fd]() {
    const int error = errno;
    [[maybe_unused]] const auto n = ::write(error_fd, &error, sizeof error);
    ::_exit(127);
  };

  // Dispositions set to "ignore" and the signal mask survive exec; start the child clean.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};  // zero-initialised: sa_handler == SIG_DFL
  sigemptyset(&default_action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    sigaction(sig, &default_action, nullptr);  // fails harmlessly for SIGKILL/SIGSTOP
  }

  if (::setsid() < 0 || ::ioctl(slave_fd, TIOCSCTTY, 0) < 0) {
    fail();
  }
  for (int fd = 0; fd <= 2; ++fd) {
    if (::dup2(slave_fd, fd) < 0) {
      fail();
    }
  }
  // Close everything else except the exec-error pipe (close-on-exec, so it closes on success).
  const auto error_ufd = static_cast<unsigned>(error_fd);
  const bool ranged =
      (error_fd == 3 || ::close_range(3, error_ufd - 1, 0) == 0) && ::close_range(error_ufd + 1, ~0U, 0) == 0;
  if (!ranged) {
    for (long fd = 3; fd < max_fd; ++fd) {
      if (fd != error_fd) {
        ::close(static_cast<int>(fd));
      }
    }
  }
  ::execvpe(argv[0], argv, envp);
  fail();
  ::_exit(127);  // not reached
}

void reap(pid_t pid) noexcept {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

pty_fds open_pty(int rows, int cols, const char* who) {
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  pty_fds fds;
  if (::openpty(&fds.master, &fds.slave, nullptr, nullptr, &ws) < 0) {
    throw_errno(who, "openpty");
  }
  try {
    set_fd_flag(fds.master, F_GETFD, F_SETFD, FD_CLOEXEC, who);
    set_fd_flag(fds.slave, F_GETFD, F_SETFD, FD_CLOEXEC, who);
    set_fd_flag(fds.master, F_GETFL, F_SETFL, O_NONBLOCK, who);
  } catch (...) {
    ::close(fds.master);
    ::close(fds.slave);
    throw;
  }
  return fds;
}

child spawn_on_pty(int slave, const std::vector<std::string>& argv, const environment& extra_env,
                   const char* who) {
  // Everything the child needs is prepared before fork: it may only make async-signal-safe calls.
  std::vector<std::string> env_strings = child_environment(extra_env);
  std::vector<std::string> argv_strings = argv;
  const std::vector<char*> envp = pointers_to(env_strings);
  const std::vector<char*> argvp = pointers_to(argv_strings);

  rlimit fd_limit{};
  const long max_fd = (::getrlimit(RLIMIT_NOFILE, &fd_limit) == 0 && fd_limit.rlim_cur != RLIM_INFINITY)
                          ? static_cast<long>(fd_limit.rlim_cur)
                          : 65536L;

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) < 0) {
    throw_errno(who, "pipe2");
  }
  child c;
  c.forked_at = std::chrono::steady_clock::now();
  c.pid = ::fork();
  if (c.pid < 0) {
    const int error = errno;
    ::close(error_pipe[0]);
    ::close(error_pipe[1]);
    errno = error;
    throw_errno(who, "fork");
  }
  if (c.pid == 0) {
    exec_child(slave, error_pipe[1], max_fd, argvp.data(), envp.data());
  }
  ::close(error_pipe[1]);

  const long pidfd = ::syscall(SYS_pidfd_open, c.pid, 0);
  const int pidfd_error = errno;

  // The pipe reaches EOF when exec succeeds (close-on-exec) or carries errno when it fails.
  int exec_error = 0;
  ssize_t n = 0;
  do {
    n = ::read(error_pipe[0], &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  ::close(error_pipe[0]);

  if (pidfd < 0) {
    ::kill(c.pid, SIGKILL);  // no pidfd yet, and the pid cannot be recycled before the reap
    reap(c.pid);
    errno = pidfd_error;
    throw_errno(who, "pidfd_open");
  }
  c.pidfd = static_cast<int>(pidfd);
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    reap(c.pid);  // it has _exit(127)ed or is about to
    ::close(c.pidfd);
    errno = exec_error;
    std::string what = "cannot execute '";
    what += argv.front();
    what += "'";
    throw_errno(who, what);
  }
  return c;
}

}  // namespace echochat::pty
