// The reference echo server for load mode's benchmark and tests: not echochat. One thread, epoll,
// edge-triggered, every byte read written back on the same connection at once (kept until the
// socket takes it). Listens on 127.0.0.1:PORT (0: any free port), prints the port on stdout, then
// serves until killed.
//   echo_server [PORT] [--drop-every N]   (--drop-every: close every Nth message's connection, once
//                                          each, to test reconnects)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace {

struct peer {
  std::string pending;  // bytes read and not yet written back
  bool want_out = false;
};

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  long drop_every = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--drop-every") == 0 && i + 1 < argc) {
      drop_every = std::strtol(argv[++i], nullptr, 10);
    } else {
      port = std::atoi(argv[i]);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 4096) != 0) {
    std::perror("echo_server: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  set_nonblocking(lfd);
  const int ep = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  std::unordered_map<int, peer> peers;
  long messages = 0;
  epoll_event events[256];
  char buf[65536];
  const auto drop = [&](int fd) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    peers.erase(fd);
  };
  for (;;) {
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          const int c = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
          cev.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          peers[c];
        }
        continue;
      }
      auto it = peers.find(fd);
      if (it == peers.end()) continue;
      peer& p = it->second;
      bool closed = false;
      for (;;) {
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) {
          if (drop_every > 0) {
            for (ssize_t k = 0; k < r; ++k) messages += buf[k] == '\n' ? 1 : 0;
            if (messages >= drop_every) {
              messages = 0;
              closed = true;
              break;
            }
          }
          p.pending.append(buf, static_cast<std::size_t>(r));
          continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) closed = true;
        if (r < 0 && errno == EINTR) continue;
        break;
      }
      while (!closed && !p.pending.empty()) {
        const ssize_t w = ::write(fd, p.pending.data(), p.pending.size());
        if (w > 0) {
          p.pending.erase(0, static_cast<std::size_t>(w));
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN) closed = true;
        break;
      }
      if (closed) drop(fd);
    }
  }
}
