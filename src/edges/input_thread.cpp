// The input thread. At most one chunk is in flight: when the chunk channel's buffer is full the
// thread stops reading until the io_context has taken the chunk, so order is kept and memory
// stays bounded while a paste floods in.
#include "echochat/edges/input_thread.hpp"

#include <boost/asio/error.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unistd.h>
#include <fcntl.h>

namespace echochat {

namespace {
constexpr std::size_t chunk_size = 16 * 1024;

void notify(int fd) {
  const char byte = 1;
  while (::write(fd, &byte, 1) < 0 && errno == EINTR) {
  }
}
}  // namespace

struct input_thread::shared_state {
  int wake_read = -1;
  int wake_write = -1;
  std::atomic<bool> stop{false};
  std::atomic<bool> in_flight{false};

  shared_state() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    wake_read = fds[0];
    wake_write = fds[1];
  }
  ~shared_state() {
    ::close(wake_read);
    ::close(wake_write);
  }
  shared_state(const shared_state&) = delete;
  shared_state& operator=(const shared_state&) = delete;
};

namespace {

// Hands one message to the channel: at once if its buffer has room, else asynchronously; the
// completion (run on the io_context) clears in_flight and wakes the thread.
void hand_over(const std::shared_ptr<input_thread::shared_state>& st, chunk_channel& out,
               boost::system::error_code ec, std::string chunk);

}  // namespace

input_thread::input_thread(int fd, chunk_channel& out) : state_(std::make_shared<shared_state>()) {
  // Block every signal while creating the thread, so it is born with them blocked.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  try {
    thread_ = std::thread([st = state_, fd, &out] {
      // Read into one buffer kept for the thread's life; each chunk handed over is a string of
      // just the bytes read (no allocation for a typed key: it fits the small-string buffer).
      std::array<char, chunk_size> buffer{};
      for (;;) {
        pollfd fds[2] = {{st->wake_read, POLLIN, 0}, {fd, static_cast<short>(st->in_flight ? 0 : POLLIN), 0}};
        if (::poll(fds, 2, -1) < 0) {
          if (errno == EINTR) continue;
          hand_over(st, out, {errno, boost::system::system_category()}, {});
          return;
        }
        if (fds[0].revents != 0) {
          char drain[64];
          while (::read(st->wake_read, drain, sizeof drain) > 0) {
          }
        }
        if (st->stop) return;
        if (st->in_flight || fds[1].revents == 0) continue;
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
          hand_over(st, out, {}, std::string(buffer.data(), static_cast<std::size_t>(n)));
        } else if (n == 0) {
          hand_over(st, out, boost::asio::error::eof, {});
          return;
        } else if (errno != EINTR && errno != EAGAIN) {
          hand_over(st, out, {errno, boost::system::system_category()}, {});
          return;
        }
      }
    });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

input_thread::~input_thread() {
  state_->stop = true;
  notify(state_->wake_write);
  if (thread_.joinable()) thread_.join();
}

namespace {

void hand_over(const std::shared_ptr<input_thread::shared_state>& st, chunk_channel& out,
               boost::system::error_code ec, std::string chunk) {
  if (out.try_send(ec, std::move(chunk))) return;
  if (!out.is_open()) return;
  st->in_flight = true;
  // NOLINTNEXTLINE(bugprone-use-after-move): try_send moved nothing, as it returned false
  out.async_send(ec, std::move(chunk), [st](boost::system::error_code) {
    st->in_flight = false;
    notify(st->wake_write);
  });
}

}  // namespace

}  // namespace echochat
