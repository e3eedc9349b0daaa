// Newline-framed lines over any Asio stream (a Unix socket, a TLS stream): the reading and
// writing every byte-stream line_connection shares.
#pragma once

#include "echochat/core/line_framer.hpp"
#include "echochat/core/outbox.hpp"
#include "echochat/edges/channels.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

class framed_stream {
 public:
  // Reads until at least one line is complete, or an error ends the stream (after the tail).
  template <class Stream>
  boost::asio::awaitable<boost::system::error_code> read_lines(Stream& stream, std::vector<framed_line>& out) {
    const std::size_t before = out.size();
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(boost::asio::buffer(buffer_), default_token{});
      if (n > 0) framer_.feed(std::string_view{buffer_.data(), n}, out);
      if (ec) {
        if (auto tail = framer_.finish()) out.push_back(std::move(*tail));
        co_return ec;
      }
      if (out.size() > before) co_return boost::system::error_code{};
    }
  }

  template <class Stream>
  boost::asio::awaitable<boost::system::error_code> write_line(Stream& stream, std::string_view line) {
    wire_ = wire_format(line);
    auto [ec, n] = co_await boost::asio::async_write(stream, boost::asio::buffer(wire_), default_token{});
    co_return ec;
  }

 private:
  line_framer framer_;
  std::array<char, 64 * 1024> buffer_{};
  std::string wire_;
};

}  // namespace echochat
