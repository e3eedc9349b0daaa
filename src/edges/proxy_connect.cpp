// The proxy handshakes on the socket: SOCKS5 (greeting, user name and password, CONNECT) and HTTP
// CONNECT, each message from the core and each answer read into words there.
#include "echochat/edges/proxy_connect.hpp"

#include "echochat/edges/channels.hpp"
#include "echochat/edges/resolve_connect.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/errc.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

namespace echochat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// An error of the socket during the handshake, in words: its end is the proxy's doing.
std::string socket_words(const error_code& ec) {
  if (ec == asio::error::eof || ec == asio::error::connection_reset) return "the proxy closed the connection";
  return "the proxy handshake failed: " + ec.message();
}

// Writes `bytes`, then reads exactly `n` bytes into `answer`.
asio::awaitable<error_code> exchange(tcp::socket& socket, std::string bytes, std::string& answer,
                                     std::size_t n) {
  if (!bytes.empty()) {
    auto [ec, written] = co_await asio::async_write(socket, asio::buffer(bytes), default_token{});
    if (ec) co_return ec;
  }
  answer.assign(n, '\0');
  auto [ec, got] = co_await asio::async_read(socket, asio::buffer(answer), default_token{});
  co_return ec;
}

asio::awaitable<error_code> socks5(tcp::socket& socket, const proxy_url& proxy, const host_port& target,
                                   std::string& words) {
  const bool have_password = proxy.user.has_value();
  std::string answer;
  std::string greeting = socks5_greeting(have_password);
  if (const error_code ec = co_await exchange(socket, std::move(greeting), answer, 2)) {
    words = socket_words(ec);
    co_return ec;
  }
  const socks5_choice choice = read_socks5_choice(answer, have_password);
  if (choice.refusal) {
    words = *choice.refusal;
    co_return proxy_refusal();
  }
  if (choice.password) {
    std::string request = socks5_password_request(*proxy.user, proxy.password);
    if (const error_code ec = co_await exchange(socket, std::move(request), answer, 2)) {
      // Some proxies (microsocks) close at once on a wrong password rather than answer it.
      words = ec == asio::error::eof || ec == asio::error::connection_reset
                  ? "the proxy refused the user name or password (it closed the connection)"
                  : socket_words(ec);
      co_return ec;
    }
    if (auto why = read_socks5_password_answer(answer)) {
      words = *why;
      co_return proxy_refusal();
    }
  }
  std::uint16_t port = 0;
  std::from_chars(target.port.data(), target.port.data() + target.port.size(), port);
  auto request = socks5_connect_request(target.host, port);
  if (!request) {
    words = "the host name is too long for SOCKS5 (255 bytes at most)";
    co_return proxy_refusal();
  }
  if (const error_code ec = co_await exchange(socket, std::move(*request), answer, 5)) {
    words = socket_words(ec);
    co_return ec;
  }
  const auto reply = read_socks5_reply(answer);
  if (const auto* why = std::get_if<std::string>(&reply)) {
    words = *why;
    co_return proxy_refusal();
  }
  // The rest of the bound address and port: read and dropped.
  std::string nothing;
  if (const error_code ec =
          co_await exchange(socket, std::move(nothing), answer, std::get<std::size_t>(reply))) {
    words = socket_words(ec);
    co_return ec;
  }
  co_return error_code{};
}

// The answer's head, and not a byte more: what follows is the target's (a line server's greeting,
// a TLS record), and belongs to the transport. Peeked first, then only the head's part read.
asio::awaitable<error_code> read_head(tcp::socket& socket, std::string& head, std::string& words) {
  std::array<char, 1024> buffer{};
  for (;;) {
    auto [ec, n] =
        co_await socket.async_receive(asio::buffer(buffer), asio::socket_base::message_peek, default_token{});
    if (!ec && n == 0) ec = asio::error::eof;
    if (ec) {
      words = socket_words(ec);
      co_return ec;
    }
    const std::size_t before = head.size();
    head.append(buffer.data(), n);
    const auto end = http_head_end(head);
    const std::size_t take = end ? *end - before : n;
    head.resize(before + take);
    std::tie(ec, n) = co_await asio::async_read(socket, asio::buffer(buffer.data(), take), default_token{});
    if (ec) {
      words = socket_words(ec);
      co_return ec;
    }
    if (end) co_return error_code{};
    if (head.size() > http_connect_head_max) {
      words = "the proxy's answer to CONNECT is longer than 16 KiB";
      co_return proxy_refusal();
    }
  }
}

asio::awaitable<error_code> http_connect(tcp::socket& socket, const proxy_url& proxy, const host_port& target,
                                         std::string& words) {
  const std::string request = http_connect_request(target, proxy);
  if (auto [ec, n] = co_await asio::async_write(socket, asio::buffer(request), default_token{}); ec) {
    words = socket_words(ec);
    co_return ec;
  }
  std::string head;
  if (const error_code ec = co_await read_head(socket, head, words)) co_return ec;
  if (auto why = read_http_connect_answer(head, proxy.user.has_value())) {
    words = *why;
    co_return proxy_refusal();
  }
  co_return error_code{};
}

}  // namespace

error_code proxy_refusal() {
  // A code of the system's own: the words that matter come with it (connection_base's explain).
  return boost::system::errc::make_error_code(boost::system::errc::protocol_error);
}

asio::awaitable<error_code> connect_through_proxy(tcp::resolver& resolver, tcp::socket& socket,
                                                  const proxy_settings& proxy, const host_port& target,
                                                  std::string_view& stage, std::string& words,
                                                  connect_race* race) {
  host_port tunnel_to = target;
  if (proxy.url.kind == proxy_kind::socks5) {
    // socks5://: the name is resolved here, and its first address handed to the proxy.
    stage = "resolving the host name";
    auto [ec, found] = co_await resolver.async_resolve(target.host, target.port, default_token{});
    if (ec) co_return ec;
    tunnel_to.host = found.begin()->endpoint().address().to_string();
  }
  if (const error_code ec = co_await resolve_and_connect(resolver, socket, proxy.url.endpoint, stage, race)) {
    words = "cannot reach the proxy at " + proxy_host_text(proxy.url) + ": " + ec.message();
    co_return ec;
  }
  stage = "during the proxy handshake";
  if (proxy.url.kind == proxy_kind::http)
    co_return co_await http_connect(socket, proxy.url, tunnel_to, words);
  co_return co_await socks5(socket, proxy.url, tunnel_to, words);
}

}  // namespace echochat
