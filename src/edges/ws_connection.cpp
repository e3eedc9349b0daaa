// WebSocket connections: Beast writes the HTTP upgrade and reads its answer; after it the frames
// are read from the socket's own large reads (ws_frames.hpp), every message of one read handed on
// as one batch of lines as TCP's are, and the client's masked frames are written by hand. Binary
// messages, close frames, protocol errors and oversized messages are said in words; the rest of
// the skeleton (resolve, connect, abort, TLS for wss) is shared.
#include "echochat/edges/ws_connection.hpp"

#include "echochat/core/line_framer.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/core/ws_deflate.hpp"
#include "echochat/core/ws_frames.hpp"
#include "echochat/edges/async_flag.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/stream_connection.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <random>
#include <span>
#include <tuple>
#include <type_traits>
#include <variant>

namespace echochat {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

// What the server is asked for in the Host header: the port only when it is not the default.
std::string host_header(const address& a) {
  const bool default_port = a.endpoint.port == (a.kind == transport::wss ? "443" : "80");
  if (!default_port) return to_string(a.endpoint);
  return a.endpoint.host.find(':') != std::string::npos ? "[" + a.endpoint.host + "]" : a.endpoint.host;
}

// What one read asks for: as much as TCP's reads (a TLS read brings one record, up to 16 KiB).
constexpr std::size_t read_size = 64 * 1024;
// How long the server has to close the connection after the close frame that answers its own or
// that says what it did wrong. (close() is bounded by its caller.)
constexpr std::chrono::seconds close_wait{5};

template <bool Secure>
using byte_stream = std::conditional_t<Secure, ssl::stream<tcp::socket>, tcp::socket>;

template <bool Secure>
class ws_connection final : public connection_base<byte_stream<Secure>> {
  using base = connection_base<byte_stream<Secure>>;
  using base::stage_;
  using base::stream_;

 public:
  // wss:// (only a TLS stream is made from a context)
  ws_connection(asio::any_io_executor ex, address target, std::shared_ptr<ssl::context> ctx,
                tls_checks checks, std::shared_ptr<const ws_settings> ws)
      : base(ex, *ctx),
        target_(std::move(target)),
        ctx_(std::move(ctx)),
        checks_(std::move(checks)),
        ws_(std::move(ws)),
        write_free_(ex, true),
        idle_(ex) {}
  // ws://
  ws_connection(asio::any_io_executor ex, address target, std::shared_ptr<const ws_settings> ws)
      : base(ex),
        target_(std::move(target)),
        checks_(tls_settings{}),
        ws_(std::move(ws)),
        write_free_(ex, true),
        idle_(ex) {}

  asio::awaitable<error_code> connect() override {
    if (const error_code ec = co_await this->connect_tcp(target_.endpoint)) co_return ec;
    if constexpr (Secure) {
      stage_ = "during the TLS handshake";
      if (const error_code ec = co_await checks_.handshake(stream_, target_.endpoint.host)) co_return ec;
    }
    co_return co_await upgrade();
  }

  asio::awaitable<error_code> read_lines(std::vector<framed_line>& out) override {
    const std::size_t before = out.size();
    for (;;) {
      auto [ec, n] = co_await read_some();
      if (ec) {
        if (ec != asio::error::operation_aborted) ended_ = true;
        co_return ec;
      }
      messages_.clear();
      const std::optional<ws_failure> failure = parser_.commit(n, messages_);
      for (const ws_message& m : messages_) {
        if (const error_code end = co_await take(m, out)) co_return end;
      }
      if (failure) co_return co_await fail(*failure);
      if (out.size() > before) co_return error_code{};
    }
  }

  asio::awaitable<error_code> write_line(std::string_view line) override {
    std::string frame;
    if (deflater_) {
      if (std::optional<std::string> packed = deflater_->deflate(line)) {
        append_ws_frame(frame, ws_opcode::text, *packed, mask(), true);
        last_frame_size_ = frame.size();
        co_return co_await send(std::move(frame));
      }
    }
    frame.reserve(line.size() + 14);
    append_ws_frame(frame, ws_opcode::text, line, mask());
    last_frame_size_ = frame.size();
    co_return co_await send(std::move(frame));
  }

  std::size_t wire_bytes(std::size_t size) const override {
    // Compressed, a line's frame has no size known from the line's: the chat client asks right
    // after the line's write_line, so the frame just written is the one it asks about.
    if (deflater_) return last_frame_size_ + (Secure ? 22 : 0);
    // A client's frame: 2 bytes, 2 or 8 more for a longer payload, the 4-byte mask; over TLS a
    // record's 22 too.
    const std::size_t length = size < 126 ? 0 : size < 65536 ? 2 : 8;
    return size + 2 + length + 4 + (Secure ? 22 : 0);
  }

  asio::awaitable<bool> shutdown_send() override {
    // WebSocket has no half-close: a close frame now would let the server drop the replies it still
    // owes (RFC 6455 allows it). close() sends it, once the caller has waited for the replies.
    co_return false;
  }

  connection_facts facts() const override {
    connection_facts f = checks_.facts();
    if (ws_done_) {
      // The status bar: "tls1.3 · subprotocol chat.v1" (wss) or "subprotocol chat.v1" (ws), when
      // a subprotocol was chosen (and " · via HOST:PORT" after it through a proxy).
      if (!subprotocol_.empty())
        f.protocol += (f.protocol.empty() ? "" : " · ") + ("subprotocol " + subprotocol_);
      if (deflater_) f.protocol += (f.protocol.empty() ? "" : " · ") + std::string{"deflate"};
      f.notes.push_back("WebSocket: " + request_ + " -- " + answer_);
    }
    return this->proxied(std::move(f));
  }

  std::string explain(const error_code& ec) const override {
    if (std::string proxy_words = this->common_explain(ec); !proxy_words.empty()) return proxy_words;
    if (ec == websocket::error::closed) {
      std::string words = "closed by the server with code " + std::to_string(close_code_);
      if (!close_reason_.empty()) words += " (" + close_reason_ + ")";
      return words;
    }
    if (ws_done_ && this->dead_after_.count() > 0 && ec == beast::error::timeout) return this->dead_words();
    if (ec == websocket::error::message_too_big) {
      return "a message was larger than 16 MiB, so the connection was closed (code 1009)";
    }
    if (failure_ && ec == websocket::error::bad_frame_payload) {
      return "the server broke the WebSocket protocol (" + failure_->reason +
             "), so the connection was closed (code " + std::to_string(failure_->code) + ")";
    }
    if (ec == websocket::error::upgrade_declined && !declined_.empty()) return declined_;
    if constexpr (Secure) {
      if (std::string words = checks_.explain(ec); !words.empty()) return words;
    }
    if (!ws_done_ && (ec == asio::error::eof || ec == http::error::end_of_stream)) {
      return "the server closed the connection during the WebSocket handshake";
    }
    return {};
  }

  asio::awaitable<void> close() override {
    if (!ws_done_ || ended_ || broken_) co_return;
    // A close frame (1000, masked as a client's must be), after any frame being written.
    std::string frame;
    append_ws_frame(frame, ws_opcode::close, ws_close_payload(ws_close_normal, {}), mask());
    const error_code ec = co_await send(std::move(frame));
    close_sent_ = true;
    if (!ec) co_await until_closed();
  }

 private:
  // The HTTP upgrade: the host and the path asked for, the headers and subprotocols given, the
  // answer kept in words when it is not 101 or chooses a subprotocol that was not offered. The
  // bytes that came after the answer are the first frames.
  asio::awaitable<error_code> upgrade() {
    stage_ = "during the WebSocket upgrade";
    websocket::detail::sec_ws_key_type key;
    websocket::detail::make_sec_ws_key(key);
    websocket::request_type req;
    req.method(http::verb::get);
    req.target(target_.path);
    req.version(11);
    req.set(http::field::host, host_header(target_));
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "upgrade");
    req.set(http::field::sec_websocket_key, beast::string_view{key.data(), key.size()});
    req.set(http::field::sec_websocket_version, "13");
    if (ws_->compress) req.set(http::field::sec_websocket_extensions, ws_deflate_offer);
    decorate(req);
    request_ = describe(req);
    if (auto [ec, n] = co_await http::async_write(stream_, req, default_token{}); ec) co_return ec;

    beast::flat_buffer head;
    http::response_parser<http::empty_body> parser;
    if (auto [ec, n] = co_await http::async_read_header(stream_, head, parser, default_token{}); ec)
      co_return ec;
    const auto& response = parser.get();
    error_code ec = check_answer(response, {key.data(), key.size()});
    if (ec == websocket::error::upgrade_declined) {
      declined_ = "the server answered HTTP " + std::to_string(response.result_int()) + " " +
                  std::string{response.reason()} + ", not a WebSocket upgrade";
    }
    if (!ec) {
      const auto chosen = response[http::field::sec_websocket_protocol];
      if (auto why = refused_subprotocol(ws_->protocols, {chosen.data(), chosen.size()})) {
        // RFC 6455 section 4.1: the client fails the connection; no WebSocket was established,
        // so there is no close frame to send.
        declined_ = *why;
        ec = websocket::error::upgrade_declined;
      } else {
        subprotocol_ = std::string{chosen};
      }
    }
    std::optional<ws_deflate_params> deflate;
    if (!ec) {
      // RFC 7692: an extension not offered, or parameters it may not send, fail the connection.
      const auto extensions = response[http::field::sec_websocket_extensions];
      auto answer = ws_deflate_answer({extensions.data(), extensions.size()});
      if (auto* why = std::get_if<std::string>(&answer)) {
        declined_ = sanitize(*why);
        ec = websocket::error::upgrade_declined;
      } else {
        deflate = std::get<std::optional<ws_deflate_params>>(answer);
        if (deflate && !ws_->compress) {
          declined_ = "the server chose permessage-deflate, which was not offered (--no-compress)";
          ec = websocket::error::upgrade_declined;
        }
      }
    }
    if (ec) co_return ec;
    if (deflate) {
      parser_.use_deflate(*deflate);
      deflater_ = std::make_unique<ws_deflater>(*deflate);
    }
    answer_ = "answered " + std::to_string(response.result_int()) + " " + sanitize(response.reason());
    if (!subprotocol_.empty()) answer_ += ", subprotocol " + subprotocol_;
    if (deflate) answer_ += ", " + sanitize(response[http::field::sec_websocket_extensions]);
    ws_done_ = true;
    // Frames the server sent right after its answer came with it.
    const auto early = head.cdata();
    const std::span<char> space = parser_.prepare(std::max(read_size, early.size()));
    std::copy_n(static_cast<const char*>(early.data()), early.size(), space.begin());
    early_ = early.size();
    co_return error_code{};
  }

  // The checks of RFC 6455 section 4.1 on the server's answer, with Beast's error codes.
  static error_code check_answer(const http::response<http::empty_body>& res, std::string_view key) {
    if (res.result() != http::status::switching_protocols) return websocket::error::upgrade_declined;
    if (res.version() != 11) return websocket::error::bad_http_version;
    if (!http::token_list{res[http::field::connection]}.exists("upgrade"))
      return websocket::error::no_connection_upgrade;
    if (!http::token_list{res[http::field::upgrade]}.exists("websocket"))
      return websocket::error::no_upgrade_websocket;
    websocket::detail::sec_ws_accept_type accept;
    websocket::detail::make_sec_ws_accept(accept, {key.data(), key.size()});
    if (res[http::field::sec_websocket_accept] != beast::string_view{accept.data(), accept.size()}) {
      return websocket::error::bad_sec_accept;
    }
    return {};
  }

  // One read into the parser's buffer (or the bytes that came with the upgrade's answer). With
  // --dead-after, silence for half the idle time sends a ping, and silence for all of it ends the
  // connection (a dead peer behind a proxy or a load balancer, which TCP keepalive alone would not
  // reach). The ping goes out a second after TCP's own verdict, which keeps the socket open to
  // tell which lines were not acknowledged and is not swelled by the ping's bytes.
  asio::awaitable<std::tuple<error_code, std::size_t>> read_some() {
    if (early_ > 0) co_return std::tuple{error_code{}, std::exchange(early_, 0)};
    if (this->dead_after_.count() <= 0) {
      co_return co_await stream_.async_read_some(space(), default_token{});
    }
    const auto half = this->dead_after_ + std::chrono::seconds{1};
    for (bool pinged = false;; pinged = true) {
      idle_.expires_after(half);
      auto result = co_await (stream_.async_read_some(space(), default_token{}) || idle_.async_wait());
      if (result.index() == 0) co_return std::get<0>(result);
      if (pinged) co_return std::tuple{error_code{beast::error::timeout}, std::size_t{0}};
      std::string frame;
      append_ws_frame(frame, ws_opcode::ping, {}, mask());
      if (const error_code ec = co_await send(std::move(frame))) co_return std::tuple{ec, std::size_t{0}};
    }
  }

  asio::mutable_buffer space() {
    const std::span<char> room = parser_.prepare(read_size);
    return {room.data(), room.size()};
  }

  // What one message means: lines, a binary preview, a pong to send, the end.
  asio::awaitable<error_code> take(const ws_message& m, std::vector<framed_line>& out) {
    switch (m.type) {
      case ws_message::kind::text:
        // A message is a line; one with newlines is one line each, cut past 64 KiB as for TCP.
        framer_.feed(m.payload, out);
        if (auto tail = framer_.finish()) out.push_back(std::move(*tail));
        if (m.payload.empty()) out.push_back(framed_line{});
        break;
      case ws_message::kind::binary: out.push_back(framed_line{binary_preview(m.payload), false}); break;
      case ws_message::kind::ping: {
        std::string frame;
        append_ws_frame(frame, ws_opcode::pong, m.payload, mask());
        if (const error_code ec = co_await send(std::move(frame))) co_return ec;
        break;
      }
      case ws_message::kind::pong: break;
      case ws_message::kind::close: {
        // Answered with the same code (1000 when it had none), and the connection is over.
        close_code_ = m.code;
        close_reason_ = sanitize(m.payload);
        co_await answer_close(m.code == ws_close_no_status ? ws_close_normal : m.code, {});
        co_return end(websocket::error::closed);
      }
    }
    co_return error_code{};
  }

  // A protocol error: the close frame with its code, then the end.
  asio::awaitable<error_code> fail(const ws_failure& failure) {
    failure_ = failure;
    co_await answer_close(failure.code, failure.reason);
    co_return end(failure.code == ws_close_too_big ? websocket::error::message_too_big
                                                   : websocket::error::bad_frame_payload);
  }

  // After a close frame from the server or a failure: the close frame, then the server's end,
  // awaited (bounded), so that closing the socket does not reset the connection under the close
  // frame and the server reads its code.
  asio::awaitable<void> answer_close(std::uint16_t code, std::string_view reason) {
    if (close_sent_ || broken_) co_return;
    std::string frame;
    append_ws_frame(frame, ws_opcode::close, ws_close_payload(code, reason), mask());
    close_sent_ = true;
    if (const error_code ec = co_await send(std::move(frame), true)) co_return;
    steady_timer timer(stream_.get_executor());
    timer.expires_after(close_wait);
    co_await (until_closed() || timer.async_wait());
  }

  // Reads and drops what the server still sends until it closes the connection (its close frame
  // comes before that). Over TLS its close_notify came with its end: answered, or its teardown
  // fails.
  asio::awaitable<void> until_closed() {
    std::array<char, 4096> rest{};
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(rest), default_token{});
    while (!ec) std::tie(ec, n) = co_await stream_.async_read_some(asio::buffer(rest), default_token{});
    if constexpr (Secure) {
      if (ec == asio::error::eof) co_await stream_.async_shutdown(default_token{});
    }
    // Our end too, at once: the server may be waiting for it to report the close.
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
  }

  error_code end(error_code ec) {
    ended_ = true;
    return ec;
  }

  // Writes one whole frame, after the frame being written if any: the writer's lines, the
  // reader's pongs and pings and the close frame never interleave. A write cut short (cancelled)
  // leaves a partial frame: nothing may follow it.
  asio::awaitable<error_code> send(std::string frame, bool control_after_close = false) {
    if (broken_ || (close_sent_ && !control_after_close)) co_return error_code{asio::error::broken_pipe};
    while (!write_free_.is_set()) {
      if (!co_await write_free_.wait()) co_return error_code{asio::error::operation_aborted};
    }
    write_free_.clear();
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(frame), default_token{});
    if (ec && n > 0 && n < frame.size()) broken_ = true;
    write_free_.set();
    co_return ec;
  }

  std::array<std::uint8_t, 4> mask() {
    const auto bits = static_cast<std::uint32_t>(random_());
    return {static_cast<std::uint8_t>(bits), static_cast<std::uint8_t>(bits >> 8U),
            static_cast<std::uint8_t>(bits >> 16U), static_cast<std::uint8_t>(bits >> 24U)};
  }

  // The request as the user asked for it: echochat's User-Agent unless one was given, the Origin,
  // the subprotocols offered, then every --header in order (a name given twice is sent twice).
  void decorate(websocket::request_type& req) const {
    req.set(http::field::user_agent, "echochat");
    if (ws_->origin) req.set(http::field::origin, *ws_->origin);
    if (!ws_->protocols.empty()) {
      std::string offered;
      for (const std::string& p : ws_->protocols) offered += (offered.empty() ? "" : ", ") + p;
      req.set(http::field::sec_websocket_protocol, offered);
    }
    std::vector<std::string_view> replaced;
    for (const http_header& h : ws_->headers) {
      // The first --header of a name replaces what echochat set (Host, User-Agent).
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
      if (field.name() == http::field::sec_websocket_key) continue;
      const http_header h{std::string{field.name_string()}, std::string{field.value()}};
      text += "; " + h.name + ": " + shown_value(h);
    }
    return text;
  }

  address target_;
  std::shared_ptr<ssl::context> ctx_;  // wss: the TLS stream was made from it; none for ws
  tls_checks checks_;
  std::shared_ptr<const ws_settings> ws_;
  ws_frame_parser parser_{ws_message_max};
  std::unique_ptr<ws_deflater> deflater_;  // when permessage-deflate was agreed
  std::size_t last_frame_size_ = 0;        // the last line's frame, as written
  std::vector<ws_message> messages_;       // those of the last read
  std::size_t early_ = 0;                  // bytes that came with the upgrade's answer, not parsed yet
  line_framer framer_;
  async_flag write_free_;  // no frame is being written
  steady_timer idle_;      // --dead-after: the silence before a ping, then before the end
  std::mt19937 random_{std::random_device{}()};
  std::string declined_;
  std::string request_;      // the upgrade request, described for the log
  std::string answer_;       // the server's status line and choice
  std::string subprotocol_;  // the one the server chose, if any (checked: one of those offered)
  std::uint16_t close_code_ = 0;
  std::string close_reason_;
  std::optional<ws_failure> failure_;
  bool ws_done_ = false;
  bool ended_ = false;  // the connection ended by itself (a close frame, a protocol error): nothing to close
  bool close_sent_ = false;  // no frame may follow a close frame
  bool broken_ = false;      // a write was cut short: another frame would corrupt the stream
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
