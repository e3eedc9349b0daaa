// TLS connections: the stream skeleton on a TLS stream; its own are the handshake and its checks.
#include "echochat/edges/tls_connection.hpp"

#include "echochat/edges/stream_connection.hpp"

namespace echochat {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

class tls_connection final : public stream_connection<ssl::stream<tcp::socket>> {
 public:
  tls_connection(asio::any_io_executor ex, host_port target, std::shared_ptr<ssl::context> ctx,
                 tls_checks checks)
      : stream_connection(std::move(ex), *ctx),
        target_(std::move(target)),
        ctx_(std::move(ctx)),
        checks_(std::move(checks)) {
    record_bytes_ = 22;  // TLS 1.3 with AEAD: a 5-byte header, the content type, a 16-byte tag
  }

  asio::awaitable<error_code> connect() override {
    if (const error_code ec = co_await connect_tcp(target_)) co_return ec;
    stage_ = "during the TLS handshake";
    co_return co_await checks_.handshake(stream_, target_.host);
  }

  connection_facts facts() const override { return proxied(checks_.facts()); }

  std::string explain(const error_code& ec) const override {
    if (std::string words = common_explain(ec); !words.empty()) return words;
    return checks_.explain(ec);
  }

  asio::awaitable<bool> shutdown_send() override {
    // No half-close under TLS: many servers (Python's asyncio, Node's tls by default) close on
    // close_notify and drop the replies they still owe, and a bare TCP half-close reads to them as
    // a truncation. So the caller waits for the replies as over WebSocket, then close() sends it.
    co_return false;
  }

  asio::awaitable<void> close() override {
    if (!checks_.handshake_done()) co_return;
    co_await stream_.async_shutdown(default_token{});  // sends close_notify; bounded by the caller
  }

 private:
  host_port target_;
  // The stream was made from it; each stream also holds OpenSSL's own reference to the context.
  std::shared_ptr<ssl::context> ctx_;
  tls_checks checks_;
};

}  // namespace

connection_factory tls_connector(host_port target, const connect_settings& settings) {
  auto ctx = make_tls_context(settings.tls);
  std::shared_ptr<const proxy_settings> proxy;
  if (settings.proxy) proxy = std::make_shared<const proxy_settings>(*settings.proxy);
  return [target = std::move(target), ctx, checks = tls_checks(settings.tls), crlf = settings.crlf, proxy,
          dead = settings.dead_after](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    auto c = std::make_unique<tls_connection>(std::move(ex), target, ctx, checks);
    if (crlf) c->end_lines_with_crlf();
    if (proxy) c->use_proxy(proxy);
    c->set_dead_after(dead);
    return c;
  };
}

}  // namespace echochat
