// Test support: a TCP server on 127.0.0.1 that accepts connections and never says a word.
#pragma once

#include "support/loopback_listener.hpp"

#include <cstddef>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

namespace echochat::testing {

// The kernel completes each TCP handshake (the listening socket's backlog), so a TLS client waits
// in its handshake, a WebSocket client for the upgrade's answer and a proxy client for the proxy's
// reply, for ever unless they give up.
class silent_server {
 public:
  silent_server() {
    const loopback_listener l = listen_on_loopback(16, SOCK_NONBLOCK);
    fd_ = l.fd;
    port_ = l.port;
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
