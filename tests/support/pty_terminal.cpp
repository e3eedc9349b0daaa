// End-to-end test support: a child process in a pseudo-terminal whose screen is read through libvterm.
#include "support/pty_terminal.hpp"
#include "support/pty_spawn.hpp"
#include "echochat/core/utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vterm.h>

namespace echochat::testing {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t read_budget = 1024 * 1024;   // per read_available() call, so predicates get checked
constexpr std::size_t max_pending_sequence = 256;  // an unterminated CSI longer than this is garbage
// libvterm's marker for the right half of a wide char.
constexpr std::uint32_t continuation_cell = 0xFFFFFFFFu;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "pty_terminal: " + what);
}

int remaining_ms(clock_type::time_point deadline) {
  const auto left = deadline - clock_type::now();
  if (left <= clock_type::duration::zero()) {
    return 0;
  }
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// One row of cells as UTF-8, trailing blanks trimmed. A wide character is emitted once and its
// continuation cell skipped; an empty cell (or an orphaned continuation) reads as a space.
std::string cells_to_utf8(const VTermScreenCell* cells, int count) {
  std::string out;
  for (int col = 0; col < count;) {
    const VTermScreenCell& cell = cells[col];
    if (cell.chars[0] == 0 || cell.chars[0] == continuation_cell) {
      out.push_back(' ');
    } else {
      for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i] != 0; ++i) {
        if (cell.chars[i] != continuation_cell) {
          append_utf8(out, static_cast<char32_t>(cell.chars[i]));
        }
      }
    }
    col += cell.width > 1 ? cell.width : 1;
  }
  out.erase(out.find_last_not_of(' ') + 1);
  return out;
}

}  // namespace

struct pty_terminal::vterm_callbacks {
  static pty_terminal& self(void* user) noexcept { return *static_cast<pty_terminal*>(user); }

  static int settermprop(VTermProp prop, VTermValue* val, void* user) noexcept {
    switch (prop) {
      case VTERM_PROP_ALTSCREEN: self(user).alt_screen_ = val->boolean != 0; break;
      case VTERM_PROP_CURSORVISIBLE: self(user).cursor_visible_ = val->boolean != 0; break;
      default: break;
    }
    return 1;  // accepted; returning 0 would make libvterm refuse the change
  }

  static int bell(void* user) noexcept {
    ++self(user).bell_count_;
    return 1;
  }

  static int sb_pushline(int cols, const VTermScreenCell* cells, void* user) noexcept {
    self(user).scrollback_.push_back(cells_to_utf8(cells, cols));
    return 1;
  }

  // Replies to queries (DA, DSR, ...): queued for the master, flushed by the pump.
  static void output(const char* s, std::size_t len, void* user) noexcept {
    self(user).out_queue_.append(s, len);
  }

  static constexpr VTermScreenCallbacks screen{
      .damage = nullptr,
      .moverect = nullptr,
      .movecursor = nullptr,
      .settermprop = &settermprop,
      .bell = &bell,
      .resize = nullptr,
      .sb_pushline = &sb_pushline,
      .sb_popline = nullptr,
  };
};

bool same_modes(const termios& a, const termios& b) noexcept {
  return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag &&
         a.c_lflag == b.c_lflag && std::memcmp(a.c_cc, b.c_cc, sizeof a.c_cc) == 0 &&
         cfgetispeed(&a) == cfgetispeed(&b) && cfgetospeed(&a) == cfgetospeed(&b);
}

pty_terminal::pty_terminal(std::vector<std::string> argv, int rows, int cols, environment extra_env)
    : argv_(std::move(argv)) {
  if (argv_.empty()) {
    throw std::invalid_argument("pty_terminal: empty argv");
  }
  if (rows <= 0 || cols <= 0 || rows > USHRT_MAX || cols > USHRT_MAX) {
    throw std::invalid_argument("pty_terminal: bad terminal size");
  }
  try {
    start(rows, cols, extra_env);
  } catch (...) {
    release_resources();
    throw;
  }
}

pty_terminal::~pty_terminal() { release_resources(); }

void pty_terminal::start(int rows, int cols, const environment& extra_env) {
  vt_ = vterm_new(rows, cols);
  if (vt_ == nullptr) {
    throw std::bad_alloc();
  }
  vterm_set_utf8(vt_, 1);
  vterm_output_set_callback(vt_, &vterm_callbacks::output, this);
  screen_ = vterm_obtain_screen(vt_);
  vterm_screen_set_callbacks(screen_, &vterm_callbacks::screen, this);
  vterm_screen_enable_altscreen(screen_, 1);
  vterm_screen_reset(screen_, 1);

  const pty::pty_fds fds = pty::open_pty(rows, cols, "pty_terminal");
  master_fd_ = fds.master;
  slave_fd_ = fds.slave;
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (::ioctl(master_fd_, TIOCSWINSZ, &ws) < 0) {
    throw_errno("TIOCSWINSZ");
  }
  if (::tcgetattr(slave_fd_, &initial_modes_) < 0) {
    throw_errno("tcgetattr");
  }

  const pty::child child = pty::spawn_on_pty(slave_fd_, argv_, extra_env, "pty_terminal");
  pid_ = child.pid;
  pid_fd_ = child.pidfd;
}

void pty_terminal::release_resources() noexcept {
  if (pid_ > 0 && !reaped_) {
    if (pid_fd_ >= 0) {
      ::syscall(SYS_pidfd_send_signal, pid_fd_, SIGKILL, nullptr, 0);
    } else {
      ::kill(pid_, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    wait_status_ = status;
  }
  close_fd(pid_fd_);
  close_fd(slave_fd_);
  close_fd(master_fd_);
  if (vt_ != nullptr) {
    vterm_free(vt_);
    vt_ = nullptr;
    screen_ = nullptr;
  }
}

void pty_terminal::require_open(const char* what) const {
  if (hung_up_ || master_fd_ < 0) {
    throw std::logic_error(std::string("pty_terminal: ") + what + " after hang_up()");
  }
}

// ---- the pump ------------------------------------------------------------------------------

void pty_terminal::feed(const char* data, std::size_t len) {
  raw_output_.append(data, len);
  scan_modes();
  vterm_input_write(vt_, data, len);
}

void pty_terminal::scan_modes() {
  const std::string_view s{raw_output_};
  const std::size_t n = s.size();
  std::size_t i = scan_pos_;
  while (i < n) {
    const std::size_t esc = s.find('\x1b', i);
    if (esc == std::string_view::npos) {
      i = n;
      break;
    }
    if (esc + 1 >= n) {
      i = esc;  // incomplete: resume here when more arrives
      break;
    }
    const char kind = s[esc + 1];
    if (kind == 'c') {  // RIS
      bracketed_paste_ = false;
      application_cursor_keys_ = false;
      i = esc + 2;
      continue;
    }
    if (kind != '[') {
      i = esc + 1;
      continue;
    }
    std::size_t j = esc + 2;
    while (j < n && s[j] >= 0x30 && s[j] <= 0x3F) {
      ++j;
    }
    const std::size_t params_end = j;
    while (j < n && s[j] >= 0x20 && s[j] <= 0x2F) {
      ++j;
    }
    if (j >= n) {
      if (n - esc > max_pending_sequence) {
        i = esc + 1;
        continue;
      }
      i = esc;  // incomplete
      break;
    }
    const char final_byte = s[j];
    if (final_byte < 0x40 || final_byte > 0x7E) {
      i = j;  // malformed: resume at the offending byte
      continue;
    }
    const std::string_view params = s.substr(esc + 2, params_end - (esc + 2));
    const std::string_view intermediates = s.substr(params_end, j - params_end);
    if ((final_byte == 'h' || final_byte == 'l') && intermediates.empty() && params.starts_with('?')) {
      const bool on = final_byte == 'h';
      std::string_view rest = params.substr(1);
      while (true) {
        const std::size_t semi = rest.find(';');
        const std::string_view param = rest.substr(0, semi);
        if (param == "1") {
          application_cursor_keys_ = on;
        } else if (param == "2004") {
          bracketed_paste_ = on;
        }
        if (semi == std::string_view::npos) {
          break;
        }
        rest.remove_prefix(semi + 1);
      }
    } else if (final_byte == 'p' && intermediates == "!") {  // DECSTR soft reset
      bracketed_paste_ = false;
      application_cursor_keys_ = false;
    }
    i = j + 1;
  }
  scan_pos_ = i;
}

bool pty_terminal::read_available() {
  if (master_fd_ < 0 || master_eof_) {
    return false;
  }
  bool any = false;
  std::size_t total = 0;
  std::string buffer(read_chunk, '\0');
  while (total < read_budget) {
    const ssize_t n = ::read(master_fd_, buffer.data(), buffer.size());
    if (n > 0) {
      const auto got = static_cast<std::size_t>(n);
      feed(buffer.data(), got);
      total += got;
      any = true;
      continue;
    }
    if (n == 0) {
      master_eof_ = true;
      break;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN) {  // EWOULDBLOCK is EAGAIN
      break;
    }
    if (errno == EIO) {  // every slave fd closed
      master_eof_ = true;
      break;
    }
    throw_errno("read from pty master");
  }
  flush_out_queue();
  return any;
}

void pty_terminal::flush_out_queue() {
  // The written part is dropped only once it is most of the queue: erasing the front after every
  // write would move a big paste's bytes over and over (quadratic, and slow under sanitizers).
  std::size_t done = out_written_;
  while (done < out_queue_.size() && master_fd_ >= 0) {
    const ssize_t n = ::write(master_fd_, out_queue_.data() + done, out_queue_.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && errno == EAGAIN) {  // EWOULDBLOCK is EAGAIN
      break;
    }
    if (n < 0 && errno == EIO) {  // nobody on the slave side any more
      master_eof_ = true;
      done = out_queue_.size();
      break;
    }
    throw_errno("write to pty master");
  }
  if (done == out_queue_.size()) {
    out_queue_.clear();
    out_written_ = 0;
  } else if (done > out_queue_.size() / 2) {
    out_queue_.erase(0, done);
    out_written_ = 0;
  } else {
    out_written_ = done;
  }
}

bool pty_terminal::poll_once(int timeout_ms, bool watch_exit) {
  pollfd fds[2]{};
  nfds_t count = 0;
  int master_index = -1;
  int pid_index = -1;
  if (master_fd_ >= 0 && !master_eof_) {
    fds[count].fd = master_fd_;
    fds[count].events = static_cast<short>(POLLIN | (out_queue_.empty() ? 0 : POLLOUT));
    master_index = static_cast<int>(count++);
  }
  if (watch_exit && pid_fd_ >= 0 && !reaped_) {
    fds[count].fd = pid_fd_;
    fds[count].events = POLLIN;
    pid_index = static_cast<int>(count++);
  }
  if (count == 0) {
    return false;
  }
  const int ready = ::poll(fds, count, timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) {
      return false;
    }
    throw_errno("poll");
  }
  if (master_index >= 0) {
    const short revents = fds[master_index].revents;
    if ((revents & POLLNVAL) != 0) {
      throw std::logic_error("pty_terminal: master fd is not open");
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      read_available();
    }
    if ((revents & POLLOUT) != 0) {
      flush_out_queue();
    }
  }
  return pid_index >= 0 && (fds[pid_index].revents & (POLLIN | POLLHUP)) != 0;
}

void pty_terminal::drain() { read_available(); }

void pty_terminal::write(std::string_view bytes, std::chrono::milliseconds timeout) {
  require_open("write");
  const auto deadline = clock_type::now() + timeout;
  out_queue_.append(bytes);
  flush_out_queue();
  // While the input queue is full, keep reading: the child may be blocked writing to us.
  while (!out_queue_.empty()) {
    if (master_eof_) {
      throw std::runtime_error("pty_terminal: write: the terminal was closed");
    }
    const int ms = remaining_ms(deadline);
    if (ms == 0) {
      throw std::runtime_error("pty_terminal: write: timed out with " +
                               std::to_string(out_queue_.size() - out_written_) + " bytes unwritten");
    }
    poll_once(ms, false);
  }
}

// ---- waiting -------------------------------------------------------------------------------

bool pty_terminal::wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  read_available();
  if (pred()) {
    return true;
  }
  while (master_fd_ >= 0 && !master_eof_) {
    const int ms = remaining_ms(deadline);
    if (ms == 0) {
      return false;
    }
    poll_once(ms, false);
    if (pred()) {
      return true;
    }
  }
  return pred();  // nothing more can arrive
}

bool pty_terminal::wait_for_text(std::string_view utf8, std::chrono::milliseconds timeout) {
  return wait_for([&] { return screen_text().find(utf8) != std::string::npos; }, timeout);
}

bool pty_terminal::wait_exit(std::chrono::milliseconds timeout) {
  if (reaped_) {
    return true;
  }
  const auto deadline = clock_type::now() + timeout;
  while (true) {
    const int ms = remaining_ms(deadline);
    if (poll_once(ms, true)) {
      reap();
      return true;
    }
    if (ms == 0) {
      return false;
    }
  }
}

void pty_terminal::reap() {
  // The child has exited, so everything it wrote is queued in the pty; a read on the master
  // flushes the kernel's pending buffer before reporting EAGAIN, so this drain is complete.
  for (int rounds = 0; rounds < 16 && read_available(); ++rounds) {
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      throw_errno("waitpid");
    }
  }
  wait_status_ = status;
  reaped_ = true;
  close_fd(pid_fd_);
}

int pty_terminal::exit_status() const {
  if (!reaped_) {
    throw std::logic_error("pty_terminal: exit_status() before wait_exit() succeeded");
  }
  return WIFSIGNALED(wait_status_) ? 128 + WTERMSIG(wait_status_) : WEXITSTATUS(wait_status_);
}

bool pty_terminal::exited_by_signal() const {
  if (!reaped_) {
    throw std::logic_error("pty_terminal: exited_by_signal() before wait_exit() succeeded");
  }
  return WIFSIGNALED(wait_status_);
}

int pty_terminal::term_signal() const { return exited_by_signal() ? WTERMSIG(wait_status_) : 0; }

// ---- window and lifetime -------------------------------------------------------------------

void pty_terminal::resize(int rows, int cols) {
  require_open("resize");
  if (rows <= 0 || cols <= 0 || rows > USHRT_MAX || cols > USHRT_MAX) {
    throw std::invalid_argument("pty_terminal: bad terminal size");
  }
  read_available();  // output written for the old size is interpreted at the old size
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (::ioctl(master_fd_, TIOCSWINSZ, &ws) < 0) {
    throw_errno("TIOCSWINSZ");
  }
  vterm_set_size(vt_, rows, cols);
}

void pty_terminal::send_signal(int sig) {
  if (reaped_ || pid_fd_ < 0) {
    return;
  }
  if (::syscall(SYS_pidfd_send_signal, pid_fd_, sig, nullptr, 0) < 0 && errno != ESRCH) {
    throw_errno("pidfd_send_signal");
  }
}

void pty_terminal::hang_up() {
  if (hung_up_) {
    return;
  }
  read_available();
  hung_up_ = true;
  close_fd(slave_fd_);
  close_fd(master_fd_);
  out_queue_.clear();
  out_written_ = 0;
}

termios pty_terminal::slave_modes() const {
  if (slave_fd_ < 0) {
    throw std::logic_error("pty_terminal: slave_modes() after hang_up()");
  }
  termios modes{};
  if (::tcgetattr(slave_fd_, &modes) < 0) {
    throw_errno("tcgetattr");
  }
  return modes;
}

// ---- screen --------------------------------------------------------------------------------

int pty_terminal::rows() const {
  int r = 0;
  int c = 0;
  vterm_get_size(vt_, &r, &c);
  return r;
}

int pty_terminal::cols() const {
  int r = 0;
  int c = 0;
  vterm_get_size(vt_, &r, &c);
  return c;
}

std::string pty_terminal::row_text(int row) const {
  const int row_count = rows();
  const int col_count = cols();
  if (row < 0 || row >= row_count) {
    throw std::out_of_range("pty_terminal: row " + std::to_string(row) + " is off the screen");
  }
  std::vector<VTermScreenCell> cells(static_cast<std::size_t>(col_count));
  for (int col = 0; col < col_count; ++col) {
    vterm_screen_get_cell(screen_, VTermPos{row, col}, &cells[static_cast<std::size_t>(col)]);
  }
  return cells_to_utf8(cells.data(), col_count);
}

std::string pty_terminal::reverse_text(int row) const {
  const int col_count = cols();
  if (row < 0 || row >= rows()) {
    throw std::out_of_range("pty_terminal: row " + std::to_string(row) + " is off the screen");
  }
  std::vector<VTermScreenCell> cells;
  for (int col = 0; col < col_count; ++col) {
    VTermScreenCell cell{};
    vterm_screen_get_cell(screen_, VTermPos{row, col}, &cell);
    if (cell.attrs.reverse != 0) cells.push_back(cell);
  }
  return cells_to_utf8(cells.data(), static_cast<int>(cells.size()));
}

std::string pty_terminal::screen_text() const {
  std::string out;
  const int row_count = rows();
  for (int row = 0; row < row_count; ++row) {
    if (row > 0) {
      out.push_back('\n');
    }
    out += row_text(row);
  }
  return out;
}

std::vector<std::string> pty_terminal::scrollback() const { return scrollback_; }

screen_position pty_terminal::cursor() const {
  VTermPos pos{};
  vterm_state_get_cursorpos(vterm_obtain_state(vt_), &pos);
  return screen_position{pos.row, pos.col};
}

}  // namespace echochat::testing
