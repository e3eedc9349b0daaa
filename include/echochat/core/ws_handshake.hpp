// The WebSocket upgrade's options as data: request headers given on the command line (checked,
// and masked where they are shown), the subprotocols offered and the server's choice among them
// (RFC 6455 section 4.1). Pure: the Beast edge applies them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace echochat {

struct http_header {
  std::string name;
  std::string value;
  friend bool operator==(const http_header&, const http_header&) = default;
};

// An HTTP token (RFC 9110 section 5.6.2): a header's name, a subprotocol's name.
bool is_http_token(std::string_view text);

// "Name: value" (spaces around the value dropped), or why not: a name that is no token, a control
// character (CR, LF: a header injected into the request), or a header the upgrade itself sets
// (Upgrade, Connection, Sec-WebSocket-*), which would break it.
std::variant<http_header, std::string> parse_http_header(std::string_view text);

// The value as echochat shows and logs it: a credential (Authorization, Proxy-Authorization,
// Cookie) keeps only its scheme ("Bearer ***"), so that a log can be shared.
std::string shown_value(const http_header& h);

// The server's Sec-WebSocket-Protocol answer against the ones offered: nothing when it is
// acceptable, else the reason the connection is refused (a choice not offered, several, or none
// when echochat offered some: --protocol says the chat needs one).
std::optional<std::string> refused_subprotocol(const std::vector<std::string>& offered,
                                               std::string_view chosen);

}  // namespace echochat
