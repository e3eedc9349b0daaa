// A Unix-domain stream socket, newline-framed: a line_connection.
#pragma once

#include "echochat/edges/connect_settings.hpp"
#include "echochat/edges/line_connection.hpp"

#include <string>

namespace echochat {

// A factory for connections to the socket at `path`.
connection_factory unix_connector(std::string path, const connect_settings& settings = {});

}  // namespace echochat
