// WebSocket connections with Beast: the HTTP upgrade, then one text message per line each way.
// Binary messages, close frames and oversized messages are said in words; the rest of the skeleton
// (resolve, connect, abort, TLS for wss) is shared.
#include "echochat/edges/ws_connection.hpp"

#include "echochat/core/line_framer.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/stream_connection.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <type_traits>

namespace echochat {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// What the server is asked for in the Host header: the port only when it is not the default.
std::string host_header(const address& a) {
  const bool default_port = a.endpoint.port == (a.kind == transport::wss ? "443" : "80");
  if (!default_port) return to_string(a.endpoint);
  return a.endpoint.host.find(':') != std::string::npos ? "[" + a.endpoint.host + "]" : a.endpoint.host;
}

template <bool Secure>
using ws_stream = websocket::stream<std::conditional_t<Secure, ssl::stream<tcp::socket>, tcp::socket>>;

template <bool Secure>
class ws_connection final : public connection_base<ws_stream<Secure>> {
  using base = connection_base<ws_stream<Secure>>;
  using base::stage_;
  using base::stream_;

 public:
  // wss:// (only a TLS stream is made from a context)
  ws_connection(asio::any_io_executor ex, address target, std::shared_ptr<ssl::context> ctx,
                tls_checks checks, std::shared_ptr<const ws_settings> ws)
      : base(std::move(ex), *ctx),
        target_(std::move(target)),
        ctx_(std::move(ctx)),
        checks_(std::move(checks)),
        ws_(std::move(ws)) {}
  // ws://
  ws_connection(asio::any_io_executor ex, address target, std::shared_ptr<const ws_settings> ws)
      : base(std::move(ex)), target_(std::move(target)), checks_(tls_settings{}), ws_(std::move(ws)) {}

  asio::awaitable<error_code> connect() override {
    if (const error_code ec = co_await this->connect_tcp(target_.endpoint)) co_return ec;
    if constexpr (Secure) {
      stage_ = "during the TLS handshake";
      if (const error_code ec = co_await checks_.handshake(stream_.next_layer(), target_.endpoint.host)) {
        co_return ec;
      }
    }
    co_return co_await upgrade();
  }

  asio::awaitable<error_code> read_lines(std::vector<framed_line>& out) override {
    const std::size_t before = out.size();
    for (;;) {
      buffer_.clear();
      if (buffer_.capacity() > 1024 * 1024) buffer_.shrink_to_fit();  // a big message's memory goes back
      auto [ec, n] = co_await stream_.async_read(buffer_, default_token{});
      if (ec) {
        if (ec != asio::error::operation_aborted) ended_ = true;
        co_return ec;
      }
      const std::string_view data{static_cast<const char*>(buffer_.data().data()), buffer_.size()};
      if (stream_.got_text()) {
        // A message is a line; one with newlines is one line each, cut past 64 KiB as for TCP.
        framer_.feed(data, out);
        if (auto tail = framer_.finish()) out.push_back(std::move(*tail));
        if (data.empty()) out.push_back(framed_line{});
      } else {
        out.push_back(framed_line{binary_preview(data), false});
      }
      if (out.size() > before) co_return error_code{};
    }
  }

  asio::awaitable<error_code> write_line(std::string_view line) override {
    writing_ = true;
    auto [ec, n] = co_await stream_.async_write(asio::buffer(line.data(), line.size()), default_token{});
    writing_ = ec == asio::error::operation_aborted;  // cancelled mid-frame: nothing more may follow
    co_return ec;
  }

  std::size_t wire_bytes(std::size_t size) const override {
    // A client's frame: 2 bytes, 2 or 8 more for a longer payload, the 4-byte mask; over TLS a
    // record's 22 too.
    const std::size_t length = size < 126 ? 0 : size < 65536 ? 2 : 8;
    return size + 2 + length + 4 + (Secure ? 22 : 0);
  }

  asio::awaitable<bool> shutdown_send() override {
    // WebSocket has no half-close: a close frame now would let the server drop the replies it still
    // owes (RFC 6455 allows it, and Beast discards what comes after). close() sends it, once the
    // caller has waited for the replies.
    co_return false;
  }

  connection_facts facts() const override {
    connection_facts f = checks_.facts();
    if (ws_done_) {
      // The status bar: "tls1.3 · subprotocol chat.v1" (wss) or "subprotocol chat.v1" (ws), when
      // a subprotocol was chosen (and " · via HOST:PORT" after it through a proxy).
      if (!subprotocol_.empty())
        f.protocol += (f.protocol.empty() ? "" : " · ") + ("subprotocol " + subprotocol_);
      f.notes.push_back("WebSocket: " + request_ + " -- " + answer_);
    }
    return this->proxied(std::move(f));
  }

  std::string explain(const error_code& ec) const override {
    if (std::string proxy_words = this->common_explain(ec); !proxy_words.empty()) return proxy_words;
    if (ec == websocket::error::closed) {
      const websocket::close_reason& why = stream_.reason();
      std::string words = "closed by the server with code " + std::to_string(why.code);
      if (!why.reason.empty()) words += " (" + std::string{why.reason.data(), why.reason.size()} + ")";
      return words;
    }
    if (ws_done_ && this->dead_after_.count() > 0 && ec == beast::error::timeout) return this->dead_words();
    if (ec == websocket::error::message_too_big) {
      return "a message was larger than 16 MiB, so the connection was closed (code 1009)";
    }
    if (ec == websocket::error::upgrade_declined && !declined_.empty()) return declined_;
    if constexpr (Secure) {
      if (std::string words = checks_.explain(ec); !words.empty()) return words;
    }
    if (!ws_done_ && (ec == asio::error::eof || ec == beast::http::error::end_of_stream)) {
      return "the server closed the connection during the WebSocket handshake";
    }
    return {};
  }

  asio::awaitable<void> close() override {
    if (!ws_done_ || ended_ || writing_) co_return;
    // The reader's cancelled read has left Beast's stream failed, so the close frame (1000,
    // masked as a client's must be) is written by hand.
    std::array<unsigned char, 8> frame{0x88, 0x82};
    std::random_device random;
    for (std::size_t i = 0; i < 4; ++i) frame[2 + i] = static_cast<unsigned char>(random());
    frame[6] = static_cast<unsigned char>(0x03 ^ frame[2]);
    frame[7] = static_cast<unsigned char>(0xe8 ^ frame[3]);
    auto [ec, n] = co_await asio::async_write(stream_.next_layer(), asio::buffer(frame), default_token{});
    // The server answers with its close frame and then closes: wait for that (the caller bounds
    // the wait), so that closing the socket does not reset the connection under the close frame.
    std::array<char, 4096> rest{};
    while (!ec)
      std::tie(ec, n) = co_await stream_.next_layer().async_read_some(asio::buffer(rest), default_token{});
    // Over TLS the server's close_notify came with its end: answer it, or its teardown fails.
    if constexpr (Secure) {
      if (ec == asio::error::eof) co_await stream_.next_layer().async_shutdown(default_token{});
    }
  }

 private:
  // The HTTP upgrade: the host and the path asked for, the headers and subprotocols given, the
  // answer kept in words when it is not 101 or chooses a subprotocol that was not offered.
  asio::awaitable<error_code> upgrade() {
    stream_.read_message_max(ws_message_max);
    stream_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
      decorate(req);
      request_ = describe(req);
    }));
    websocket::response_type response;
    stage_ = "during the WebSocket upgrade";
    auto [ec] =
        co_await stream_.async_handshake(response, host_header(target_), target_.path, default_token{});
    if (ec == websocket::error::upgrade_declined) {
      declined_ = "the server answered HTTP " + std::to_string(response.result_int()) + " " +
                  std::string{response.reason()} + ", not a WebSocket upgrade";
    }
    if (!ec) {
      const auto chosen = response[beast::http::field::sec_websocket_protocol];
      if (auto why = refused_subprotocol(ws_->protocols, {chosen.data(), chosen.size()})) {
        // RFC 6455 section 4.1: the client fails the connection; no WebSocket was established,
        // so there is no close frame to send.
        declined_ = *why;
        ec = websocket::error::upgrade_declined;
      } else {
        subprotocol_ = std::string{chosen};
      }
    }
    if (!ec) {
      answer_ = "answered " + std::to_string(response.result_int()) + " " + sanitize(response.reason());
      if (!subprotocol_.empty()) answer_ += ", subprotocol " + subprotocol_;
    }
    ws_done_ = !ec;
    stream_.text(true);
    if (ws_done_ && this->dead_after_.count() > 0) {
      // Beast pings when half its idle timeout has passed in silence, and ends the read with
      // timeout when nothing at all came for the whole of it: a dead peer behind a proxy or a load
      // balancer, which TCP keepalive alone would not reach, is noticed too. Its ping goes out a
      // second after TCP's own verdict, which keeps the socket open to tell which lines were not
      // acknowledged (Beast closes it) and is not swelled by the ping's bytes.
      websocket::stream_base::timeout t{};
      t.handshake_timeout = websocket::stream_base::none();
      t.idle_timeout = 2 * (this->dead_after_ + std::chrono::seconds{1});
      t.keep_alive_pings = true;
      stream_.set_option(t);
    }
    co_return ec;
  }

  // The request as the user asked for it: echochat's User-Agent unless one was given, the Origin,
  // the subprotocols offered, then every --header in order (a name given twice is sent twice).
  void decorate(websocket::request_type& req) const {
    req.set(beast::http::field::user_agent, "echochat");
    if (ws_->origin) req.set(beast::http::field::origin, *ws_->origin);
    if (!ws_->protocols.empty()) {
      std::string offered;
      for (const std::string& p : ws_->protocols) offered += (offered.empty() ? "" : ", ") + p;
      req.set(beast::http::field::sec_websocket_protocol, offered);
    }
    std::vector<std::string_view> replaced;
    for (const http_header& h : ws_->headers) {
      // The first --header of a name replaces what echochat or Beast set (Host, User-Agent).
      if (std::find(replaced.begin(), replaced.end(), h.name) == replaced.end()) {
        req.erase(h.name);
        replaced.push_back(h.name);
      }
      req.insert(h.name, h.value);
    }
  }

  // "GET /path HTTP/1.1; Host: ...; ..." for the log: every field but the key, credentials masked.
  static std::string describe(const websocket::request_type& req) {
    std::string text = std::string{req.method_string()} + " " + std::string{req.target()} + " HTTP/1.1";
    for (const auto& field : req) {
      if (field.name() == beast::http::field::sec_websocket_key) continue;
      const http_header h{std::string{field.name_string()}, std::string{field.value()}};
      text += "; " + h.name + ": " + shown_value(h);
    }
    return text;
  }

  address target_;
  std::shared_ptr<ssl::context> ctx_;  // wss: the TLS stream was made from it; none for ws
  tls_checks checks_;
  beast::flat_buffer buffer_;
  line_framer framer_;
  std::string declined_;
  std::shared_ptr<const ws_settings> ws_;
  std::string request_;      // the upgrade request, described for the log
  std::string answer_;       // the server's status line and choice
  std::string subprotocol_;  // the one the server chose, if any (checked: one of those offered)
  bool ws_done_ = false;
  bool ended_ = false;    // the connection ended by itself: nothing to close
  bool writing_ = false;  // a write was cut short: another frame would corrupt the stream
};

}  // namespace

std::string binary_preview(std::string_view data) {
  constexpr std::size_t shown = 16;
  std::string text = "[binary " + std::to_string(data.size()) + (data.size() == 1 ? " byte]" : " bytes]");
  for (std::size_t i = 0; i < std::min(data.size(), shown); ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, " %02x", static_cast<unsigned char>(data[i]));
    text += hex;
  }
  if (data.size() > shown) text += " ...";
  return text;
}

connection_factory ws_connector(const address& target, const connect_settings& settings) {
  auto ws = std::make_shared<const ws_settings>(settings.ws);
  std::shared_ptr<const proxy_settings> proxy;
  if (settings.proxy) proxy = std::make_shared<const proxy_settings>(*settings.proxy);
  if (target.kind == transport::wss) {
    auto ctx = make_tls_context(settings.tls);
    return [target, ctx, checks = tls_checks(settings.tls), ws, proxy,
            dead = settings.dead_after](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
      auto c = std::make_unique<ws_connection<true>>(std::move(ex), target, ctx, checks, ws);
      if (proxy) c->use_proxy(proxy);
      c->set_dead_after(dead);
      return c;
    };
  }
  return [target, ws, proxy,
          dead = settings.dead_after](asio::any_io_executor ex) -> std::unique_ptr<line_connection> {
    auto c = std::make_unique<ws_connection<false>>(std::move(ex), target, ws);
    if (proxy) c->use_proxy(proxy);
    c->set_dead_after(dead);
    return c;
  };
}

}  // namespace echochat
