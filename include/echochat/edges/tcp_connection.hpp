// Plain TCP, newline-framed: the first line_connection.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/edges/line_connection.hpp"

namespace echochat {

// A factory for TCP connections to `target` (a host name is resolved at each attempt).
connection_factory tcp_connector(host_port target);

}  // namespace echochat
