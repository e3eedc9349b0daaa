// TLS over TCP, newline-framed: a line_connection, verified unless --insecure.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/edges/line_connection.hpp"
#include "echochat/edges/connect_settings.hpp"

namespace echochat {

// A factory for TLS connections to `target`. Throws std::runtime_error when the settings' CA file
// cannot be loaded.
connection_factory tls_connector(host_port target, const connect_settings& settings);

}  // namespace echochat
