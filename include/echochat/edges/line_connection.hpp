// One connection to a line server, whatever carries it: connect, read lines, write lines,
// close. TCP is the first implementation (tcp_connection.hpp); the chat client cannot tell which
// one it has, in the shape of Asio's type_erasure/line_reader.hpp.
#pragma once

#include "echochat/core/line_framer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace echochat {

class line_connection {
 public:
  virtual ~line_connection() = default;

  // Resolves, connects and, for transports that have one, shakes hands. An error says why not.
  virtual boost::asio::awaitable<boost::system::error_code> connect() = 0;

  // Waits for lines from the peer and appends every complete one that has arrived (at least
  // one), or returns the error that ended the connection (eof: the peer closed it), after
  // appending the unterminated tail, if any. Lines are raw bytes: sanitize before showing them.
  virtual boost::asio::awaitable<boost::system::error_code> read_lines(std::vector<framed_line>& out) = 0;

  // Writes one line (without its line ending, which the transport adds); completes once written.
  virtual boost::asio::awaitable<boost::system::error_code> write_line(std::string_view line) = 0;

  // Nothing more will be written: tell the peer, and keep reading what it still says.
  virtual void shutdown_send() = 0;
};

// Makes a fresh, unconnected connection: one for each attempt.
using connection_factory = std::function<std::unique_ptr<line_connection>(boost::asio::any_io_executor)>;

}  // namespace echochat
