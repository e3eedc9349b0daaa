// Test support: puts a transport in front of the in-process line server (test_server.hpp). A
// front listens on 127.0.0.1 (TLS, WebSocket, WebSocket over TLS) or on a Unix socket, and
// relays each client to a connection of its own to the line server, lines both ways: so the
// tests of every transport look at the same test_server. When the line server closes a
// connection, the front closes its client politely (close_notify; a close frame, 1000).
//
// For the WebSocket fronts the test can also send what a line server cannot: a binary message,
// a message of any size, a close frame with its code and reason. And any front can be told to
// die in the handshake (it closes each new client at once).
//
// Every member function may be called from any thread; the acting ones return once done.
#pragma once

#include "support/test_certs.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace echochat::testing {

enum class front_kind : std::uint8_t { tls, ws, wss, unix_socket };

class test_front {
 public:
  // `upstream`: the line server's port. `certs`: the certificate for tls and wss.
  // `socket_path`: where a unix_socket front listens.
  test_front(front_kind kind, std::uint16_t upstream, const test_certs* certs = nullptr,
             std::filesystem::path socket_path = {});
  ~test_front();
  test_front(const test_front&) = delete;
  test_front& operator=(const test_front&) = delete;

  // As --connect takes it: "tls://127.0.0.1:PORT", "ws://127.0.0.1:PORT/chat", "unix:/PATH".
  std::string address() const;
  std::uint16_t port() const;

  // WebSocket fronts: to every client.
  void send_binary(std::string bytes);
  void send_text(std::string text);  // one message, as it is
  void send_close(std::uint16_t code, std::string reason);

  // From now on each new client is closed as soon as it is accepted (true), or relayed (false).
  void die_in_handshake(bool die);
  // Clients whose WebSocket close frame arrived, and its code (0 while none did).
  std::uint16_t last_close_code() const;
  // Clients that ended TLS with a close_notify.
  std::size_t close_notifies() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace echochat::testing
