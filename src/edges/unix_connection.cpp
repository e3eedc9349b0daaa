// Unix-socket connections: connect to a path; a missing socket or a refused permission is an
// error like a refused port, and the chat client retries.
#include "echochat/edges/unix_connection.hpp"

#include "echochat/edges/framed_stream.hpp"

#include <boost/asio/local/stream_protocol.hpp>

namespace echochat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using stream_protocol = asio::local::stream_protocol;

class unix_connection final : public line_connection {
 public:
  unix_connection(asio::any_io_executor ex, std::string path) : path_(std::move(path)), socket_(ex) {}

  asio::awaitable<error_code> connect() override {
    auto [ec] = co_await socket_.async_connect(stream_protocol::endpoint(path_), default_token{});
    co_return ec;
  }

  std::string_view connect_stage() const override { return "connecting"; }

  void abort() override {
    error_code ignored;
    socket_.close(ignored);
  }

  asio::awaitable<error_code> read_lines(std::vector<framed_line>& out) override {
    co_return co_await io_.read_lines(socket_, out);
  }

  asio::awaitable<error_code> write_line(std::string_view line) override {
    co_return co_await io_.write_line(socket_, line);
  }

  void shutdown_send() override {
    error_code ignored;
    socket_.shutdown(stream_protocol::socket::shutdown_send, ignored);
  }

  std::string explain(const error_code& ec) const override {
    // The path is what the user can act on.
    if (ec == asio::error::not_found || ec == boost::system::errc::no_such_file_or_directory) {
      return "no socket at " + path_;
    }
    return {};
  }

 private:
  std::string path_;
  stream_protocol::socket socket_;
  framed_stream io_;
};

}  // namespace

connection_factory unix_connector(std::string path) {
  return [path = std::move(path)](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    return std::make_unique<unix_connection>(std::move(ex), path);
  };
}

}  // namespace echochat
