// The plain output's writer: it never blocks, keeps every byte in order, says when reading
// should pause, counts what was not written, and never sets O_NONBLOCK on the descriptor it was
// given (that flag would reach the shell, and on a terminal our own stdin).
#include "echochat/edges/output_writer.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace echochat;
namespace asio = boost::asio;

namespace {

struct fd_pair {
  int read = -1;
  int write = -1;
  fd_pair() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read = fds[0];
    write = fds[1];
  }
  ~fd_pair() {
    close_read();
    if (write >= 0) ::close(write);
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
};

bool nonblocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

// `n` numbered lines of `width` bytes each, newline included.
std::string numbered_lines(int n, std::size_t width) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    std::string line = std::to_string(i);
    line.resize(width - 1, '.');
    out += line;
    out.push_back('\n');
  }
  return out;
}

std::string read_all(int fd) {
  std::string got;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      got.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      return got;
    }
  }
}

}  // namespace

TEST_CASE("a pipe nobody reads: writing never waits, and reading is told to pause past the high mark",
          "[output]") {
  asio::io_context io;
  fd_pair pipe;
  output_writer out(io.get_executor(), pipe.write, 16 * 1024, 4 * 1024);
  const std::string text = numbered_lines(10000, 100);  // 1,000,000 bytes, far more than a pipe holds
  out.write(text);                                      // returns: the test would hang here otherwise
  CHECK(out.waiting_bytes() > 0);
  CHECK(out.waiting_bytes() < text.size());
  CHECK_FALSE(out.may_read().is_set());
  CHECK(out.unwritten_lines() > 0);
  CHECK(out.unwritten_lines() <= 10000);
  CHECK_FALSE(out.error());
  CHECK_FALSE(nonblocking(pipe.write));  // the flag is on the writer's own description only
  CHECK_FALSE(nonblocking(pipe.read));
}

TEST_CASE("what waits comes out whole and in order once the reader reads, and reading resumes", "[output]") {
  asio::io_context io;
  fd_pair pipe;
  std::optional<output_writer> out;
  out.emplace(io.get_executor(), pipe.write, 16 * 1024, 4 * 1024);
  ::close(std::exchange(pipe.write, -1));  // the writer's own descriptor is the one writer left
  const std::string text = numbered_lines(10000, 100);
  out->write(text.substr(0, 300000));
  out->write(text.substr(300000));
  REQUIRE_FALSE(out->may_read().is_set());
  bool resumed = false;
  bool drained = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        resumed = co_await out->may_read().wait();
        drained = co_await out->drained();
      },
      asio::detached);
  std::string got;
  std::thread reader([&] { got = read_all(pipe.read); });
  io.run();  // returns once everything is written
  CHECK(resumed);
  CHECK(drained);
  CHECK(out->waiting_bytes() == 0);
  CHECK(out->unwritten_lines() == 0);
  CHECK(out->may_read().is_set());
  out.reset();  // closes the last writer: the reader sees the end
  reader.join();
  CHECK(got == text);
}

TEST_CASE("a reader that is gone: the error is EPIPE, and every line after it is counted as not written",
          "[output]") {
  asio::io_context io;
  fd_pair pipe;
  output_writer out(io.get_executor(), pipe.write);
  pipe.close_read();
  out.write("one\ntwo\nthree");
  CHECK(out.error() == boost::system::errc::broken_pipe);
  CHECK(out.unwritten_lines() == 3);  // the last one has no line end yet, and counts
  out.write(" more\nfour\n");
  CHECK(out.unwritten_lines() == 4);
  out.write(numbered_lines(5000, 10));  // past what the writer keeps to count with
  CHECK(out.unwritten_lines() == 5004);
  CHECK(out.waiting_bytes() == 0);
  CHECK(out.may_read().is_set());  // nothing waits: reading goes on, the output is just lost
}

TEST_CASE("a regular file takes every write at once", "[output]") {
  asio::io_context io;
  echochat::testing::temp_dir dir("echochat-output");
  const auto path = dir.path / "out.txt";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  const std::string text = numbered_lines(10000, 100);
  {
    output_writer out(io.get_executor(), fd);
    out.write(text);
    CHECK(out.waiting_bytes() == 0);
    CHECK(out.unwritten_lines() == 0);
  }
  ::close(fd);
  std::ifstream in(path, std::ios::binary);
  const std::string got{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  CHECK(got == text);
}

TEST_CASE("a socket nobody reads: writing never waits, and the socket is left blocking once done",
          "[output]") {
  asio::io_context io;
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  std::optional<output_writer> out;
  out.emplace(io.get_executor(), fds[0], 16 * 1024, 4 * 1024);
  const std::string text = numbered_lines(100000, 100);  // 10 MB, past any socket buffer
  out->write(text);
  CHECK(out->waiting_bytes() > 0);
  CHECK_FALSE(out->may_read().is_set());
  std::string got;
  std::thread reader([&] { got = read_all(fds[1]); });
  bool drained = false;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { drained = co_await out->drained(); }, asio::detached);
  io.run();
  CHECK(drained);
  out.reset();
  CHECK_FALSE(nonblocking(fds[0]));
  ::shutdown(fds[0], SHUT_WR);
  reader.join();
  CHECK(got == text);
  ::close(fds[0]);
  ::close(fds[1]);
}
