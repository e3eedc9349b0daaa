// Command-line options as data: parsed in one function the tests call with argument vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace echochat {

struct host_port {
  std::string host;  // without the brackets of an IPv6 literal
  std::string port;  // digits, 1-65535
  friend bool operator==(const host_port&, const host_port&) = default;
};

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
  std::optional<host_port> connect;
  std::optional<std::string> log_file;
  std::optional<echo_options> echo;
};

// Parsing ended the run: --help or --version (text for stdout, code 0) or a bad argument
// (one line for stderr, non-zero code).
struct parse_exit {
  int code = 0;
  std::string out;
  std::string err;
};

std::variant<options, parse_exit> parse_options(const std::vector<std::string>& args);

// "host:port", "[v6]:port": the pieces, or an explanation of what is wrong.
std::variant<host_port, std::string> parse_host_port(const std::string& text);

// The address as people write it: "host:port", an IPv6 literal in brackets ("[::1]:9000").
std::string to_string(const host_port& target);

}  // namespace echochat
