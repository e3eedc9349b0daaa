// TCP connections: the stream skeleton on a TCP socket, its host name resolved at each attempt.
#include "echochat/edges/tcp_connection.hpp"

#include "echochat/edges/stream_connection.hpp"

namespace echochat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

class tcp_connection final : public stream_connection<asio::ip::tcp::socket> {
 public:
  tcp_connection(asio::any_io_executor ex, host_port target)
      : stream_connection(std::move(ex)), target_(std::move(target)) {}

  asio::awaitable<error_code> connect() override { co_return co_await connect_tcp(target_); }

 private:
  host_port target_;
};

}  // namespace

connection_factory tcp_connector(host_port target, const connect_settings& settings) {
  std::shared_ptr<const proxy_settings> proxy;
  if (settings.proxy) proxy = std::make_shared<const proxy_settings>(*settings.proxy);
  return [target = std::move(target), crlf = settings.crlf, proxy,
          dead = settings.dead_after](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    auto c = std::make_unique<tcp_connection>(std::move(ex), target);
    if (crlf) c->end_lines_with_crlf();
    if (proxy) c->use_proxy(proxy);
    c->set_dead_after(dead);
    return c;
  };
}

}  // namespace echochat
