// End-to-end test support: runs a program in a pseudo-terminal and reads its screen through libvterm.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <termios.h>
#include <utility>
#include <vector>

struct VTerm;
struct VTermScreen;

namespace echochat::testing {

// A zero-based cell position on the emulated screen.
struct screen_position {
  int row = 0;
  int col = 0;
  friend bool operator==(const screen_position&, const screen_position&) = default;
};

// True when two terminal mode sets are the same: c_iflag, c_oflag, c_cflag, c_lflag, c_cc and
// both speeds (c_line and padding are ignored).
[[nodiscard]] bool same_modes(const termios& a, const termios& b) noexcept;

// One child process on the slave side of a fresh pseudo-terminal, with the parent reading the
// master side into a libvterm screen. Everything is single-threaded: output is only consumed
// while one of the member functions runs (wait_for, wait_exit, write, resize, drain, ...).
//
// Timeouts are failure deadlines only: every wait returns as soon as its condition holds.
class pty_terminal {
 public:
  using environment = std::vector<std::pair<std::string, std::string>>;

  // Starts argv[0] (looked up in PATH) with argv on a rows x cols terminal. The child inherits
  // the environment minus LINES and COLUMNS (they would override the window size in curses),
  // with TERM=xterm-256color, LANG=C.UTF-8 and LC_ALL=C.UTF-8, then `extra_env` applied on top.
  // The child is a session leader with the pty as its controlling terminal and fds 0/1/2;
  // every other fd is closed. Returns once the exec has succeeded; throws std::system_error if
  // the pty cannot be made or the program cannot be executed, std::invalid_argument for an
  // empty argv or a non-positive size.
  pty_terminal(std::vector<std::string> argv, int rows = 24, int cols = 80, environment extra_env = {});
  ~pty_terminal();  // SIGKILLs and reaps a child that is still running.

  pty_terminal(const pty_terminal&) = delete;
  pty_terminal& operator=(const pty_terminal&) = delete;
  pty_terminal(pty_terminal&&) = delete;
  pty_terminal& operator=(pty_terminal&&) = delete;

  // --- input -------------------------------------------------------------------------------
  // Writes all of `bytes` to the master (what a user would type). Keeps reading the child's
  // output while the input queue is full, so a child blocked on its own output cannot
  // deadlock the write. Throws std::runtime_error if the bytes cannot all be written within
  // `timeout`, std::logic_error after hang_up().
  void write(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds{10});

  // --- output ------------------------------------------------------------------------------
  // Pumps the child's output into the screen until pred() holds or the timeout passes;
  // pred is checked first and after every chunk. Returns whether pred() became true.
  bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout);
  // True once `utf8` appears anywhere in screen_text() (it may span rows through '\n').
  bool wait_for_text(std::string_view utf8, std::chrono::milliseconds timeout);
  // Consumes whatever output is available right now, without waiting.
  void drain();

  // The screen as UTF-8: all rows joined with '\n', each with trailing blanks trimmed.
  // A double-width character appears once; combining characters follow their base.
  [[nodiscard]] std::string screen_text() const;
  [[nodiscard]] std::string row_text(int row) const;  // throws std::out_of_range
  // The characters of `row` drawn in reverse video, in order (a highlight); throws as row_text.
  [[nodiscard]] std::string reverse_text(int row) const;
  [[nodiscard]] std::vector<std::string> scrollback() const;  // rows scrolled off the top, oldest first
  [[nodiscard]] screen_position cursor() const;
  [[nodiscard]] int rows() const;
  [[nodiscard]] int cols() const;

  // Everything the child has written, byte for byte (only what has been pumped so far).
  [[nodiscard]] const std::string& raw_output() const noexcept { return raw_output_; }

  // Terminal state as last set by the child. alt_screen and cursor_visible come from libvterm's
  // settermprop callback; libvterm 0.1.4 does not report bracketed paste (?2004) or application
  // cursor keys (DECCKM, ?1), so those are parsed from the raw output stream (including
  // multi-parameter forms such as "\x1b[?1;2004h"; RIS "\x1bc" clears both).
  [[nodiscard]] bool alt_screen() const noexcept { return alt_screen_; }
  [[nodiscard]] bool cursor_visible() const noexcept { return cursor_visible_; }
  [[nodiscard]] bool bracketed_paste() const noexcept { return bracketed_paste_; }
  [[nodiscard]] bool application_cursor_keys() const noexcept { return application_cursor_keys_; }
  [[nodiscard]] int bell_count() const noexcept { return bell_count_; }

  // --- window and lifetime -----------------------------------------------------------------
  // Consumes pending output at the old size, then sets the pty window size (the kernel sends
  // SIGWINCH to the foreground process group) and resizes the emulated screen.
  void resize(int rows, int cols);
  // Sends `sig` to the child (through the pidfd, so never to a recycled pid). No-op once the
  // child has exited.
  void send_signal(int sig);
  // Reads what is available, then closes the parent's slave fd and the master fd: the child's
  // terminal is hung up (SIGHUP to the session, EIO on reads). Afterwards the screen keeps its
  // last state; write/resize/slave_modes throw std::logic_error. Idempotent.
  void hang_up();

  // Waits for the child to exit while still pumping its output (so it cannot block on a full
  // pty), then reaps it and reads everything it wrote. Returns false on timeout.
  bool wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] bool has_exited() const noexcept { return reaped_; }
  // The exit code, or 128 + signal number when killed by a signal. These three throw
  // std::logic_error until wait_exit() has returned true.
  [[nodiscard]] int exit_status() const;
  [[nodiscard]] bool exited_by_signal() const;
  [[nodiscard]] int term_signal() const;  // 0 when the child exited normally
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  // tcgetattr on the slave side, which the parent keeps open (also after the child exits).
  [[nodiscard]] termios slave_modes() const;
  // The slave's modes captured before the fork. Calling slave_modes() right after the
  // constructor races with a child that changes modes at once; compare against this instead:
  //   REQUIRE(t.wait_exit(5s)); REQUIRE(same_modes(t.initial_modes(), t.slave_modes()));
  [[nodiscard]] const termios& initial_modes() const noexcept { return initial_modes_; }

 private:
  struct vterm_callbacks;  // libvterm's screen and output callbacks, defined in the .cpp
  friend struct vterm_callbacks;

  void start(int rows, int cols, const environment& extra_env);
  void release_resources() noexcept;
  void feed(const char* data, std::size_t len);
  void scan_modes();
  // Reads until EAGAIN (or a size budget); returns whether anything was read.
  bool read_available();
  // Writes as much of out_queue_ as the pty accepts now.
  void flush_out_queue();
  // One poll() round on the master (and the pidfd when watch_exit); returns true if the pidfd
  // became readable.
  bool poll_once(int timeout_ms, bool watch_exit);
  void reap();
  void require_open(const char* what) const;

  std::vector<std::string> argv_;
  VTerm* vt_ = nullptr;
  VTermScreen* screen_ = nullptr;
  int master_fd_ = -1;
  int slave_fd_ = -1;
  int pid_fd_ = -1;
  pid_t pid_ = -1;
  bool master_eof_ = false;
  bool hung_up_ = false;
  bool reaped_ = false;
  int wait_status_ = 0;
  termios initial_modes_{};

  std::string raw_output_;
  std::size_t scan_pos_ = 0;
  std::string out_queue_;        // bytes for the master: user input and libvterm's query replies
  std::size_t out_written_ = 0;  // of out_queue_, the bytes already written
  std::vector<std::string> scrollback_;

  bool alt_screen_ = false;
  bool cursor_visible_ = true;
  bool bracketed_paste_ = false;
  bool application_cursor_keys_ = false;
  int bell_count_ = 0;
};

}  // namespace echochat::testing
