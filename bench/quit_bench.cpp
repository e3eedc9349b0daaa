// The stuck-output benchmark: how long a program takes to end on SIGTERM while a server floods it
// and nobody reads its stdout (`… | sleep 100`). echochat ends cleanly (it stops the pipeline,
// counts what was not written, says so on stderr); the reference, ncat, is ended by the kernel
// (SIGTERM's default action) wherever it is blocked: the floor for any program.
#include "bench_stats.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Accepts connections and sends each 100-byte lines until it goes away.
class flood_server {
 public:
  flood_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) < 0 || ::listen(fd_, 16) < 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) < 0) {
      fail("listen");
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      std::string chunk;
      for (int i = 0; i < 1000; ++i) chunk += std::string(99, 'x') + "\n";
      for (;;) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        std::thread([c, chunk] {
          while (::send(c, chunk.data(), chunk.size(), MSG_NOSIGNAL) > 0) {
          }
          ::close(c);
        }).detach();
      }
    });
  }
  ~flood_server() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  flood_server(const flood_server&) = delete;
  flood_server& operator=(const flood_server&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// Starts argv with stdin and stderr on /dev/null and stdout on a pipe that is never read; waits
// until the pipe is full, then sends SIGTERM and returns the milliseconds until the exit (NaN
// if the program could not be started or did not fill the pipe in 10 s).
double time_to_exit(std::vector<std::string> args) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) < 0) fail("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (err != 0) {
    ::close(out[0]);
    return std::nan("");
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  const int capacity = ::fcntl(out[0], F_GETPIPE_SZ);
  const auto give_up = clock_type::now() + std::chrono::seconds(10);
  int waiting = 0;
  while (waiting < capacity - 4096 && clock_type::now() < give_up) {
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, 1) > 0) break;  // it ended by itself
    ::ioctl(out[0], FIONREAD, &waiting);
  }
  double ms = std::nan("");
  if (waiting >= capacity - 4096) {
    // Let the program settle into its stuck state: the flood fills its buffers behind the pipe.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto sent = clock_type::now();
    ::kill(pid, SIGTERM);
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, 10000) > 0)
      ms = std::chrono::duration<double, std::milli>(clock_type::now() - sent).count();
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::close(pidfd);
  ::close(out[0]);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::string echochat = ECHOCHAT_BENCH_BINARY;
  int rounds = 15;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--echochat" && i + 1 < argc) {
      echochat = argv[++i];
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: echochat_quit_bench [--echochat PATH] [--rounds N (15)]\n");
      return 2;
    }
  }
  flood_server server;
  const std::string address = "127.0.0.1:" + std::to_string(server.port());
  std::printf("echochat_quit_bench: %s\n", machine_line().c_str());
  std::printf(
      "a flood from a loopback server, stdout a pipe nobody reads, then SIGTERM; %d rounds in turn; load "
      "average %s\n\n",
      rounds, load_average().c_str());
  std::vector<double> ours, reference;
  for (int r = 0; r < rounds; ++r) {
    ours.push_back(time_to_exit({echochat, "--plain", "--connect", address, "--delay", "100000"}));
    reference.push_back(time_to_exit({"ncat", "127.0.0.1", std::to_string(server.port())}));
  }
  auto finite = [](std::vector<double> v) {
    std::erase_if(v, [](double x) { return std::isnan(x); });
    return v;
  };
  const auto a = finite(ours);
  const auto b = finite(reference);
  std::printf("| program | runs | SIGTERM to exit, median (ms) | max (ms) |\n| --- | ---: | ---: | ---: |\n");
  std::printf(
      "| echochat --plain --connect (ends cleanly, counts what was not written) | %zu | %.2f | %.2f |\n",
      a.size(), median(a), a.empty() ? std::nan("") : *std::max_element(a.begin(), a.end()));
  std::printf("| ncat (ended by the kernel where it blocks) | %zu | %.2f | %.2f |\n", b.size(), median(b),
              b.empty() ? std::nan("") : *std::max_element(b.begin(), b.end()));
  std::printf("\nratio of medians: %.2f\n", median(a) / median(b));
  return a.size() == ours.size() ? 0 : 1;
}
