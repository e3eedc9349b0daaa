// Picks the line_connection for an address's transport.
#include "echochat/edges/connectors.hpp"

#include "echochat/edges/tcp_connection.hpp"
#include "echochat/edges/tls_connection.hpp"
#include "echochat/edges/unix_connection.hpp"
#include "echochat/edges/ws_connection.hpp"

namespace echochat {

connection_factory connector_for(const address& target, const connect_settings& settings) {
  switch (target.kind) {
    case transport::tcp: return tcp_connector(target.endpoint, settings);
    case transport::tls: return tls_connector(target.endpoint, settings);
    case transport::ws:
    case transport::wss: return ws_connector(target, settings);
    case transport::unix_socket: return unix_connector(target.path, settings);
  }
  return tcp_connector(target.endpoint, settings);
}

}  // namespace echochat
