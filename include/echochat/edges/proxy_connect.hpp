// Through a proxy: connect to it, then open the tunnel to the target with SOCKS5 or HTTP CONNECT.
// The bytes and the words for each answer are the core's (core/proxy.hpp); here they are read and
// written on the socket, which then carries the transport (TLS, WebSocket) as if it were direct.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/core/proxy.hpp"
#include "echochat/edges/resolve_connect.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace echochat {

// The proxy of a run and where it came from: "--proxy" or the variable's name ("ALL_PROXY").
struct proxy_settings {
  proxy_url url;
  std::string from;
};

// The error of a refusal by the proxy, protocol_error (its words are in the `words` the call
// filled).
boost::system::error_code proxy_refusal();

// Connects `socket` to the target through the proxy: for socks5, resolves the target first (its
// first address goes to the proxy); connects to the proxy (resolve_and_connect, its attempts in `race`); then
// shakes hands, naming each step in `stage` ("during the proxy handshake"). Returns the first error; when it
// is the proxy's (unreachable, a refusal, a closed connection, an answer that is not its protocol's), `words`
// says it for the user, the password never in them.
boost::asio::awaitable<boost::system::error_code> connect_through_proxy(
    boost::asio::ip::tcp::resolver& resolver, boost::asio::ip::tcp::socket& socket,
    const proxy_settings& proxy, const host_port& target, std::string_view& stage, std::string& words,
    connect_race* race = nullptr);

}  // namespace echochat
