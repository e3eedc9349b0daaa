// Command-line options as data: parsed in one function the tests call with argument vectors.
#pragma once

#include "echochat/core/address.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace echochat {

struct options {
  double delay_seconds = 10.0;
  bool plain = false;
  std::optional<address> connect;
  std::optional<std::string> ca_file;  // --ca: a PEM file of certificates to trust (tls, wss)
  bool insecure = false;               // --insecure: no certificate or host name verification
  std::optional<std::string> log_file;
};

// Parsing ended the run: --help or --version (text for stdout, code 0) or a bad argument
// (one line for stderr, non-zero code).
struct parse_exit {
  int code = 0;
  std::string out;
  std::string err;
};

std::variant<options, parse_exit> parse_options(const std::vector<std::string>& args);

}  // namespace echochat
