// How every connection of a run is made, beyond its address: one struct that app.cpp fills from
// the options and every transport's factory takes, so that a new setting is one member here.
#pragma once

#include "echochat/core/ws_handshake.hpp"
#include "echochat/edges/proxy_connect.hpp"
#include "echochat/edges/tls_session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace echochat {

// ws:// and wss://: what the upgrade request carries besides what the handshake needs.
struct ws_settings {
  std::vector<http_header> headers;    // --header, in order; a name given twice is sent twice
  std::vector<std::string> protocols;  // --protocol: offered in Sec-WebSocket-Protocol
  std::optional<std::string> origin;   // --origin
  bool compress = true;                // permessage-deflate offered (not --no-compress)
};

struct connect_settings {
  tls_settings tls;   // tls:// and wss://
  bool crlf = false;  // --crlf: lines sent over tcp, tls and unix end in CR LF
  ws_settings ws;     // ws:// and wss://
  // tcp, tls, ws, wss: the proxy every connection goes through (--proxy, ALL_PROXY...), if any
  std::optional<proxy_settings> proxy;
  // tcp, tls, ws, wss: a connection that hears nothing for this long, keepalives and (WebSocket)
  // pings unanswered, is dead (--dead-after; zero: left to the kernel's own minutes)
  std::chrono::seconds dead_after{15};
};

}  // namespace echochat
