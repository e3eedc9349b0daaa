// Parsing --connect's address: the scheme, then host and port (or a path), each checked.
#include "echochat/core/address.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <charconv>

namespace echochat {
namespace {

using namespace std::string_literals;

struct scheme {
  std::string_view prefix;
  transport kind;
};

constexpr std::array<scheme, 4> schemes{{
    {"tcp://", transport::tcp},
    {"tls://", transport::tls},
    {"ws://", transport::ws},
    {"wss://", transport::wss},
}};

constexpr std::string_view unix_prefix = "unix:";
constexpr std::string_view forms = "tcp://, tls://, ws://, wss://, unix:";

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Letters, digits, '-', '.', '_' for names and IPv4; IPv6 literals (in brackets) add ':' and a
// zone's '%'. Anything else cannot be a host and is better refused here than by the resolver.
bool is_host_char(char c, bool bracketed) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;  // an internationalised name: the resolver decides
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (c == '-' || c == '.' || c == '_') return true;
  return bracketed && (c == ':' || c == '%');
}

std::optional<std::string> check_port(std::string_view port) {
  if (port.empty()) return "the port is empty"s;
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || ptr != port.data() + port.size() || value < 1 || value > 65535) {
    return "the port must be a number from 1 to 65535"s;
  }
  return std::nullopt;
}

// host, "[v6]", with an optional ":port"; `default_port` empty: the port is required.
std::variant<host_port, std::string> parse_authority(std::string_view text, std::string_view default_port) {
  std::string_view host, port;
  bool has_port = false;
  const bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return "an IPv6 address needs its closing ']'"s;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "expected HOST:PORT"s;
      has_port = true;
      port = rest.substr(1);
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      has_port = true;
      if (host.find(':') != std::string_view::npos) return "write an IPv6 address as [ADDRESS]:PORT"s;
    } else {
      host = text;
    }
  }
  if (!has_port && default_port.empty()) return "expected HOST:PORT"s;
  if (host.empty()) return "the host is empty"s;
  if (!std::all_of(host.begin(), host.end(), [&](char c) { return is_host_char(c, bracketed); })) {
    return "'"s + std::string{host} + "' is not a host name or address"s;
  }
  if (has_port) {
    if (auto why = check_port(port)) return *why;
  } else {
    port = default_port;
  }
  return host_port{std::string{host}, std::string{port}};
}

}  // namespace

std::variant<host_port, std::string> parse_host_port(std::string_view text) {
  return parse_authority(text, {});
}

std::variant<address, std::string> parse_address(std::string_view text) {
  if (std::any_of(text.begin(), text.end(), is_control)) return "control characters are not allowed"s;
  if (text.empty()) return "the address is empty"s;

  address a;
  if (text.starts_with(unix_prefix)) {
    a.kind = transport::unix_socket;
    a.path = std::string{text.substr(unix_prefix.size())};
    if (a.path.empty()) return "unix: needs the socket's path, as in unix:/run/chat.sock"s;
    if (a.path.size() > max_unix_path) {
      return "the socket's path is longer than " + std::to_string(max_unix_path) + " bytes"s;
    }
    return a;
  }

  std::string_view rest = text;
  const auto sep = text.find("://");
  if (sep != std::string_view::npos) {
    const auto known = std::find_if(schemes.begin(), schemes.end(),
                                    [&](const scheme& s) { return text.starts_with(s.prefix); });
    if (known == schemes.end()) {
      return "'"s + std::string{text.substr(0, sep)} + "' is not a transport (use " + std::string{forms} +
             ")";
    }
    a.kind = known->kind;
    rest = text.substr(known->prefix.size());
  }

  if (a.kind == transport::ws || a.kind == transport::wss) {
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    a.path = slash == std::string_view::npos ? "/" : std::string{rest.substr(slash)};
    if (a.path.find_first_of(" #") != std::string::npos) {
      return "the path may not hold a space or '#' (write a space as %20)"s;
    }
    auto hp = parse_authority(authority, a.kind == transport::ws ? "80" : "443");
    if (auto* why = std::get_if<std::string>(&hp)) return std::move(*why);
    a.endpoint = std::get<host_port>(std::move(hp));
    return a;
  }

  if (rest.find('/') != std::string_view::npos) {
    return "a " + std::string{a.kind == transport::tls ? "tls" : "tcp"} + " address has no path: HOST:PORT";
  }
  auto hp = parse_authority(rest, {});
  if (auto* why = std::get_if<std::string>(&hp)) {
    if (*why == "expected HOST:PORT" && sep != std::string_view::npos) {
      return std::string{text.substr(0, sep)} + ":// needs a port: " + std::string{text.substr(0, sep)} +
             "://HOST:PORT";
    }
    return std::move(*why);
  }
  a.endpoint = std::get<host_port>(std::move(hp));
  return a;
}

std::string to_string(const host_port& target) {
  if (target.host.find_first_of(":%") != std::string::npos) return "[" + target.host + "]:" + target.port;
  return target.host + ":" + target.port;
}

std::string to_string(const address& target) {
  switch (target.kind) {
    case transport::tcp:
      // A host named "unix" keeps its scheme: "unix:80" would be a socket's path.
      return (target.endpoint.host == "unix" ? "tcp://" : "") + to_string(target.endpoint);
    case transport::tls: return "tls://" + to_string(target.endpoint);
    case transport::ws: return "ws://" + to_string(target.endpoint) + target.path;
    case transport::wss: return "wss://" + to_string(target.endpoint) + target.path;
    case transport::unix_socket: return "unix:" + target.path;
  }
  return {};
}

bool uses_tls(transport kind) { return kind == transport::tls || kind == transport::wss; }

}  // namespace echochat
