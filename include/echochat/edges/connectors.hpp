// The connection factory for an address: the one place that knows every transport.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/edges/line_connection.hpp"
#include "echochat/edges/connect_settings.hpp"

namespace echochat {

// Throws std::runtime_error, saying why, when `settings` name a CA file that cannot be loaded.
connection_factory connector_for(const address& target, const connect_settings& settings);

}  // namespace echochat
