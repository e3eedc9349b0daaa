// Test support: a listening TCP socket on 127.0.0.1, at a port the kernel picks.
#pragma once

#include <cerrno>
#include <cstdint>
#include <system_error>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace echochat::testing {

struct loopback_listener {
  int fd = -1;  // the caller's to close
  std::uint16_t port = 0;
};

// socket(), bind() to 127.0.0.1 port 0, listen(backlog) and the port the kernel chose; `flags`
// are added to SOCK_STREAM | SOCK_CLOEXEC (SOCK_NONBLOCK). Throws std::system_error, closing the
// socket, when a step fails.
inline loopback_listener listen_on_loopback(int backlog = 16, int flags = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::system_error(e, std::generic_category(), "listening on 127.0.0.1");
  }
  return {fd, ntohs(a.sin_port)};
}

}  // namespace echochat::testing
