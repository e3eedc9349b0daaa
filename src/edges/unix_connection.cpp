// Unix-socket connections: the stream skeleton on a socket found by its path.
// A missing socket or a refused permission is an error like a refused port: the client retries.
#include "echochat/edges/unix_connection.hpp"

#include "echochat/edges/stream_connection.hpp"

#include <boost/asio/local/stream_protocol.hpp>

namespace echochat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using stream_protocol = asio::local::stream_protocol;

class unix_connection final : public stream_connection<stream_protocol::socket> {
 public:
  unix_connection(asio::any_io_executor ex, std::string path)
      : stream_connection(std::move(ex)), path_(std::move(path)) {}

  asio::awaitable<error_code> connect() override {
    auto [ec] = co_await stream_.async_connect(stream_protocol::endpoint(path_), default_token{});
    co_return ec;
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
};

}  // namespace

connection_factory unix_connector(std::string path, const connect_settings& settings) {
  return [path = std::move(path),
          crlf = settings.crlf](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    auto c = std::make_unique<unix_connection>(std::move(ex), path);
    if (crlf) c->end_lines_with_crlf();
    return c;
  };
}

}  // namespace echochat
