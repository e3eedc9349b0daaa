// Test support: a line-based TCP chat server in the test process, on its own io_context thread.
// It listens on 127.0.0.1 on an ephemeral port, accepts any number of clients, records every
// line they send, sends lines or raw bytes to all of them, closes their connections, stops
// listening (so connects are refused) and starts again on the same port.
//
// Every member function may be called from any thread. The ones that act (send, close, stop,
// start) return once the server thread has done it (for sends: once the write has started;
// a large send completes as the client reads). The ones that look return a snapshot.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat::testing {

class test_server {
 public:
  test_server();   // listening once constructed; throws std::system_error if it cannot
  ~test_server();  // closes everything and joins its thread

  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  std::uint16_t port() const { return port_; }
  // "127.0.0.1:PORT", as --connect takes it.
  std::string address() const;

  // --- acting ------------------------------------------------------------------------------
  // From now on each line received is answered (to its sender) with what `f` returns for it,
  // or not at all for nothing: an echo server is answer_with([](auto& l) { return l; }).
  using reply_function = std::function<std::optional<std::string>(const std::string& line)>;
  void answer_with(reply_function f);
  void send_line(std::string_view line);  // to every connected client, with "\n"
  void send_raw(std::string bytes);       // to every connected client, byte for byte
  void close_clients();                   // closes every connection (the clients read EOF)
  void stop_listening();                  // from now on connects are refused
  void start_listening();                 // listens again, on the same port
  // The server goes away: stop_listening() and close_clients().
  void stop() {
    stop_listening();
    close_clients();
  }

  // --- looking -----------------------------------------------------------------------------
  std::vector<std::string> lines() const;          // every line received ("\r\n" taken), in order
  std::size_t count(std::string_view line) const;  // how often `line` was received
  std::size_t clients() const;                     // connections open now
  std::size_t accepted() const;                    // connections accepted so far
  std::size_t ended() const;                       // connections whose client closed its sending side
  bool listening() const;

  // Waits until pred() holds, checking it again whenever the server's state changes; false if
  // the timeout passed first (a failure deadline: returns as soon as pred() holds).
  bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace echochat::testing
