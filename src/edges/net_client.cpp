// The chat connection: resolve, connect, then a reader and a writer side by side; on a drop,
// say so and retry with doubling, jittered delays.
#include "echochat/edges/net_client.hpp"

#include "echochat/core/line_framer.hpp"
#include "echochat/core/sanitize.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <random>

namespace echochat {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Says something in the transcript.
asio::awaitable<void> say(event_channel& events, std::string text) {
  event ev = sys_event{std::move(text)};
  co_await send_event(events, std::move(ev));
}

asio::awaitable<void> set_state(event_channel& events, net_state state, std::int64_t retry_ms = 0) {
  event ev = net_state_event{state, retry_ms, {}};
  co_await send_event(events, std::move(ev));
}

// Server lines into events until the connection ends; returns why it ended.
asio::awaitable<error_code> read_lines(tcp::socket& socket, event_channel& events) {
  line_framer framer;
  std::vector<framed_line> lines;
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
    if (n > 0) framer.feed(std::string_view{buffer.data(), n}, lines);
    if (ec) {
      if (auto tail = framer.finish()) lines.push_back(std::move(*tail));
    }
    for (auto& l : lines) {
      event ev = net_line_event{sanitize(l.text), l.cut};
      co_await send_event(events, std::move(ev));
    }
    lines.clear();
    if (ec) co_return ec;
  }
}

// Writes the outbox, oldest first; a line leaves it only once its write completed. After the
// input has ended (plain mode) and the outbox is empty, closes the sending side so the server
// knows we are done, and waits for it to close.
asio::awaitable<error_code> write_lines(tcp::socket& socket, session& s, event_channel& events, wake_channel& wake) {
  bool shut = false;
  for (;;) {
    if (const std::string* front = s.outgoing().front()) {
      const std::string wire = wire_format(*front);
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(wire), use_tuple);
      if (ec) co_return ec;
      s.outgoing().pop_sent();
      // The outbox shrank: the printer draws again, so the status bar's count is not stale.
      event sent = net_sent_event{};
      co_await send_event(events, std::move(sent));
      continue;
    }
    if (!shut && s.input_closed() && !s.terminal()) {
      error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      shut = true;
    }
    auto [ec] = co_await wake.async_receive(use_tuple);
    if (ec) co_return ec;
  }
}

std::string describe(const error_code& ec) {
  if (ec == asio::error::eof) return "closed by the server";
  return ec.message();
}

}  // namespace

std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous, const backoff_policy& policy) {
  if (previous.count() <= 0) return policy.first;
  return std::min(previous * 2, policy.most);
}

std::chrono::milliseconds jittered(std::chrono::milliseconds delay, double jitter) {
  jitter = std::clamp(jitter, 0.5, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) * jitter));
}

asio::awaitable<void> chat_connection(host_port target, session& s, event_channel& events, wake_channel& wake,
                                      backoff_policy policy) {
  const auto ex = co_await asio::this_coro::executor;
  const std::string name = to_string(target);
  std::minstd_rand rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  std::chrono::milliseconds delay{0};
  asio::steady_timer timer(ex);

  for (;;) {
    co_await set_state(events, net_state::connecting);
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(target.host, target.port, use_tuple);
    tcp::socket socket(ex);
    error_code ec = rec;
    if (!ec) std::tie(ec, std::ignore) = co_await asio::async_connect(socket, endpoints, use_tuple);
    if (!ec) {
      delay = std::chrono::milliseconds{0};
      socket.set_option(tcp::no_delay(true), ec);
      co_await set_state(events, net_state::online);
      std::string connected = "connected to " + name;
      co_await say(events, std::move(connected));
      auto ended = co_await (read_lines(socket, events) || write_lines(socket, s, events, wake));
      ec = std::visit([](error_code e) { return e; }, ended);
      std::string lost = "connection to " + name + " lost: " + describe(ec);
      co_await say(events, std::move(lost));
    } else {
      std::string failed = "cannot connect to " + name + ": " + ec.message();
      co_await say(events, std::move(failed));
    }
    if (s.input_closed() && !s.terminal()) {
      // Plain mode after the end of input: nothing more will be typed, so no reconnecting.
      co_await set_state(events, net_state::closed);
      co_return;
    }
    delay = next_backoff(delay, policy);
    const auto wait = jittered(delay, jitter(rng));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    // Count the retry down on the status bar, once a second.
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      co_await set_state(events, net_state::offline, left.count());
      const auto step = left.count() % 1000 == 0 ? std::chrono::milliseconds(1000) : left % 1000;
      timer.expires_after(step);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
}

}  // namespace echochat
