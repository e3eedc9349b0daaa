// Benchmark support: a loopback server floods short lines to a program in a pty; when is the last one shown?
#pragma once

#include "pty_driver.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace echochat::bench {

// `lines` lines "line NNNNNNN\n" (a 7-digit counter from 0), and the text of the last one, which
// appears nowhere else in the flood.
struct flood_text {
  std::string bytes;
  std::string last_line;
};
flood_text make_flood(std::size_t lines);
// The same lines as WebSocket text messages from a server (unmasked), one message a line, without
// the newline: what a WebSocket chat server sends.
flood_text make_ws_flood(std::size_t lines);
// `lines` chat messages in JSON, alike but for a counter ({"type":"message",...,"text":"line
// NNNNNNN"}, what a chat server's API sends), as WebSocket text messages: compressed with
// permessage-deflate (RFC 7692, context kept from message to message, as a server that agreed to
// it with no parameters sends) when `deflate`, plain otherwise.
flood_text make_ws_json_flood(std::size_t lines, bool deflate);

// A listening TCP socket on 127.0.0.1, on a port the kernel picks.
class flood_server {
 public:
  flood_server();
  ~flood_server();
  flood_server(const flood_server&) = delete;
  flood_server& operator=(const flood_server&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }
  // "127.0.0.1:PORT".
  [[nodiscard]] std::string address() const;
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

struct flood_config {
  int rows = 30;
  int cols = 100;
  // Type a key ('Z', never in the flood) while the flood runs, the first after a fifth of
  // `key_interval`, then each `key_interval` after the one before, and time until it shows; after
  // it shows, a Backspace takes it away again, so each key is drawn anew.
  bool type_keys = false;
  std::chrono::milliseconds key_interval{50};
  // Also feed the output to the emulated screen and look for the last line there once the whole
  // flood is written (a program that rewrites only the cells that changed may never send the
  // last line's text in one piece).
  bool watch_screen = false;
  // The server speaks WebSocket: once a client connects, it answers the upgrade request (101)
  // before the flood (which then is make_ws_flood's frames).
  bool websocket = false;
  // ... and agrees to the permessage-deflate the client offers (the flood is then compressed).
  bool deflate = false;
  std::chrono::seconds timeout{180};
};

struct flood_result {
  std::optional<double> ms;     // first byte of the flood written to the last line shown
  double cpu_ms = 0;            // the program's time on CPU over the same span (schedstat)
  double hwm_kib = 0;           // VmHWM when the last line showed
  std::uint64_t bytes_out = 0;  // what the program wrote to the terminal over the span
  std::vector<double> key_us;   // each key typed during the flood: write to its echo
  int keys_lost = 0;            // keys typed that never showed
};

// A self-signed certificate for 127.0.0.1 and localhost (P-256), made with `openssl req` in a
// fresh temporary directory, removed again at the end.
class test_certificate {
 public:
  test_certificate();
  ~test_certificate();
  test_certificate(const test_certificate&) = delete;
  test_certificate& operator=(const test_certificate&) = delete;

  [[nodiscard]] std::string cert() const { return dir_ + "/cert.pem"; }
  [[nodiscard]] std::string key() const { return dir_ + "/key.pem"; }

 private:
  std::string dir_;
};

// `socat OPENSSL-LISTEN` on 127.0.0.1 (one connection, no fork) relaying to `backend`: a TLS
// server in front of the flood server, so the flood is the same bytes and starts at the same
// moment. Waits until it listens; ends it when it goes.
class tls_relay {
 public:
  tls_relay(const test_certificate& cert, const flood_server& backend);
  ~tls_relay();
  tls_relay(const tls_relay&) = delete;
  tls_relay& operator=(const tls_relay&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Starts `argv` in its own rows x cols pty; once it has connected to `server` (within 20 s) and
// settled, writes `flood` to it as fast as the socket takes it, reading the pty meanwhile, until
// the last line is seen; then closes the connection and ends the program (SIGTERM).
flood_result run_flood(const std::vector<std::string>& argv, flood_server& server, const flood_text& flood,
                       const flood_config& config);

}  // namespace echochat::bench
