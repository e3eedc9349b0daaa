// One skeleton for every transport: connect()'s stage, abort(), and the byte streams' line I/O.
#pragma once

#include "echochat/core/address.hpp"
#include "echochat/core/line_framer.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/line_connection.hpp"
#include "echochat/edges/proxy_connect.hpp"
#include "echochat/edges/resolve_connect.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/system/error_code.hpp>

#include <netinet/in.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

// A line_connection over `Stream` (a socket, or layers on one: TLS, WebSocket). A transport
// derives from it, writes connect() from connect_tcp() and its own handshakes, and names each
// handshake in stage_ as it starts.
template <class Stream>
class connection_base : public line_connection {
 public:
  std::string_view connect_stage() const final { return stage_; }

  std::size_t unacknowledged() const final {
    int n = 0;
    auto& socket = boost::beast::get_lowest_layer(const_cast<Stream&>(stream_));
    if (!socket.is_open() || ::ioctl(socket.native_handle(), SIOCOUTQ, &n) != 0 || n < 0) return 0;
    return static_cast<std::size_t>(n);
  }

  // --dead-after: how long a silent connection lives (see watch()).
  void set_dead_after(std::chrono::seconds d) { dead_after_ = d; }

  void abort() final {
    // Closing the socket ends a connect or a handshake on it at once; a resolve ends only when
    // getaddrinfo returns, and is then reported cancelled.
    if (resolver_) resolver_->cancel();
    race_.abort();
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(stream_).close(ignored);
  }

  // Every connect goes through this proxy (tcp, tls, ws, wss; not a Unix socket).
  void use_proxy(std::shared_ptr<const proxy_settings> proxy) { proxy_ = std::move(proxy); }

  connection_facts facts() const override { return proxied({}); }
  std::string explain(const boost::system::error_code& ec) const override { return common_explain(ec); }

 protected:
  template <class... Args>
  explicit connection_base(Args&&... stream_args) : stream_(std::forward<Args>(stream_args)...) {}

  // For the transports over TCP: resolve_and_connect() on the socket under the stream, or through
  // the proxy to the target; either way the socket then leads to the target.
  boost::asio::awaitable<boost::system::error_code> connect_tcp(const host_port& target) {
    resolver_.emplace(stream_.get_executor());
    auto& socket = boost::beast::get_lowest_layer(stream_);
    if (!proxy_) {
      const boost::system::error_code ec =
          co_await resolve_and_connect(*resolver_, socket, target, stage_, &race_);
      if (!ec) watch(socket);
      co_return ec;
    }
    proxy_failure_.clear();
    const boost::system::error_code ec =
        co_await connect_through_proxy(*resolver_, socket, *proxy_, target, stage_, proxy_failure_, &race_);
    if (ec) {
      proxy_error_ = ec;
    } else {
      tunnel_open_ = true;
      watch(socket);
    }
    co_return ec;
  }

  // Words every transport over TCP shares, or empty: the proxy's for an error of its handshake; a
  // connection given up as dead (--dead-after).
  std::string common_explain(const boost::system::error_code& ec) const {
    if (!tunnel_open_ && ec == proxy_error_) return proxy_failure_;
    if (tcp_up_ && dead_after_.count() > 0 && ec == boost::asio::error::timed_out) return dead_words();
    return {};
  }

  // "no answer from the server for 15 s": a connection --dead-after gave up on.
  std::string dead_words() const {
    return "no answer from the server for " + std::to_string(dead_after_.count()) + " s (--dead-after)";
  }

  // Once the tunnel is open: "via HOST:PORT" on the status bar, and the proxy (its password
  // masked) at each connect.
  connection_facts proxied(connection_facts f) const {
    if (!proxy_ || !tunnel_open_) return f;
    f.protocol += (f.protocol.empty() ? "" : " · ") + std::string{"via "} + proxy_host_text(proxy_->url);
    f.notes.push_back("through the proxy " + to_string(proxy_->url) + " (" + proxy_->from + ")");
    return f;
  }

  Stream stream_;
  std::string_view stage_ = "connecting";
  std::chrono::seconds dead_after_{0};  // --dead-after; zero: the kernel's defaults

 private:
  // TCP keepalive and TCP_USER_TIMEOUT, so that a peer behind a dead link is noticed within
  // dead_after_: after a third of it idle, a probe every sixth, and data unacknowledged for all of
  // it ends the connection with ETIMEDOUT. The options are the kernel's (they ride on every
  // transport over TCP, through a proxy too); a system without them keeps its own timeouts.
  void watch(boost::asio::ip::tcp::socket& socket) {
    tcp_up_ = true;
    if (dead_after_.count() <= 0) return;
    const int whole = static_cast<int>(dead_after_.count());
    const int idle = std::max(1, whole / 3);
    const int interval = std::max(1, (whole - idle) / 4);
    const int probes = 4;
    const unsigned int user_timeout = static_cast<unsigned int>(whole) * 1000U;
    boost::system::error_code ignored;
    socket.set_option(boost::asio::socket_base::keep_alive(true), ignored);
    const int fd = socket.native_handle();
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
  }

  bool tcp_up_ = false;  // connect_tcp() succeeded: a timeout now is --dead-after's
  std::optional<boost::asio::ip::tcp::resolver> resolver_;  // none for a Unix socket: nothing to resolve
  connect_race race_;                                       // the attempts of connect_tcp()
  std::shared_ptr<const proxy_settings> proxy_;             // none: a direct connection
  bool tunnel_open_ = false;
  boost::system::error_code proxy_error_;  // the error the proxy's handshake ended with, and its words
  std::string proxy_failure_;
};

// A connection whose stream carries bytes: lines end with "\n" each way (a received "\r\n" is one
// line end too; --crlf sends "\r\n").
template <class Stream>
class stream_connection : public connection_base<Stream> {
 public:
  boost::asio::awaitable<boost::system::error_code> read_lines(std::vector<framed_line>& out) override {
    const std::size_t before = out.size();
    for (;;) {
      auto [ec, n] = co_await this->stream_.async_read_some(boost::asio::buffer(buffer_.get(), buffer_size),
                                                            default_token{});
      if (n > 0) framer_.feed(std::string_view{buffer_.get(), n}, out);
      if (ec) {
        if (auto tail = framer_.finish()) out.push_back(std::move(*tail));
        co_return ec;
      }
      if (out.size() > before) co_return boost::system::error_code{};
    }
  }

  boost::asio::awaitable<boost::system::error_code> write_line(std::string_view line) override {
    // The line and its line end in one gathered write, without a copy, so a big pasted
    // line is not held twice while it goes out. (Over TLS, Asio still gathers a line under 8 KiB
    // and its line end into one record.)
    const std::array<boost::asio::const_buffer, 2> wire{boost::asio::buffer(line),
                                                        boost::asio::buffer(line_end_)};
    auto [ec, n] = co_await boost::asio::async_write(this->stream_, wire, default_token{});
    co_return ec;
  }

  // --crlf: each line written ends in CR LF (SMTP, HTTP and other protocols that require it).
  void end_lines_with_crlf() { line_end_ = "\r\n"; }

  std::size_t wire_bytes(std::size_t size) const override { return size + line_end_.size() + record_bytes_; }

  boost::asio::awaitable<bool> shutdown_send() override {
    // The socket's sending side. TLS overrides it: it has no half-close that servers honour.
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(this->stream_).shutdown(boost::asio::socket_base::shutdown_send, ignored);
    co_return true;
  }

 protected:
  using connection_base<Stream>::connection_base;

  // What the stream adds to each write besides the line: a TLS record's header, type and tag.
  std::size_t record_bytes_ = 0;

 private:
  line_framer framer_;
  // Left unwritten until a read fills it: a page the kernel has not written to is not resident,
  // so 10,000 idle connections (load mode) do not cost 640 MiB.
  static constexpr std::size_t buffer_size = 64 * 1024;
  std::unique_ptr<char[]> buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size);
  std::string_view line_end_ = "\n";
};

}  // namespace echochat
