// Test support: a TCP server on 127.0.0.1 that accepts connections and never says a word.
#pragma once

#include <cerrno>
#include <cstddef>
#include <system_error>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace echochat::testing {

// The kernel completes each TCP handshake (the listening socket's backlog), so a TLS client waits
// in its handshake, a WebSocket client for the upgrade's answer and a proxy client for the proxy's
// reply, for ever unless they give up.
class silent_server {
 public:
  silent_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      const int e = errno;
      ::close(fd_);
      throw std::system_error(e, std::generic_category(), "silent_server");
    }
    port_ = ntohs(a.sin_port);
  }
  ~silent_server() {
    for (const int c : held_) ::close(c);
    ::close(fd_);
  }
  silent_server(const silent_server&) = delete;
  silent_server& operator=(const silent_server&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // Takes the connections waiting (keeping them open, silent) and says how many came in all.
  std::size_t connections() {
    for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) held_.push_back(c);
    return held_.size();
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> held_;
};

}  // namespace echochat::testing
