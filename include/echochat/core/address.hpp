// What --connect names: a transport (TCP, TLS, WebSocket, WebSocket over TLS, a Unix socket) and
// where it goes. Parsed here, pure, so a bad address is an error before anything is touched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace echochat {

struct host_port {
  std::string host;  // without the brackets of an IPv6 literal
  std::string port;  // digits, 1-65535
  friend bool operator==(const host_port&, const host_port&) = default;
};

enum class transport : std::uint8_t { tcp, tls, ws, wss, unix_socket };

struct address {
  transport kind = transport::tcp;
  host_port endpoint;  // every transport but unix_socket
  std::string path;    // ws, wss: the request target ("/" at least); unix_socket: the socket's path
  friend bool operator==(const address&, const address&) = default;
};

// The longest path a Unix socket address holds (sun_path, less its terminating NUL).
inline constexpr std::size_t max_unix_path = 107;

// "host:port", "[v6]:port": the pieces, or an explanation of what is wrong.
std::variant<host_port, std::string> parse_host_port(std::string_view text);

// Every form --connect takes:
//   HOST:PORT, [V6]:PORT, tcp://HOST:PORT   plain TCP
//   tls://HOST:PORT                         TLS over TCP
//   ws://HOST[:PORT][/PATH]                 WebSocket (port 80 unless given)
//   wss://HOST[:PORT][/PATH]                WebSocket over TLS (port 443 unless given)
//   unix:PATH                               a Unix-domain stream socket
// The address, or one sentence saying what is wrong with it.
std::variant<address, std::string> parse_address(std::string_view text);

// The address as people write it: "host:port", an IPv6 literal in brackets ("[::1]:9000").
std::string to_string(const host_port& target);
// The address in the form parse_address takes; plain TCP without its scheme, as before.
std::string to_string(const address& target);

// TLS on the way: tls and wss.
bool uses_tls(transport kind);

}  // namespace echochat
