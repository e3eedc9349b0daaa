// End-to-end: plain output that nobody reads (`echochat --plain --connect … | sleep 100`). The
// program must not freeze: q and the signals still end it, saying how many lines were not
// written; and output that is read late loses nothing.
#include "e2e/e2e_util.hpp"
#include "support/loopback_listener.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace echochat::e2e;

namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// A TCP server for one client: sends `bytes` as fast as the client takes them, then closes if
// `close_after`, else stays until the test ends.
class flood_server {
 public:
  flood_server(std::string bytes, bool close_after) : bytes_(std::move(bytes)) {
    const echochat::testing::loopback_listener l = echochat::testing::listen_on_loopback(1);
    listener_ = l.fd;
    port_ = l.port;
    thread_ = std::thread([this, close_after] {
      const int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      client_ = c;
      std::size_t done = 0;
      while (done < bytes_.size()) {
        const ssize_t n = ::send(c, bytes_.data() + done, bytes_.size() - done, MSG_NOSIGNAL);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      if (close_after) ::shutdown(c, SHUT_RDWR);
    });
  }
  ~flood_server() {
    ::shutdown(listener_, SHUT_RDWR);                  // ends an accept still waiting
    if (client_ >= 0) ::shutdown(client_, SHUT_RDWR);  // ends a send still waiting
    thread_.join();
    if (client_ >= 0) ::close(client_);
    ::close(listener_);
  }
  flood_server(const flood_server&) = delete;
  flood_server& operator=(const flood_server&) = delete;
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::string bytes_;
  int listener_ = -1;
  std::atomic<int> client_{-1};
  int port_ = 0;
  std::thread thread_;
};

// A TCP server for one client that floods it through a non-blocking socket and counts what the
// kernel took. It can tell when the client has stopped reading: its kernel has found the
// client's receive window shut through three zero-window probes in a row (TCP_INFO's backoff
// counts them and goes back to 0 as soon as the window opens), which takes the window shut for
// more than a second, as the probes back off from 200 ms. A client that keeps reading, even one
// that stalls now and then, does not do that; one that stopped reading does it for sure.
class held_flood_server {
 public:
  explicit held_flood_server(std::string bytes) : bytes_(std::move(bytes)) {
    const echochat::testing::loopback_listener l = echochat::testing::listen_on_loopback(1);
    listener_ = l.fd;
    port_ = l.port;
    thread_ = std::thread([this] {
      const int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c < 0) return;
      client_ = c;
      std::size_t done = 0;
      while (done < bytes_.size()) {
        const ssize_t n = ::send(c, bytes_.data() + done, bytes_.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
          done += static_cast<std::size_t>(n);
          sent_ = done;
        } else if (n < 0 && errno == EAGAIN) {
          pollfd p{c, POLLOUT, 0};
          ::poll(&p, 1, -1);  // the destructor's shutdown ends it
          if ((p.revents & (POLLHUP | POLLERR)) != 0) break;
        } else if (n < 0 && errno != EINTR) {
          break;
        }
      }
    });
  }
  ~held_flood_server() {
    ::shutdown(listener_, SHUT_RDWR);
    if (client_ >= 0) ::shutdown(client_, SHUT_RDWR);
    thread_.join();
    if (client_ >= 0) ::close(client_);
    ::close(listener_);
  }
  held_flood_server(const held_flood_server&) = delete;
  held_flood_server& operator=(const held_flood_server&) = delete;
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  bool accepted() const { return client_ >= 0; }
  std::size_t sent() const { return sent_; }
  bool all_sent() const { return sent_ == bytes_.size(); }
  // The client's receive window has stayed shut through three zero-window probes.
  bool client_stopped_reading() const {
    const int c = client_;
    if (c < 0) return false;
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(c, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return false;
    return info.tcpi_backoff >= 3;
  }

 private:
  std::string bytes_;
  int listener_ = -1;
  std::atomic<int> client_{-1};
  std::atomic<std::size_t> sent_{0};
  int port_ = 0;
  std::thread thread_;
};

// The program's peak resident memory, in KiB.
long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

// "net NNNNNNNN ....": `n` lines of 100 bytes as the server sends them.
std::string flood_lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    char head[16];
    std::snprintf(head, sizeof head, "%08d ", i);
    out += head;
    out.append(90, 'x');
    out.push_back('\n');
  }
  return out;
}

// echochat on three pipes; the test decides when (and whether) stdout is read.
class piped_child {
 public:
  explicit piped_child(const std::vector<std::string>& flags) {
    std::vector<std::string> args = echochat_argv(flags);
    std::vector<char*> argv = c_strings(args);
    std::vector<std::string> env_strings = utf8_environment();
    std::vector<char*> envp = c_strings(env_strings);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0)
      throw_errno("pipe2");
    pid_ = ::fork();
    if (pid_ < 0) throw_errno("fork");
    if (pid_ == 0) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0) ::_exit(127);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    ::fcntl(in_, F_SETFL, O_NONBLOCK);
    ::fcntl(err_, F_SETFL, O_NONBLOCK);
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0) throw_errno("pidfd_open");
  }
  ~piped_child() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_, err_, pidfd_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  piped_child(const piped_child&) = delete;
  piped_child& operator=(const piped_child&) = delete;

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return out_; }
  const std::string& err() const { return err_text_; }
  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }

  // Bytes waiting in the stdout pipe, and how many it holds.
  int stdout_waiting() const {
    int n = 0;
    ::ioctl(out_, FIONREAD, &n);
    return n;
  }
  int stdout_capacity() const { return ::fcntl(out_, F_GETPIPE_SZ); }

  // Waits, collecting stderr and feeding `input` to stdin, until pred() holds or the child exits;
  // false at the deadline. A failure deadline only: it returns as soon as pred() holds.
  bool wait(const std::function<bool()>& pred, std::string_view input = {}) {
    std::size_t written = 0;
    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      if (pred()) return true;
      if (reaped_) return false;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      // stdout is not watched: no event says "the pipe is full", so that is checked every 5 ms.
      pollfd fds[3] = {
          {err_, POLLIN, 0}, {pidfd_, POLLIN, 0}, {written < input.size() ? in_ : -1, POLLOUT, 0}};
      ::poll(fds, 3, static_cast<int>(std::min<long>(left.count(), 5)));
      char buf[4096];
      ssize_t n;
      while ((n = ::read(err_, buf, sizeof buf)) > 0) err_text_.append(buf, static_cast<std::size_t>(n));
      if (fds[2].revents != 0) {
        n = ::write(in_, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
      }
      if (fds[1].revents != 0) reap();
    }
  }
  // Waits for the exit; its status (128 + N for a signal), or -1 at the deadline.
  int wait_exit() {
    wait([] { return false; });
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_, buf, sizeof buf)) > 0) err_text_.append(buf, static_cast<std::size_t>(n));
    return reaped_ ? status_ : -1;
  }
  // Full, give or take the last page (a pipe holds its bytes in pages).
  bool stdout_full() const { return stdout_waiting() >= stdout_capacity() - 4096; }

 private:
  void reap() {
    int ws = 0;
    if (::waitpid(pid_, &ws, 0) != pid_) return;
    reaped_ = true;
    status_ = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  }
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1, pidfd_ = -1;
  bool reaped_ = false;
  int status_ = -1;
  std::string err_text_;
};

bool says_not_written(const std::string& err) {
  return err.find(" lines were not written to standard output (nobody was reading it)\n") !=
         std::string::npos;
}

}  // namespace

TEST_CASE("with stdout a pipe nobody reads, SIGTERM still ends it, and stderr counts the lines not written",
          "[e2e][plain][stuck]") {
  // Far more than the pipe, the writer and the sockets hold.
  flood_server server(flood_lines(200000), false);
  piped_child child({"--plain", "--connect", server.address(), "--delay", "1000"});
  child.close_stdin();
  INFO("stderr: " << child.err());
  REQUIRE(child.wait([&] { return child.stdout_full(); }));
  // Before the fix the io thread sat in write(2) for good, and SIGTERM was never acted on.
  ::kill(child.pid(), SIGTERM);
  CHECK(child.wait_exit() == 143);
  CHECK(says_not_written(child.err()));
}

TEST_CASE("with stdout a pipe nobody reads, q still quits: status 1, and stderr counts the lines not written",
          "[e2e][plain][stuck]") {
  // Local echo: 12,000 typed lines (540 KB of output, more than the pipe and the writer
  // hold together), then q. Before the fix the program stopped reading its input once stdout was full.
  std::string typed;
  for (int i = 0; i < 12000; ++i)
    typed += "a line typed into a stuck output " + std::to_string(100000 + i) + "\n";
  typed += "q";
  piped_child child({"--plain", "--delay", "100000"});
  INFO("stderr: " << child.err());
  child.wait([] { return false; }, typed);  // feeds the input until it exits
  CHECK(child.wait_exit() == 1);
  CHECK(says_not_written(child.err()));
}

TEST_CASE("output read late loses nothing: every line of a flood comes out in order, and the status is 0",
          "[e2e][plain][stuck]") {
  constexpr int lines = 50000;  // 5 MB
  flood_server server(flood_lines(lines), true);
  piped_child child({"--plain", "--connect", server.address(), "--delay", "0"});
  child.close_stdin();
  INFO("stderr: " << child.err());
  REQUIRE(child.wait([&] { return child.stdout_full(); }));
  // Now the reader comes back, and reads to the end.
  std::string out;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(child.stdout_fd(), buf, sizeof buf)) != 0) {
      if (n > 0) out.append(buf, static_cast<std::size_t>(n));
      if (n < 0 && errno != EINTR) break;
    }
  });
  const int status = child.wait_exit();
  reader.join();
  CHECK(status == 0);
  CHECK(child.err().empty());
  int next = 0;
  std::size_t at = 0;
  while ((at = out.find("\nnet ", at)) != std::string::npos) {
    at += 5;
    char want[16];
    std::snprintf(want, sizeof want, "%08d ", next);
    if (out.compare(at, 9, want) != 0) break;
    ++next;
  }
  CHECK(next == lines);
}

TEST_CASE(
    "with stdout a pipe nobody reads, echochat stops reading the server: the flood waits at the server, not "
    "in "
    "echochat's memory",
    "[e2e][plain][stuck][backpressure]") {
  // 128 MB: far more than the pipe, the writer and the sockets hold (Linux lets a receive buffer
  // grow to 32 MiB, net.ipv4.tcp_rmem).
  constexpr int lines = 1280000;
  held_flood_server server(flood_lines(lines));
  piped_child child({"--plain", "--connect", server.address(), "--delay", "1000"});
  child.close_stdin();
  INFO("stderr: " << child.err());
  REQUIRE(child.wait([&] { return server.accepted(); }));
  const long before = peak_rss_kib(child.pid());
  REQUIRE(before > 0);
  // Either the server's kernel finds echochat's window shut for good (it stopped reading), or
  // echochat takes the whole flood (it did not).
  REQUIRE(child.wait(
      [&] { return server.all_sent() || (child.stdout_full() && server.client_stopped_reading()); }));
  const long after = peak_rss_kib(child.pid());
  INFO("the server sent " << server.sent() << " of " << lines * 100 << " bytes; peak resident memory before "
                          << before << " KiB, after " << after << " KiB");
  CHECK_FALSE(server.all_sent());
  // A quarter of the flood, whatever the build: what the pipe and the writer hold is a few
  // hundred KiB (the socket buffers are the kernel's), and the sanitizers' overhead on that is
  // far below.
  CHECK(after - before < lines * 100 / 4 / 1024);
  ::kill(child.pid(), SIGTERM);
  CHECK(child.wait_exit() == 143);
}
