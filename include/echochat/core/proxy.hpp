// Proxies as data: the proxy URL (--proxy, ALL_PROXY...), which environment variable applies to
// which address (as curl reads them, NO_PROXY included), and the bytes of the two handshakes,
// SOCKS5 (RFC 1928, with RFC 1929's user name and password) and HTTP CONNECT (RFC 9110 section
// 9.3.6), each answer read into words. Pure: the edge only reads and writes them.
#pragma once

#include "echochat/core/address.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace echochat {

// socks5: echochat resolves the target and hands the proxy its address; socks5h: the proxy
// resolves the name (so a name only the proxy can see works); http: HTTP CONNECT.
enum class proxy_kind : std::uint8_t { socks5, socks5h, http };

// Every kind's port unless one is given, as curl's: 1080.
inline constexpr std::string_view default_proxy_port = "1080";

struct proxy_url {
  proxy_kind kind = proxy_kind::http;
  host_port endpoint;
  // user:password@, %-decoded; a user without a password has an empty one.
  std::optional<std::string> user;
  std::string password;
  friend bool operator==(const proxy_url&, const proxy_url&) = default;
};

// SCHEME://[USER[:PASSWORD]@]HOST[:PORT][/], SCHEME one of socks5, socks5h, http (none: http, as
// curl takes it). The proxy, or one sentence saying what is wrong (never quoting the password).
std::variant<proxy_url, std::string> parse_proxy_url(std::string_view text);

// The URL as it is shown: the password as *** ("socks5://user:***@host:1080"), the user escaped.
std::string to_string(const proxy_url& proxy);
// The same masking for text that may not parse: what follows the user's ':' up to the '@' before
// the host becomes ***. Control characters are left to the caller's sanitize().
std::string masked_proxy_text(std::string_view text);
// Where the password is in `text` (offset, length), to overwrite it (an argument in argv);
// nothing when there is none.
std::optional<std::pair<std::size_t, std::size_t>> proxy_password_span(std::string_view text);

// "proxyhost:1080", for the status bar's "via".
std::string proxy_host_text(const proxy_url& proxy);

// --- the environment, as curl reads it -------------------------------------------------------

// The variables, as getenv() found them (nothing: unset). curl reads http_proxy in lower case
// only (HTTP_PROXY can be set by a CGI request's Proxy: header); the others in either case, the
// lower case first. An empty value counts as unset.
struct proxy_environment {
  std::optional<std::string> http_proxy;
  std::optional<std::string> https_proxy;
  std::optional<std::string> HTTPS_PROXY;
  std::optional<std::string> all_proxy;
  std::optional<std::string> ALL_PROXY;
  std::optional<std::string> no_proxy;
  std::optional<std::string> NO_PROXY;
};

// The proxy a variable names, and the variable.
struct proxy_choice {
  std::string variable;
  std::string url;
  friend bool operator==(const proxy_choice&, const proxy_choice&) = default;
};

// The variable that applies to `target`: https_proxy for tls:// and wss://, http_proxy for tcp://
// and ws://, else all_proxy; nothing when none is set, when no_proxy lists the host, or for a
// Unix socket.
std::optional<proxy_choice> proxy_from_environment(const address& target, const proxy_environment& env);

// Whether NO_PROXY's list (commas or spaces between entries) exempts `host`: "*" exempts every
// host; a name exempts itself and every name under it (a leading dot changes nothing:
// "example.com" and ".example.com" both exempt a.example.com and example.com); an IP address
// exempts that address, written in any of its forms, or with /BITS a whole network (CIDR). Case
// and a trailing dot do not matter.
bool no_proxy_exempts(std::string_view list, std::string_view host);

// --- SOCKS5 ----------------------------------------------------------------------------------

// The greeting: version 5 and the methods offered, "no authentication" and, with a user name,
// "user name and password".
std::string socks5_greeting(bool with_password);

// The proxy's 2-byte choice: nothing if it can be used (`password`: the user name and password
// go next), else why not.
struct socks5_choice {
  bool password = false;
  std::optional<std::string> refusal;
};
socks5_choice read_socks5_choice(std::string_view two_bytes, bool have_password);

// RFC 1929's request, each field 1 to 255 bytes (parse_proxy_url checks the lengths), and its
// 2-byte answer: nothing when the proxy accepted them, else why not.
std::string socks5_password_request(std::string_view user, std::string_view password);
std::optional<std::string> read_socks5_password_answer(std::string_view two_bytes);

// CONNECT to `host`: an IPv4 address (ATYP 1), an IPv6 address (ATYP 4, in brackets or not) or a
// name of 1 to 255 bytes (ATYP 3, for the proxy to resolve); nothing for a name that is too long.
std::optional<std::string> socks5_connect_request(std::string_view host, std::uint16_t port);

// The reply's first 5 bytes: how many bytes of it are left to read (the rest of the bound address
// and the port), or why the proxy did not connect, in words with the reply code.
std::variant<std::size_t, std::string> read_socks5_reply(std::string_view first5);

// A SOCKS5 reply code in words: 5 is "connection refused by the destination".
std::string socks5_reply_words(std::uint8_t code);

// --- HTTP CONNECT ----------------------------------------------------------------------------

// "CONNECT host:port HTTP/1.1" with its Host, echochat's User-Agent and, with a user name,
// Proxy-Authorization: Basic.
std::string http_connect_request(const host_port& target, const proxy_url& proxy);

// The largest answer head read before giving up on it.
inline constexpr std::size_t http_connect_head_max = 16 * 1024;

// Where the answer's head ends (just past its blank line) in what was read so far, if it does.
std::optional<std::size_t> http_head_end(std::string_view text);

// The head of the proxy's answer: nothing when it is 2xx (the tunnel is open), else why not
// ("the proxy answered 407 Proxy Authentication Required").
std::optional<std::string> read_http_connect_answer(std::string_view head, bool sent_password);

// RFC 4648 base64, for Proxy-Authorization.
std::string base64(std::string_view bytes);

// The bytes of an IPv4 or IPv6 literal (an IPv6 one without brackets; a zone, "%eth0", left out).
std::optional<std::array<std::uint8_t, 4>> ipv4_bytes(std::string_view text);
std::optional<std::array<std::uint8_t, 16>> ipv6_bytes(std::string_view text);

}  // namespace echochat
