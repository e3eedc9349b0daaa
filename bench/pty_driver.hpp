// Benchmark support: a lean pseudo-terminal driver (raw fds, optional libvterm screen) and /proc readers.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

struct VTerm;
struct VTermScreen;

namespace echochat::bench {

using bench_clock = std::chrono::steady_clock;

// One child on the slave side of a fresh pseudo-terminal (TERM=xterm-256color, LANG=LC_ALL=C.UTF-8,
// LINES/COLUMNS removed), session leader with the pty as controlling terminal and fds 0/1/2.
// The master is non-blocking and the timing-critical loops use master() directly. The parent
// keeps the slave open (to read the child's modes), so the child's exit is seen on the pidfd,
// not as EOF on the master. Output can be fed to a libvterm screen (off the hot path).
class pty_process {
 public:
  pty_process(std::vector<std::string> argv, int rows, int cols);
  ~pty_process();  // SIGKILLs and reaps a child that still runs
  pty_process(const pty_process&) = delete;
  pty_process& operator=(const pty_process&) = delete;

  [[nodiscard]] int master() const noexcept { return master_; }
  [[nodiscard]] int pidfd() const noexcept { return pidfd_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::string& name() const noexcept { return argv_.front(); }
  // Taken just before fork(): "after exec" figures are measured from here (so they include
  // fork and exec themselves, a conservative reading).
  [[nodiscard]] bench_clock::time_point forked_at() const noexcept { return forked_at_; }
  // When pump() first read a byte, if it has.
  [[nodiscard]] std::optional<bench_clock::time_point> first_byte_at() const noexcept {
    return first_byte_at_;
  }
  [[nodiscard]] std::uint64_t bytes_read() const noexcept { return bytes_read_; }

  // Reads everything available now (until EAGAIN); feeds it to the screen when `to_screen`, and
  // appends it to `*copy` when given. Returns the bytes read.
  std::size_t pump(bool to_screen, std::string* copy = nullptr);
  // Writes as much of `bytes` as the pty takes now; returns the count (0 when full).
  std::size_t write_some(std::string_view bytes);
  // poll() on the master (POLLIN, plus POLLOUT if `want_write`) and the pidfd; returns true
  // if any fd is ready.
  bool wait_io(int timeout_ms, bool want_write);
  // Reads and discards output until none has come for `quiet_ms` (or `max_ms` passed).
  void settle(int quiet_ms, int max_ms, bool to_screen);

  // The slave's modes say the program has taken the terminal (ICANON and ECHO off).
  [[nodiscard]] bool raw_mode() const;
  // Waits (pumping output) until pred() holds; false on timeout.
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds timeout, bool to_screen) {
    const auto deadline = bench_clock::now() + timeout;
    for (;;) {
      pump(to_screen);
      if (pred()) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - bench_clock::now());
      if (left.count() <= 0) return false;
      wait_io(static_cast<int>(std::min<long long>(left.count(), 1)), false);
    }
  }

  // True once the child has exited (checks the pidfd without blocking); reaps it.
  bool exited();

  // The emulated screen.
  [[nodiscard]] std::string row_text(int row) const;
  [[nodiscard]] bool screen_contains(std::string_view text) const;
  [[nodiscard]] int rows() const noexcept { return rows_; }

 private:
  std::vector<std::string> argv_;
  int rows_ = 0;
  int cols_ = 0;
  int master_ = -1;
  int slave_ = -1;
  int pidfd_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  bench_clock::time_point forked_at_{};
  std::optional<bench_clock::time_point> first_byte_at_;
  std::uint64_t bytes_read_ = 0;
  std::vector<char> buf_;
  VTerm* vt_ = nullptr;
  VTermScreen* screen_ = nullptr;
};

// Sums over every thread of a process, from /proc/PID/task/*.
struct task_totals {
  std::uint64_t cpu_ticks = 0;     // utime + stime, in clock ticks (stat)
  std::uint64_t cpu_ns = 0;        // time on CPU, ns (schedstat); 0 if unavailable
  std::uint64_t ctx_switches = 0;  // voluntary + nonvoluntary (status)
  int threads = 0;
};
task_totals read_task_totals(pid_t pid);
long clock_ticks_per_second();

// A "VmHWM:" style field of /proc/PID/status in KiB; 0 if missing.
std::uint64_t read_status_kib(pid_t pid, std::string_view field);

}  // namespace echochat::bench
