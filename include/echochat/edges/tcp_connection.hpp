// Plain TCP, newline-framed: the line_connection for HOST:PORT and tcp://HOST:PORT.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/edges/connect_settings.hpp"
#include "echochat/edges/line_connection.hpp"

namespace echochat {

// A factory for TCP connections to `target` (a host name is resolved at each attempt).
connection_factory tcp_connector(host_port target, const connect_settings& settings = {});

}  // namespace echochat
