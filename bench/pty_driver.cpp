// Benchmark support: starts programs in pseudo-terminals, pumps their output, reads /proc.
#include "pty_driver.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <vterm.h>

extern char** environ;

namespace echochat::bench {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "pty_process: " + what);
}

void set_flag(int fd, int get_cmd, int set_cmd, int flag) {
  const int flags = ::fcntl(fd, get_cmd);
  if (flags < 0 || ::fcntl(fd, set_cmd, flags | flag) < 0) throw_errno("fcntl");
}

void set_env(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  for (auto& e : env) {
    if (e.starts_with(prefix)) {
      e = prefix + value;
      return;
    }
  }
  env.push_back(prefix + value);
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// In the forked child: async-signal-safe calls only.
[[noreturn]] void exec_child(int slave, int error_fd, char* const* argv, char* const* envp) noexcept {
  const auto fail = [error_fd]() {
    const int error = errno;
    [[maybe_unused]] const auto n = ::write(error_fd, &error, sizeof error);
    ::_exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  if (::setsid() < 0 || ::ioctl(slave, TIOCSCTTY, 0) < 0) fail();
  for (int fd = 0; fd <= 2; ++fd) {
    if (::dup2(slave, fd) < 0) fail();
  }
  const auto efd = static_cast<unsigned>(error_fd);
  if (error_fd > 3) ::close_range(3, efd - 1, 0);
  ::close_range(efd + 1, ~0U, 0);
  ::execvpe(argv[0], argv, envp);
  fail();
  ::_exit(127);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

pty_process::pty_process(std::vector<std::string> argv, int rows, int cols)
    : argv_(std::move(argv)), rows_(rows), cols_(cols), buf_(64 * 1024) {
  if (argv_.empty()) throw std::invalid_argument("pty_process: empty argv");
  vt_ = vterm_new(rows, cols);
  if (vt_ == nullptr) throw std::bad_alloc();
  vterm_set_utf8(vt_, 1);
  screen_ = vterm_obtain_screen(vt_);
  vterm_screen_enable_altscreen(screen_, 1);
  vterm_screen_reset(screen_, 1);

  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (::openpty(&master_, &slave_, nullptr, nullptr, &ws) < 0) throw_errno("openpty");
  set_flag(master_, F_GETFD, F_SETFD, FD_CLOEXEC);
  set_flag(slave_, F_GETFD, F_SETFD, FD_CLOEXEC);
  set_flag(master_, F_GETFL, F_SETFL, O_NONBLOCK);

  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry{*e};
    if (!entry.starts_with("LINES=") && !entry.starts_with("COLUMNS=")) env.emplace_back(entry);
  }
  set_env(env, "TERM", "xterm-256color");
  set_env(env, "LANG", "C.UTF-8");
  set_env(env, "LC_ALL", "C.UTF-8");
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argvp;
  for (auto& a : argv_) argvp.push_back(a.data());
  argvp.push_back(nullptr);

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) < 0) throw_errno("pipe2");
  forked_at_ = bench_clock::now();
  pid_ = ::fork();
  if (pid_ < 0) throw_errno("fork");
  if (pid_ == 0) exec_child(slave_, error_pipe[1], argvp.data(), envp.data());
  ::close(error_pipe[1]);
  const long fd = ::syscall(SYS_pidfd_open, pid_, 0);
  if (fd < 0) throw_errno("pidfd_open");
  pidfd_ = static_cast<int>(fd);
  int exec_error = 0;
  ssize_t n = 0;
  do {
    n = ::read(error_pipe[0], &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    errno = exec_error;
    throw_errno("cannot execute '" + argv_[0] + "'");
  }
}

pty_process::~pty_process() {
  if (!reaped_ && pid_ > 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  if (master_ >= 0) ::close(master_);
  if (slave_ >= 0) ::close(slave_);
  if (vt_ != nullptr) vterm_free(vt_);
}

std::size_t pty_process::pump(bool to_screen) {
  std::size_t total = 0;
  for (;;) {
    const ssize_t n = ::read(master_, buf_.data(), buf_.size());
    if (n > 0) {
      if (!first_byte_at_) first_byte_at_ = bench_clock::now();
      const auto got = static_cast<std::size_t>(n);
      if (to_screen) vterm_input_write(vt_, buf_.data(), got);
      total += got;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN, or EIO once nothing holds the slave
  }
  bytes_read_ += total;
  return total;
}

std::size_t pty_process::write_some(std::string_view bytes) {
  if (bytes.empty()) return 0;
  for (;;) {
    const ssize_t n = ::write(master_, bytes.data(), bytes.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return 0;
    throw_errno("write");
  }
}

bool pty_process::wait_io(int timeout_ms, bool want_write) {
  pollfd fds[2] = {{master_, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0},
                   {pidfd_, reaped_ ? short{0} : short{POLLIN}, 0}};
  const int n = ::poll(fds, 2, timeout_ms);
  return n > 0;
}

void pty_process::settle(int quiet_ms, int max_ms, bool to_screen) {
  const auto deadline = bench_clock::now() + std::chrono::milliseconds(max_ms);
  auto quiet_until = bench_clock::now() + std::chrono::milliseconds(quiet_ms);
  for (;;) {
    if (pump(to_screen) > 0) quiet_until = bench_clock::now() + std::chrono::milliseconds(quiet_ms);
    const auto now = bench_clock::now();
    if (now >= quiet_until || now >= deadline) return;
    pollfd fd{master_, POLLIN, 0};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(std::min(quiet_until, deadline) - now);
    ::poll(&fd, 1, static_cast<int>(left.count()));
  }
}

bool pty_process::raw_mode() const {
  termios t{};
  if (::tcgetattr(slave_, &t) < 0) return false;
  return (t.c_lflag & static_cast<tcflag_t>(ICANON | ECHO)) == 0;
}

bool pty_process::exited() {
  if (reaped_) return true;
  pollfd fd{pidfd_, POLLIN, 0};
  if (::poll(&fd, 1, 0) <= 0) return false;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  return true;
}

std::string pty_process::row_text(int row) const {
  std::string out;
  for (int col = 0; col < cols_;) {
    VTermScreenCell cell{};
    vterm_screen_get_cell(screen_, VTermPos{row, col}, &cell);
    if (cell.chars[0] == 0 || cell.chars[0] == 0xFFFFFFFFu) {
      out.push_back(' ');
    } else {
      for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i] != 0; ++i) append_utf8(out, cell.chars[i]);
    }
    col += cell.width > 1 ? cell.width : 1;
  }
  out.erase(out.find_last_not_of(' ') + 1);
  return out;
}

bool pty_process::screen_contains(std::string_view text) const {
  for (int r = rows_ - 1; r >= 0; --r) {
    if (row_text(r).find(text) != std::string::npos) return true;
  }
  return false;
}

task_totals read_task_totals(pid_t pid) {
  task_totals t;
  const std::string base = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator(base, ec)) {
    const std::string task = dir.path().string();
    const std::string stat = read_file(task + "/stat");
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string f;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14 || i == 15) t.cpu_ticks += std::stoull(f);
    }
    std::istringstream sched(read_file(task + "/schedstat"));
    std::uint64_t on_cpu_ns = 0;
    if (sched >> on_cpu_ns) t.cpu_ns += on_cpu_ns;
    std::istringstream status(read_file(task + "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("voluntary_ctxt_switches:") || line.starts_with("nonvoluntary_ctxt_switches:")) {
        t.ctx_switches += std::stoull(line.substr(line.find(':') + 1));
      }
    }
    ++t.threads;
  }
  return t;
}

long clock_ticks_per_second() { return ::sysconf(_SC_CLK_TCK); }

std::uint64_t read_status_kib(pid_t pid, std::string_view field) {
  std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      return std::stoull(line.substr(field.size() + 1));
    }
  }
  return 0;
}

}  // namespace echochat::bench
