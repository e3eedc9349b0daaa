// The key path's floor: echochat's input shape and nothing else. A worker thread blocks in poll()
// on fd 0 and a wake-up pipe (as src/edges/input_thread.cpp does), reads what came and hands it
// over a concurrent_channel to a coroutine on one io_context, which write()s the bytes back to
// fd 1. No decoding, no model, no screen: what a key costs echochat above this is its own work.
// Raw mode on fd 0 while it runs; it ends at end of input (or a read error).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using token = asio::as_tuple_t<asio::use_awaitable_t<>>;
// The same channel type and buffer as echochat's chunk_channel (channels.hpp, app.cpp).
using chunk_channel =
    token::as_default_on_t<asio::experimental::concurrent_channel<void(error_code, std::string)>>;

void notify(int fd) {
  const char byte = 1;
  while (::write(fd, &byte, 1) < 0 && errno == EINTR) {
  }
}

struct wake_pipe {
  int r = -1, w = -1;
  std::atomic<bool> in_flight{false};
  wake_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) std::perror("pipe2");
    r = fds[0];
    w = fds[1];
  }
  ~wake_pipe() {
    ::close(r);
    ::close(w);
  }
};

// At most one chunk in flight, as in echochat: a full channel stops the reading until taken.
void hand_over(const std::shared_ptr<wake_pipe>& st, chunk_channel& out, error_code ec, std::string chunk) {
  if (out.try_send(ec, std::move(chunk))) return;
  if (!out.is_open()) return;
  st->in_flight = true;
  out.async_send(ec, std::move(chunk), [st](error_code) {
    st->in_flight = false;
    notify(st->w);
  });
}

void read_loop(const std::shared_ptr<wake_pipe>& st, chunk_channel& out) {
  std::array<char, 16 * 1024> buffer;
  for (;;) {
    pollfd fds[2] = {{st->r, POLLIN, 0}, {0, static_cast<short>(st->in_flight ? 0 : POLLIN), 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      hand_over(st, out, {errno, boost::system::system_category()}, {});
      return;
    }
    if (fds[0].revents != 0) {
      char drain[64];
      while (::read(st->r, drain, sizeof drain) > 0) {
      }
    }
    if (st->in_flight || fds[1].revents == 0) continue;
    const ssize_t n = ::read(0, buffer.data(), buffer.size());
    if (n > 0) {
      hand_over(st, out, {}, std::string(buffer.data(), static_cast<std::size_t>(n)));
    } else if (n == 0) {
      hand_over(st, out, asio::error::eof, {});
      return;
    } else if (errno != EINTR && errno != EAGAIN) {
      hand_over(st, out, {errno, boost::system::system_category()}, {});
      return;
    }
  }
}

asio::awaitable<void> writer(chunk_channel& chunks) {
  for (;;) {
    auto [ec, chunk] = co_await chunks.async_receive();
    if (ec) co_return;
    for (std::size_t off = 0; off < chunk.size();) {
      const ssize_t n = ::write(1, chunk.data() + off, chunk.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        co_return;
      }
      off += static_cast<std::size_t>(n);
    }
  }
}

}  // namespace

int main() {
  termios saved{};
  const bool have_saved = ::tcgetattr(0, &saved) == 0;
  if (have_saved) {
    termios raw = saved;
    ::cfmakeraw(&raw);
    ::tcsetattr(0, TCSANOW, &raw);
  }
  {
    asio::io_context io(1);
    chunk_channel chunks(io, 64);
    auto st = std::make_shared<wake_pipe>();
    std::thread worker([st, &chunks] { read_loop(st, chunks); });
    asio::co_spawn(io, writer(chunks), asio::detached);
    io.run();  // the writer ends at end of input
    worker.join();
  }
  if (have_saved) ::tcsetattr(0, TCSADRAIN, &saved);
  return 0;
}
