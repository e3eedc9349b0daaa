// The transport fronts of the tests: Asio coroutines on a thread of their own, TLS with OpenSSL,
// WebSocket with Beast, each client relayed to a connection of its own to the line server.
#include "support/test_front.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <array>
#include <atomic>
#include <future>
#include <optional>
#include <thread>
#include <vector>

namespace echochat::testing {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace websocket = boost::beast::websocket;
using namespace asio::experimental::awaitable_operators;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;

namespace {

constexpr auto token = asio::as_tuple(asio::use_awaitable);

// Copies bytes from one stream to the other until either fails; the error that ended it.
template <class From, class To>
asio::awaitable<error_code> pump(From& from, To& to) {
  std::array<char, 16 * 1024> buf{};
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), token);
    if (n > 0) {
      auto [wec, m] = co_await asio::async_write(to, asio::buffer(buf.data(), n), token);
      if (wec) co_return wec;
    }
    if (ec) co_return ec;
  }
}

struct ws_out {
  enum class what : std::uint8_t { text, binary, close } kind = what::text;
  std::string data;
  std::uint16_t code = 0;
};
using out_channel = asio::experimental::channel<void(error_code, ws_out)>;

}  // namespace

struct test_front::impl {
  front_kind kind;
  std::uint16_t upstream;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::optional<ssl::context> ctx;
  tcp::acceptor tcp_acceptor{io};
  unix_socket::acceptor unix_acceptor{io};
  std::filesystem::path socket_path;
  std::uint16_t port = 0;
  std::atomic<bool> die{false};
  std::atomic<std::uint16_t> close_code{0};
  std::atomic<std::size_t> notifies{0};
  std::vector<std::weak_ptr<out_channel>> ws_clients;  // the front's thread only
  std::thread thread;

  impl(front_kind k, std::uint16_t up) : kind(k), upstream(up) {}

  template <class F>
  void run_here(F f) {
    std::packaged_task<void()> task(std::move(f));
    auto done = task.get_future();
    asio::post(io, [&task] { task(); });
    done.get();
  }

  asio::awaitable<bool> connect_upstream(tcp::socket& up) {
    auto [ec] =
        co_await up.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), upstream), token);
    co_return !ec;
  }

  // A byte stream (TLS or a Unix socket): relay until the line server closes, passing on the
  // client's end of sending as the line server's.
  template <class Stream>
  asio::awaitable<void> relay_bytes(Stream& client, tcp::socket& up) {
    auto first = co_await (pump(client, up) || pump(up, client));
    if (first.index() == 0) {
      if (std::get<0>(first) == asio::error::eof && kind == front_kind::tls) ++notifies;
      error_code ignored;
      up.shutdown(tcp::socket::shutdown_send, ignored);
      co_await pump(up, client);
    }
  }

  asio::awaitable<void> tls_client(tcp::socket socket, tcp::socket up) {
    ssl::stream<tcp::socket> s(std::move(socket), *ctx);
    if (auto [ec] = co_await s.async_handshake(ssl::stream_base::server, token); ec) co_return;
    co_await relay_bytes(s, up);
    // The line server closed: a close_notify, not waiting long for the client's.
    asio::steady_timer timer(io, std::chrono::seconds(2));
    co_await (s.async_shutdown(token) || timer.async_wait(token));
  }

  asio::awaitable<void> unix_client(unix_socket::socket client) {
    tcp::socket up(io);
    if (!co_await connect_upstream(up)) co_return;  // the line server is down: so is the front
    co_await relay_bytes(client, up);
    error_code ignored;
    client.shutdown(unix_socket::socket::shutdown_send, ignored);
  }

  template <class WS>
  asio::awaitable<void> ws_reader(WS& ws, tcp::socket& up) {
    boost::beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await ws.async_read(buf, token);
      if (ec) {
        if (ec == websocket::error::closed) close_code = ws.reason().code;
        co_return;
      }
      std::string line = boost::beast::buffers_to_string(buf.data()) + "\n";
      buf.clear();
      if (auto [wec, m] = co_await asio::async_write(up, asio::buffer(line), token); wec) co_return;
    }
  }

  asio::awaitable<void> up_reader(tcp::socket& up, out_channel& out) {
    std::string in;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(up, asio::dynamic_buffer(in), '\n', token);
      if (ec) break;
      ws_out m{ws_out::what::text, in.substr(0, n - 1), 0};
      in.erase(0, n);
      if (auto [sec] = co_await out.async_send(error_code{}, std::move(m), token); sec) co_return;
    }
    // The line server closed: a close frame, then wait to be cancelled as the writer ends.
    ws_out bye{ws_out::what::close, {}, 1000};
    co_await out.async_send(error_code{}, std::move(bye), token);
    asio::steady_timer never(io, std::chrono::hours(1));
    co_await never.async_wait(token);
  }

  template <class WS>
  asio::awaitable<void> ws_writer(WS& ws, out_channel& out) {
    for (;;) {
      auto [ec, m] = co_await out.async_receive(token);
      if (ec) co_return;
      if (m.kind == ws_out::what::close) {
        websocket::close_reason why(m.code);
        why.reason = m.data;
        co_await ws.async_close(why, token);
        co_return;
      }
      ws.text(m.kind == ws_out::what::text);
      if (auto [wec, n] = co_await ws.async_write(asio::buffer(m.data), token); wec) co_return;
    }
  }

  template <class WS>
  asio::awaitable<void> ws_session(WS& ws, tcp::socket& up) {
    // A client counts before the upgrade's answer: once it is online, what the test sends to the
    // clients reaches it (it waits in the channel until the writer starts).
    auto out = std::make_shared<out_channel>(io, 64);
    ws_clients.push_back(out);
    if (auto [ec] = co_await ws.async_accept(token); ec) co_return;
    co_await (ws_reader(ws, up) || up_reader(up, *out) || ws_writer(ws, *out));
  }

  asio::awaitable<void> ws_client(tcp::socket socket, tcp::socket up) {
    websocket::stream<tcp::socket> ws(std::move(socket));
    co_await ws_session(ws, up);
  }

  asio::awaitable<void> wss_client(tcp::socket socket, tcp::socket up) {
    websocket::stream<ssl::stream<tcp::socket>> ws(std::move(socket), *ctx);
    if (auto [ec] = co_await ws.next_layer().async_handshake(ssl::stream_base::server, token); ec) co_return;
    co_await ws_session(ws, up);
  }

  // The line server first: while it is down, a client is closed before its handshake, so that
  // nothing it writes can be taken and lost.
  asio::awaitable<void> tcp_client(tcp::socket socket) {
    tcp::socket up(io);
    if (!co_await connect_upstream(up)) co_return;
    switch (kind) {
      case front_kind::tls: co_await tls_client(std::move(socket), std::move(up)); break;
      case front_kind::ws: co_await ws_client(std::move(socket), std::move(up)); break;
      case front_kind::wss: co_await wss_client(std::move(socket), std::move(up)); break;
      case front_kind::unix_socket: break;
    }
  }

  asio::awaitable<void> accept_tcp() {
    for (;;) {
      auto [ec, socket] = co_await tcp_acceptor.async_accept(token);
      if (ec) co_return;
      if (die) continue;  // the socket closes here, in the middle of the client's handshake
      asio::co_spawn(io, tcp_client(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> accept_unix() {
    for (;;) {
      auto [ec, socket] = co_await unix_acceptor.async_accept(token);
      if (ec) co_return;
      if (die) continue;
      asio::co_spawn(io, unix_client(std::move(socket)), asio::detached);
    }
  }

  void to_ws_clients(const ws_out& m) {
    std::erase_if(ws_clients, [](const auto& w) { return w.expired(); });
    for (const auto& w : ws_clients) {
      if (auto c = w.lock()) c->try_send(error_code{}, m);
    }
  }
};

test_front::test_front(front_kind kind, std::uint16_t upstream, const test_certs* certs,
                       std::filesystem::path socket_path)
    : impl_(std::make_unique<impl>(kind, upstream)) {
  impl& i = *impl_;
  if (kind == front_kind::tls || kind == front_kind::wss) {
    i.ctx.emplace(ssl::context::tls_server);
    i.ctx->use_certificate_chain(asio::buffer(certs->cert_pem));
    i.ctx->use_private_key(asio::buffer(certs->key_pem), ssl::context::pem);
  }
  if (kind == front_kind::unix_socket) {
    i.socket_path = std::move(socket_path);
    const unix_socket::endpoint ep(i.socket_path.string());
    i.unix_acceptor.open(ep.protocol());
    i.unix_acceptor.bind(ep);
    i.unix_acceptor.listen();
    asio::co_spawn(i.io, i.accept_unix(), asio::detached);
  } else {
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), 0);
    i.tcp_acceptor.open(ep.protocol());
    i.tcp_acceptor.bind(ep);
    i.tcp_acceptor.listen();
    i.port = i.tcp_acceptor.local_endpoint().port();
    asio::co_spawn(i.io, i.accept_tcp(), asio::detached);
  }
  i.thread = std::thread([&i] { i.io.run(); });
}

test_front::~test_front() {
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
  std::error_code ignored;
  if (!impl_->socket_path.empty()) std::filesystem::remove(impl_->socket_path, ignored);
}

std::string test_front::address() const {
  const std::string hp = "127.0.0.1:" + std::to_string(impl_->port);
  switch (impl_->kind) {
    case front_kind::tls: return "tls://" + hp;
    case front_kind::ws: return "ws://" + hp + "/chat";
    case front_kind::wss: return "wss://" + hp + "/chat";
    case front_kind::unix_socket: return "unix:" + impl_->socket_path.string();
  }
  return {};
}

std::uint16_t test_front::port() const { return impl_->port; }

void test_front::send_binary(std::string bytes) {
  impl_->run_here([&] { impl_->to_ws_clients(ws_out{ws_out::what::binary, std::move(bytes), 0}); });
}

void test_front::send_text(std::string text) {
  impl_->run_here([&] { impl_->to_ws_clients(ws_out{ws_out::what::text, std::move(text), 0}); });
}

void test_front::send_close(std::uint16_t code, std::string reason) {
  impl_->run_here([&] { impl_->to_ws_clients(ws_out{ws_out::what::close, std::move(reason), code}); });
}

void test_front::die_in_handshake(bool die) { impl_->die = die; }

std::uint16_t test_front::last_close_code() const { return impl_->close_code; }

std::size_t test_front::close_notifies() const { return impl_->notifies; }

}  // namespace echochat::testing
