// Checking and showing the WebSocket upgrade's headers and subprotocols.
#include "echochat/core/ws_handshake.hpp"

#include "echochat/core/sanitize.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace echochat {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Headers the upgrade sets and needs as they are.
constexpr std::array<std::string_view, 8> handshake_headers{"Upgrade",
                                                            "Connection",
                                                            "Sec-WebSocket-Key",
                                                            "Sec-WebSocket-Version",
                                                            "Sec-WebSocket-Accept",
                                                            "Sec-WebSocket-Extensions",
                                                            "Content-Length",
                                                            "Transfer-Encoding"};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool is_http_token(std::string_view text) {
  constexpr std::string_view others = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || others.find(c) != std::string_view::npos;
  });
}

std::variant<http_header, std::string> parse_http_header(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::string{"a header is 'Name: value'"};
  const std::string_view name = text.substr(0, colon);
  if (!is_http_token(name)) return "'" + sanitize(name) + "' is not a header name";
  std::string_view value = text.substr(colon + 1);
  while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
  // A header's value is visible characters, spaces and tabs (RFC 9110 section 5.5): a CR or LF
  // would end it and start another header, or the request's body.
  const bool controls = std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
  if (controls) return "the value of " + std::string{name} + " has a control character (CR, LF or another)";
  if (same_name(name, "Sec-WebSocket-Protocol")) return std::string{"offer subprotocols with --protocol"};
  for (std::string_view reserved : handshake_headers) {
    if (same_name(name, reserved)) {
      return std::string{reserved} + " is set by the WebSocket upgrade itself";
    }
  }
  return http_header{std::string{name}, std::string{value}};
}

std::string shown_value(const http_header& h) {
  if (same_name(h.name, "Cookie")) return "***";
  if (!same_name(h.name, "Authorization") && !same_name(h.name, "Proxy-Authorization")) return h.value;
  const std::size_t space = h.value.find(' ');
  return space == std::string::npos ? "***" : h.value.substr(0, space) + " ***";
}

std::optional<std::string> refused_subprotocol(const std::vector<std::string>& offered,
                                               std::string_view chosen) {
  if (chosen.empty()) {
    if (offered.empty()) return std::nullopt;
    return std::string{"the server chose none of the subprotocols offered (--protocol)"};
  }
  if (std::find(offered.begin(), offered.end(), chosen) != offered.end()) return std::nullopt;
  if (offered.empty()) return "the server chose subprotocol " + sanitize(chosen) + ", and none was offered";
  return "the server chose subprotocol " + sanitize(chosen) + ", which was not offered (--protocol)";
}

}  // namespace echochat
