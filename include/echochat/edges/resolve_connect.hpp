// Resolve and connect a TCP socket: the first steps of tcp://, tls://, ws:// and wss://.
#pragma once

#include "echochat/core/address.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <string_view>

namespace echochat {

// Resolves `target`, connects `socket` to the first of its addresses that accepts and turns
// Nagle's algorithm off, naming each step in `stage` as it starts ("resolving the host name",
// "connecting") for the watchdog of connect(). The first step that fails ends the attempt with
// its error, setting TCP_NODELAY included (see the definition for why).
boost::asio::awaitable<boost::system::error_code> resolve_and_connect(
    boost::asio::ip::tcp::resolver& resolver, boost::asio::ip::tcp::socket& socket, const host_port& target,
    std::string_view& stage);

}  // namespace echochat
