// TCP connections: resolve, connect with TCP_NODELAY, frame what is read into lines.
#include "echochat/edges/tcp_connection.hpp"

#include "echochat/edges/channels.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace echochat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

class tcp_connection final : public line_connection {
 public:
  tcp_connection(asio::any_io_executor ex, host_port target)
      : target_(std::move(target)), resolver_(ex), socket_(ex) {}

  asio::awaitable<error_code> connect() override {
    stage_ = "resolving the host name";
    auto [ec, endpoints] = co_await resolver_.async_resolve(target_.host, target_.port);
    if (ec) co_return ec;
    stage_ = "connecting";
    std::tie(ec, std::ignore) = co_await asio::async_connect(socket_, endpoints);
    if (!ec) socket_.set_option(tcp::no_delay(true), ec);
    co_return ec;
  }

  std::string_view connect_stage() const override { return stage_; }

  void abort() override {
    resolver_.cancel();
    error_code ignored;
    socket_.close(ignored);
  }

  asio::awaitable<error_code> read_lines(std::vector<framed_line>& out) override {
    const std::size_t before = out.size();
    for (;;) {
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer_));
      if (n > 0) framer_.feed(std::string_view{buffer_.data(), n}, out);
      if (ec) {
        if (auto tail = framer_.finish()) out.push_back(std::move(*tail));
        co_return ec;
      }
      if (out.size() > before) co_return error_code{};
    }
  }

  asio::awaitable<error_code> write_line(std::string_view line) override {
    // wire_format() without its copy: the line and its "\n" in one gathered write, so a big
    // pasted line is not held twice while it goes out.
    static constexpr char newline = '\n';
    const std::array<asio::const_buffer, 2> wire{asio::buffer(line), asio::buffer(&newline, 1)};
    auto [ec, n] = co_await asio::async_write(socket_, wire);
    co_return ec;
  }

  void shutdown_send() override {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
  }

 private:
  host_port target_;
  default_token::as_default_on_t<tcp::resolver> resolver_;
  default_token::as_default_on_t<tcp::socket> socket_;
  line_framer framer_;
  std::array<char, 64 * 1024> buffer_{};
  std::string_view stage_ = "connecting";
};

}  // namespace

connection_factory tcp_connector(host_port target) {
  return [target = std::move(target)](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    return std::make_unique<tcp_connection>(std::move(ex), target);
  };
}

}  // namespace echochat
