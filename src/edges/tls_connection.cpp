// TLS connections: resolve, connect, shake hands with the checks of tls_session, then lines.
#include "echochat/edges/tls_connection.hpp"

#include "echochat/edges/framed_stream.hpp"

#include <boost/asio/connect.hpp>

namespace echochat {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

class tls_connection final : public line_connection {
 public:
  tls_connection(asio::any_io_executor ex, host_port target, std::shared_ptr<ssl::context> ctx, bool insecure)
      : target_(std::move(target)), ctx_(std::move(ctx)), resolver_(ex), stream_(ex, *ctx_), checks_(insecure) {}

  asio::awaitable<error_code> connect() override {
    stage_ = "resolving the host name";
    auto [ec, endpoints] = co_await resolver_.async_resolve(target_.host, target_.port, default_token{});
    if (ec) co_return ec;
    stage_ = "connecting";
    std::tie(ec, std::ignore) = co_await asio::async_connect(stream_.next_layer(), endpoints, default_token{});
    if (ec) co_return ec;
    stream_.next_layer().set_option(tcp::no_delay(true), ec);
    checks_.prepare(stream_, target_.host);
    stage_ = "during the TLS handshake";
    std::tie(ec) = co_await stream_.async_handshake(ssl::stream_base::client, default_token{});
    handshake_done_ = !ec;
    if (handshake_done_) facts_ = checks_.facts(stream_.native_handle());
    co_return ec;
  }

  asio::awaitable<error_code> read_lines(std::vector<framed_line>& out) override {
    co_return co_await io_.read_lines(stream_, out);
  }

  asio::awaitable<error_code> write_line(std::string_view line) override {
    co_return co_await io_.write_line(stream_, line);
  }

  std::string_view connect_stage() const override { return stage_; }

  void abort() override {
    resolver_.cancel();
    error_code ignored;
    stream_.next_layer().close(ignored);
  }

  void shutdown_send() override {
    // A TLS close_notify would need the stream's reading side, which the reader holds: shutting
    // the TCP sending side tells the server just as well that nothing more comes.
    error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
  }

  connection_facts facts() const override { return handshake_done_ ? facts_ : checks_.facts(nullptr); }

  std::string explain(const error_code& ec) const override { return checks_.explain(ec, handshake_done_); }

  asio::awaitable<void> close() override {
    if (!handshake_done_) co_return;
    co_await stream_.async_shutdown(default_token{});  // sends close_notify; bounded by the caller
  }

 private:
  host_port target_;
  std::shared_ptr<ssl::context> ctx_;
  tcp::resolver resolver_;
  ssl::stream<tcp::socket> stream_;
  tls_checks checks_;
  framed_stream io_;
  bool handshake_done_ = false;
  connection_facts facts_;
  std::string_view stage_ = "connecting";
};

}  // namespace

connection_factory tls_connector(host_port target, const tls_settings& settings) {
  auto ctx = make_tls_context(settings);
  return [target = std::move(target), ctx, insecure = settings.insecure](
             asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    return std::make_unique<tls_connection>(std::move(ex), target, ctx, insecure);
  };
}

}  // namespace echochat
