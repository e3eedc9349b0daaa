// One connection to a line server, whatever carries it: connect, read lines, write lines, close.
// Each transport implements it (connectors.hpp picks the one for an address; stream_connection.hpp
// holds what they share), and the chat client cannot tell which one it has, in the shape of Asio's
// type_erasure/line_reader.hpp.
#pragma once

#include "echochat/core/line_framer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// What a user should know of a connection, once connect() succeeded (or, for `unverified`, from
// the start).
struct connection_facts {
  std::string protocol;            // for the status bar while online, e.g. "tls1.3"; empty for plain
  bool unverified = false;         // the peer is not verified (--insecure)
  std::vector<std::string> notes;  // said at each connect: the certificate, that it is not verified
};

class line_connection {
 public:
  virtual ~line_connection() = default;

  // Resolves, connects and, for transports that have one, shakes hands. An error says why not.
  virtual boost::asio::awaitable<boost::system::error_code> connect() = 0;
  // Where connect() is now, in words that follow "timed out after 10 s ": "resolving the host
  // name", "connecting", "during the TLS handshake", "during the WebSocket upgrade".
  virtual std::string_view connect_stage() const = 0;
  // Stops connect() wherever it is (closes the socket, cancels the resolver), so that it returns
  // soon with an error: the attempt took too long. The connection is not used again. A host name
  // being resolved is the system's getaddrinfo, which cannot be stopped: connect() returns once it
  // does (within the resolver's own timeouts, /etc/resolv.conf).
  virtual void abort() = 0;

  // Waits for lines from the peer and appends every complete one that has arrived (at least
  // one), or returns the error that ended the connection (eof: the peer closed it), after
  // appending the unterminated tail, if any. Lines are raw bytes: sanitize before showing them.
  virtual boost::asio::awaitable<boost::system::error_code> read_lines(std::vector<framed_line>& out) = 0;

  // Writes one line (without its line ending, which the transport adds); completes once written.
  virtual boost::asio::awaitable<boost::system::error_code> write_line(std::string_view line) = 0;

  // Nothing more will be written: tell the peer (a TCP half-close) and keep reading what it still
  // says. False when the transport has no way to say it without ending the connection (WebSocket:
  // a close frame lets the peer drop what it still had to send; TLS: many servers close on
  // close_notify), so the caller waits for replies first and then calls close().
  virtual boost::asio::awaitable<bool> shutdown_send() = 0;

  virtual connection_facts facts() const { return {}; }
  // Bytes written that the peer has not acknowledged (for TCP, its TCP's acknowledgements; for a
  // Unix socket, those it has not read): after the connection died, what may not have arrived.
  virtual std::size_t unacknowledged() const { return 0; }
  // The bytes a line of `size` bytes takes on the wire: its line end, a WebSocket frame's header
  // and mask, a TLS record's header and tag. Asked right after the line's write_line(), which is
  // when a compressed line's size is known.
  virtual std::size_t wire_bytes(std::size_t size) const { return size + 1; }
  // Words for an error this connection returned, when the error's own message says too little (a
  // certificate that failed verification, a WebSocket close frame's code and reason); empty if not.
  virtual std::string explain(const boost::system::error_code&) const { return {}; }
  // Ends the connection politely (TLS close_notify, a WebSocket close frame). It may wait on the
  // peer: the caller bounds it with a timeout.
  virtual boost::asio::awaitable<void> close() { co_return; }
};

// Makes a fresh, unconnected connection: one for each attempt.
using connection_factory = std::function<std::unique_ptr<line_connection>(boost::asio::any_io_executor)>;

}  // namespace echochat
