// The echo-mode benchmark: the round trips echochat reports against a raw socket probe's, on the
// same loopback echo servers (one in this process, and socat EXEC:cat), in one run.
#include "bench_stats.hpp"
#include "support/pty_spawn.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef ECHOCHAT_BENCH_BINARY
#define ECHOCHAT_BENCH_BINARY "echochat"
#endif

extern char** environ;

namespace {

using namespace echochat::bench;
using clock_type = std::chrono::steady_clock;

struct settings {
  std::string echochat = ECHOCHAT_BENCH_BINARY;
  int probes = 200;
  int rounds = 3;
  double interval = 0.005;
};

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

int listen_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, 16) < 0) fail("listen");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

// An echo server on its own threads: what each connection sends comes back as it arrives.
class echo_server {
 public:
  echo_server() : fd_(listen_loopback(port_)) {
    thread_ = std::thread([this] {
      for (;;) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;  // closed
        const int one = 1;
        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::thread([c] {
          char buf[65536];
          for (;;) {
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) break;
            for (ssize_t done = 0; done < n;) {
              const ssize_t w = ::write(c, buf + done, static_cast<std::size_t>(n - done));
              if (w <= 0) break;
              done += w;
            }
          }
          ::close(c);
        }).detach();
      }
    });
  }
  ~echo_server() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_ = 0;
  int fd_;
  std::thread thread_;
};

pid_t spawn(const std::vector<std::string>& args, int in, int out) {
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in, 0);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return err == 0 ? pid : -1;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// The raw probe: a blocking write of one line, then a read until its echo is whole; in ms.
std::vector<double> raw_probe(std::uint16_t port, int probes, double interval) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) fail("connect");
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::vector<double> out;
  char buf[256];
  for (int i = 1; i <= probes; ++i) {
    const std::string line = "echochat " + std::to_string(i) + " 1701331200.123456\n";
    const auto t0 = clock_type::now();
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) fail("write");
    std::size_t got = 0;
    while (got < line.size()) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) fail("read");
      got += static_cast<std::size_t>(n);
    }
    out.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    std::this_thread::sleep_for(std::chrono::duration<double>(interval));
  }
  ::close(fd);
  return out;
}

std::vector<std::string> echo_args(const settings& s, std::uint16_t port, bool plain) {
  std::vector<std::string> a{s.echochat,
                             "--connect",
                             "127.0.0.1:" + std::to_string(port),
                             "--echo",
                             "--count",
                             std::to_string(s.probes),
                             "--interval",
                             std::to_string(s.interval),
                             "--delay",
                             "100000"};
  if (plain) a.push_back("--plain");
  return a;
}

// echochat --echo --count N --plain: the round trip of every result line it prints; in ms.
std::vector<double> echochat_plain(const settings& s, std::uint16_t port) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) < 0) fail("pipe");
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = spawn(echo_args(s, port, true), null_in, out[1]);
  ::close(out[1]);
  ::close(null_in);
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  ::waitpid(pid, nullptr, 0);
  std::vector<double> rtts;
  const std::regex time(R"(: seq=\d+ time=([0-9.]+) ms)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), time); it != std::sregex_iterator(); ++it) {
    rtts.push_back(std::stod((*it)[1]));
  }
  return rtts;
}

// echochat --echo --count N on a terminal: the median (p50) of its summary; in ms.
std::optional<double> echochat_screen(const settings& s, std::uint16_t port) {
  const auto fds = echochat::pty::open_pty(30, 100, "rtt_bench");
  const auto c = echochat::pty::spawn_on_pty(fds.slave, echo_args(s, port, false), {}, "rtt_bench");
  ::close(fds.slave);
  std::string text;
  char buf[65536];
  for (;;) {
    pollfd p{fds.master, POLLIN, 0};
    if (::poll(&p, 1, 60'000) <= 0) break;
    const ssize_t n = ::read(fds.master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: the child is gone and the pty hung up
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::waitpid(c.pid, nullptr, 0);
  ::close(c.pidfd);
  ::close(fds.master);
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(rtt p50/p99 = ([0-9.]+)/)"))) return std::nullopt;
  return std::stod(m[1]);
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return std::string{argv[++i]};
    };
    if (a == "--echochat") {
      s.echochat = value();
    } else if (a == "--probes") {
      s.probes = std::stoi(value());
    } else if (a == "--rounds") {
      s.rounds = std::stoi(value());
    } else if (a == "--interval") {
      s.interval = std::stod(value());
    } else {
      std::puts(
          "usage: echochat_rtt_bench [--echochat PATH] [--probes N (200)] [--rounds N (3)] [--interval S "
          "(0.005)]");
      std::exit(a == "--help" ? 0 : 2);
    }
  }
  if (s.probes < 20) s.probes = 20;  // the summary's p50 needs 20
  return s;
}

}  // namespace

int main(int argc, char** argv) try {
  const settings s = parse(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  std::printf("echochat_rtt_bench: %s\n", machine_line().c_str());
  std::printf(
      "%d probes of 40 bytes every %.3f s per program, %d rounds in turn; medians of round medians; "
      "load average %s\n\n",
      s.probes, s.interval, s.rounds, load_average().c_str());

  echo_server in_process;
  std::uint16_t socat_port = 0;
  ::close(listen_loopback(socat_port));  // a free port for socat
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t socat = spawn(
      {"socat", "TCP-LISTEN:" + std::to_string(socat_port) + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat"},
      null_fd, null_fd);
  ::close(null_fd);
  for (int i = 0; socat > 0 && i < 500 && !accepts(socat_port); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  struct server {
    const char* name;
    std::uint16_t port;
  };
  std::vector<server> servers{{"in-process echo server", in_process.port()}};
  if (socat > 0 && accepts(socat_port)) servers.push_back({"socat EXEC:cat", socat_port});

  std::printf(
      "| server | raw socket probe, median (ms) | echochat --plain, median (ms) | echochat on a terminal, "
      "p50 (ms) "
      "| --plain − raw (µs) | terminal − raw (µs) |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (const auto& srv : servers) {
    std::vector<double> raw, plain, screen;
    for (int r = 0; r < s.rounds; ++r) {
      raw.push_back(median(raw_probe(srv.port, s.probes, s.interval)));
      plain.push_back(median(echochat_plain(s, srv.port)));
      if (const auto p50 = echochat_screen(s, srv.port)) screen.push_back(*p50);
    }
    const double r = median(raw), p = median(plain), t = screen.empty() ? 0 : median(screen);
    std::printf("| %s | %.3f | %.3f | %.3f | %+.0f | %+.0f |\n", srv.name, r, p, t, (p - r) * 1000,
                (t - r) * 1000);
  }
  if (socat > 0) {
    ::kill(socat, SIGTERM);
    ::waitpid(socat, nullptr, 0);
  }
  std::printf("\nload average at the end %s\n", load_average().c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "echochat_rtt_bench: %s\n", e.what());
  return 1;
}
