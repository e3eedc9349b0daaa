// WebSocket (ws://) and WebSocket over TLS (wss://): a line_connection that sends each line as one
// text message and makes lines of the messages it receives.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/core/ws_frames.hpp"
#include "echochat/edges/line_connection.hpp"
#include "echochat/edges/connect_settings.hpp"

#include <cstddef>

namespace echochat {

// A message larger than this closes the connection (code 1009) instead of filling memory.
inline constexpr std::size_t ws_message_max = ws_message_limit;

// A factory for WebSocket connections to `target` (kind ws or wss; `settings` are for wss).
// Throws std::runtime_error when the settings' CA file cannot be loaded.
connection_factory ws_connector(const address& target, const connect_settings& settings);

// How a binary message shows: "[binary N bytes] 01 02 ..." with the first 16 bytes in hex.
std::string binary_preview(std::string_view data);

}  // namespace echochat
