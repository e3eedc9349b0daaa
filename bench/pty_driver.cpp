// Benchmark support: starts programs in pseudo-terminals, pumps their output, reads /proc.
#include "pty_driver.hpp"

#include "support/pty_spawn.hpp"
#include "echochat/core/utf8.hpp"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <vterm.h>

namespace echochat::bench {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "pty_process: " + what);
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

  const pty::pty_fds fds = pty::open_pty(rows, cols, "pty_process");
  master_ = fds.master;
  slave_ = fds.slave;
  const pty::child child = pty::spawn_on_pty(slave_, argv_, {}, "pty_process");
  forked_at_ = child.forked_at;
  pid_ = child.pid;
  pidfd_ = child.pidfd;
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

std::size_t pty_process::pump(bool to_screen, std::string* copy) {
  std::size_t total = 0;
  for (;;) {
    const ssize_t n = ::read(master_, buf_.data(), buf_.size());
    if (n > 0) {
      if (!first_byte_at_) first_byte_at_ = bench_clock::now();
      const auto got = static_cast<std::size_t>(n);
      if (to_screen) vterm_input_write(vt_, buf_.data(), got);
      if (copy != nullptr) copy->append(buf_.data(), got);
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
      for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i] != 0; ++i) {
        append_utf8(out, static_cast<char32_t>(cell.chars[i]));
      }
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
