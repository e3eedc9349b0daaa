// Plain output through a descriptor of our own that never blocks.
#include "echochat/edges/output_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace echochat {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int duplicate(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) throw_errno("standard output");
  return copy;
}

struct own_descriptor {
  int fd;
  bool nonblocking;
  bool socket;
};

// O_NONBLOCK belongs to an open file description, which stdout shares with the shell and, on a
// terminal, with our own stdin (the input thread reads it blocking). So it is never set on fd 1:
// a pipe, FIFO or terminal is opened anew through /proc, which makes a description of our own.
// A socket cannot be opened anew: it is written with MSG_DONTWAIT, but Asio's wait for
// writability sets O_NONBLOCK on it all the same, so the writer puts the flag back as it found
// it when it goes (our own stdin, should it be the same socket, is polled before each read). A
// regular file never makes a writer wait for a reader.
own_descriptor open_own(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) throw_errno("standard output");
  if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) return {duplicate(fd), false, false};
  if (S_ISSOCK(st.st_mode)) return {duplicate(fd), true, true};
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const int own = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (own >= 0) return {own, true, false};
  // A pipe whose reader is gone already (ENXIO): every write fails at once, so blocking is moot.
  // Without /proc this is the one case left where a stuck reader can stall the program.
  return {duplicate(fd), false, false};
}

std::size_t lines_in(std::string_view bytes) {
  return static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n')) +
         (bytes.empty() || bytes.back() == '\n' ? 0 : 1);
}

}  // namespace

output_writer::output_writer(asio::any_io_executor ex, int fd, std::size_t high, std::size_t low)
    : fd_(ex), high_(high), low_(low), may_read_(ex, true), drained_(ex, true) {
  const own_descriptor own = open_own(fd);
  kind_ = own.socket ? kind::socket : own.nonblocking ? kind::nonblocking : kind::blocking;
  if (kind_ == kind::socket) socket_was_nonblocking_ = (::fcntl(own.fd, F_GETFL) & O_NONBLOCK) != 0;
  fd_.assign(own.fd);
}

output_writer::~output_writer() {
  *alive_ = false;
  if (kind_ == kind::socket && !socket_was_nonblocking_) {
    const int flags = ::fcntl(fd_.native_handle(), F_GETFL);
    if (flags >= 0) ::fcntl(fd_.native_handle(), F_SETFL, flags & ~O_NONBLOCK);
  }
}

void output_writer::write(std::string_view bytes) {
  if (bytes.empty()) return;
  if (error_) {
    count_lost(bytes);  // only counted: nothing reads this output any more
    return;
  }
  buffer_ += bytes;
  pump();
}

void output_writer::flush_now() {
  if (!error_) pump();
}

std::size_t output_writer::unwritten_lines() const {
  return lines_in(std::string_view{buffer_}.substr(head_)) + lost_lines_ + (lost_open_ ? 1 : 0);
}

void output_writer::count_lost(std::string_view bytes) {
  if (bytes.empty()) return;
  lost_lines_ += static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  lost_open_ = bytes.back() != '\n';
}

void output_writer::pump() {
  while (head_ < buffer_.size()) {
    const char* data = buffer_.data() + head_;
    const std::size_t size = buffer_.size() - head_;
    const ssize_t n = kind_ == kind::socket
                          ? ::send(fd_.native_handle(), data, size, MSG_DONTWAIT | MSG_NOSIGNAL)
                          : ::write(fd_.native_handle(), data, size);
    if (n > 0) {
      head_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && kind_ != kind::blocking) {  // EWOULDBLOCK is EAGAIN
      wait_writable();
      break;
    }
    // Nobody reads any more (EPIPE), or the device failed: what waits is lost, and so is the rest.
    error_ = error_code(n < 0 ? errno : EIO, boost::system::system_category());
    count_lost(std::string_view{buffer_}.substr(head_));
    buffer_.clear();
    head_ = 0;
    break;
  }
  settle();
}

void output_writer::wait_writable() {
  if (waiting_) return;
  waiting_ = true;
  fd_.async_wait(asio::posix::descriptor_base::wait_write, [this, alive = alive_](const error_code& ec) {
    if (!*alive) return;
    waiting_ = false;
    if (!ec) pump();
  });
}

void output_writer::settle() {
  if (head_ == buffer_.size()) {
    buffer_.clear();
    head_ = 0;
  } else if (head_ >= 64 * 1024 && head_ >= buffer_.size() / 2) {
    buffer_.erase(0, head_);  // amortised: each byte is moved at most about once
    head_ = 0;
  }
  const std::size_t waiting = waiting_bytes();
  if (waiting >= high_) {
    may_read_.clear();
  } else if (waiting <= low_) {
    may_read_.set();
  }
  if (waiting == 0) {
    drained_.set();
  } else {
    drained_.clear();
  }
}

}  // namespace echochat
