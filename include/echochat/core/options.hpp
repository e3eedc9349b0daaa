// Command-line options as data: parsed in one function the tests call with argument vectors.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/core/load.hpp"
#include "echochat/core/reply.hpp"
#include "echochat/core/ws_handshake.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace echochat {

// --echo: the server is expected to echo; each line's round trip is measured.
struct echo_options {
  std::uint64_t count = 0;      // --count: probes to send (0: none, only typed lines)
  double interval_seconds = 1;  // --interval between probes
  std::size_t size = 0;         // --size: probes padded to this many bytes (0: as they come)
  double timeout_seconds = 5;   // --echo-timeout: a line not echoed by then is lost
  friend bool operator==(const echo_options&, const echo_options&) = default;
};

struct options {
  double delay_seconds = 10.0;
  bool plain = false;
  std::optional<address> connect;
  std::optional<std::string> ca_file;  // --ca: a PEM file of certificates to trust (tls, wss)
  bool insecure = false;               // --insecure: no certificate or host name verification
  bool crlf = false;                   // --crlf: lines sent end in CR LF
  // --cert, --key: a client certificate for TLS (the key in the certificate's file without --key);
  // --key-passphrase-env: the variable that holds an encrypted key's passphrase
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
  std::optional<std::string> key_passphrase_env;
  std::vector<http_header> headers;    // --header: added to the WebSocket upgrade request
  std::vector<std::string> protocols;  // --protocol: the WebSocket subprotocols offered
  std::optional<std::string> origin;   // --origin: the upgrade request's Origin
  bool no_compress = false;            // --no-compress: permessage-deflate is not offered
  // --proxy: the proxy's URL (checked by parse_proxy_url); empty: no proxy, whatever the
  // environment says; none: the environment decides (proxy_from_environment)
  std::optional<std::string> proxy;
  double connect_timeout_seconds = 10;  // --connect-timeout: one attempt, resolving to the last handshake
  // --dead-after: a connection silent this long, keepalives unanswered, is lost (0: never)
  std::uint32_t dead_after_seconds = 15;
  bool resend_unacked = false;  // --resend-unacked: lines a dying connection lost go out again
  // --linger: after the end of input, the silence that ends the wait for replies (none: the
  // transport's default, see chat_client::end_input)
  std::optional<double> linger_seconds;
  std::optional<std::string> log_file;
  bool history = true;  // chat mode: keep the lines sent in the history file (--no-history: not)
  bool mouse = false;   // --mouse: the wheel scrolls (SGR 1006 mouse reporting)
  std::optional<echo_options> echo;
  // --echo with --connections, --rate, --duration, --warmup, --connect-rate, --json or
  // --histogram-log: load mode, many messages over many connections (echo is set too)
  std::optional<load_settings> load;
  std::vector<std::string> on_connect;  // --on-connect: sent first at every connect
  std::vector<reply_rule> replies;      // --reply: answers to lines received
  friend bool operator==(const options&, const options&) = default;
};

// Parsing ended the run: --help or --version (text for stdout, code 0) or a bad argument
// (one line for stderr, non-zero code).
struct parse_exit {
  int code = 0;
  std::string out;
  std::string err;
  friend bool operator==(const parse_exit&, const parse_exit&) = default;
};

std::variant<options, parse_exit> parse_options(const std::vector<std::string>& args);

// The same parse with CLI11's parser built once, for a caller that parses many argument vectors
// (the fuzzer: building the parser's 50-odd flags is most of one parse's time). Each parse gives
// what parse_options would.
class option_parser {
 public:
  option_parser();
  option_parser(option_parser&&) noexcept;
  option_parser& operator=(option_parser&&) noexcept;
  ~option_parser();
  std::variant<options, parse_exit> parse(const std::vector<std::string>& args);

 private:
  struct impl;  // CLI11's App and the state its callbacks fill: at a fixed address
  std::unique_ptr<impl> impl_;
};

// A flag as --help names it: "--ca" and its value's name, "FILE" (empty for a flag without one).
struct flag_name {
  std::string_view name;
  std::string_view value_name;
};

// A password in the arguments (--proxy's URL): argument `arg` of `args`, `length` bytes from
// `offset`. main() overwrites them once parsed, so that ps and /proc/PID/cmdline do not show it.
struct argument_secret {
  std::size_t arg = 0;
  std::size_t offset = 0;
  std::size_t length = 0;
  friend bool operator==(const argument_secret&, const argument_secret&) = default;
};
std::vector<argument_secret> argument_secrets(const std::vector<std::string>& args);

// Every flag parse_options knows, in --help's order, from the table it parses with.
std::vector<flag_name> option_flags();

}  // namespace echochat
