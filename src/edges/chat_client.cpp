// The chat client's coroutines: connect, then a reader and a writer side by side; on a drop,
// say so and retry with doubling, jittered delays.
#include "echochat/edges/chat_client.hpp"

#include "echochat/core/sanitize.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <string>
#include <variant>

namespace echochat {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using boost::system::error_code;

namespace {

asio::awaitable<void> say(event_channel& events, std::string text) {
  // The texts carry the resolver's and the system's error strings: shown only once sanitized.
  event ev = sys_event{is_safe_text(text) ? std::move(text) : sanitize(text)};
  co_await send_event(events, std::move(ev));
}

asio::awaitable<void> set_state(event_channel& events, net_state state, std::int64_t retry_ms = 0,
                                std::string detail = {}, bool unverified = false, bool unanswered = false) {
  event ev = net_state_event{state, retry_ms, std::move(detail), unverified, unanswered};
  co_await send_event(events, std::move(ev));
}

// "10 s", "0.25 s": a timeout as the user gave it.
std::string seconds_text(std::chrono::milliseconds ms) {
  std::string text = std::to_string(ms.count() / 1000);
  if (const auto frac = ms.count() % 1000; frac != 0) {
    std::string digits = std::to_string(1000 + frac).substr(1);
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text + " s";
}

// The connection's own words for the error if it has some (a TLS verify error, a close frame).
std::string describe(const line_connection& c, const error_code& ec) {
  if (std::string words = c.explain(ec); !words.empty()) return is_safe_text(words) ? words : sanitize(words);
  if (ec == asio::error::eof) return "closed by the server";
  return ec.message();
}

}  // namespace

chat_client::chat_client(asio::any_io_executor ex, std::string name, connection_factory connect,
                         backoff_policy policy, std::chrono::milliseconds connect_timeout)
    : ex_(ex),
      name_(std::move(name)),
      connect_(std::move(connect)),
      policy_(policy),
      connect_timeout_(connect_timeout),
      wake_(ex, 1) {}

void chat_client::send(std::vector<std::string> lines) {
  if (lines.empty()) return;
  for (auto& l : lines) outbox_.push(std::move(l));
  wake_.try_send(error_code{});
}

void chat_client::end_input(bool replies_expected) {
  if (std::exchange(input_ended_, true)) return;
  replies_expected_ = replies_expected;
  wake_.try_send(error_code{});
}

asio::awaitable<error_code> chat_client::read_lines(line_connection& c, event_channel& events) {
  // Every line of a read goes out as one event, so the printer draws one frame for the lot.
  std::vector<framed_line> lines;
  for (;;) {
    if (may_read_ != nullptr && !co_await may_read_->wait()) co_return asio::error::operation_aborted;
    const error_code ec = co_await c.read_lines(lines);
    if (!lines.empty()) {
      net_lines_event batch;
      batch.received = std::chrono::steady_clock::now();
      last_heard_ = batch.received;
      batch.lines.reserve(lines.size());
      for (auto& l : lines) {
        batch.lines.push_back(net_line{is_safe_text(l.text) ? std::move(l.text) : sanitize(l.text), l.cut});
      }
      lines.clear();
      event ev = std::move(batch);
      co_await send_event(events, std::move(ev));
    }
    if (ec) co_return ec;
  }
}

asio::awaitable<error_code> chat_client::write_lines(line_connection& c, event_channel& events) {
  // Oldest first; a line leaves the outbox only once its write completed. After the end of input,
  // with the outbox empty, the replies are waited for.
  for (;;) {
    if (const std::string* front = outbox_.front()) {
      // Said before the write starts, so it comes before any echo of the line; try_send does not
      // suspend, so the time is the write's own (a full channel is waited for, as ever).
      event writing = net_writing_event{std::chrono::steady_clock::now()};
      if (!events.try_send(error_code{}, writing)) co_await send_event(events, std::move(writing));
      if (const error_code ec = co_await c.write_line(*front)) co_return ec;
      last_written_ = std::chrono::steady_clock::now();
      written_sizes_.push_back(c.wire_bytes(front->size()));
      written_.push_back(*front);
      if (written_.size() > kept_written_lines) {
        written_.pop_front();
        written_sizes_.pop_front();
      }
      outbox_.pop_sent();
      event sent = net_sent_event{};  // the status bar's count goes down
      co_await send_event(events, std::move(sent));
      continue;
    }
    if (input_ended_) co_return co_await linger(c);
    auto [ec] = co_await wake_.async_receive();
    if (ec) co_return ec;
  }
}

std::optional<std::chrono::milliseconds> chat_client::linger_bound(bool peer_told) const {
  // A peer that was told we are done closes when it has said everything: wait for that, unless
  // --linger bounds it. One that could not be told gets the silence to say it in.
  if (peer_told) return linger_;
  if (!replies_expected_) return std::chrono::milliseconds{0};
  return linger_.value_or(default_linger);
}

asio::awaitable<error_code> chat_client::linger(line_connection& c) {
  const bool told = co_await c.shutdown_send();
  shut_ = true;
  const std::optional<std::chrono::milliseconds> bound = linger_bound(told);
  if (!bound) {
    // Until the server closes (the reader ends it) or run() is cancelled.
    for (;;) {
      if (auto [ec] = co_await wake_.async_receive(); ec) co_return ec;
    }
  }
  // The silence counts from the later of the end of sending and the last line heard: each reply
  // starts it again. The reader moves last_heard_; the timer is set anew from it until it holds.
  const auto shut_at = std::chrono::steady_clock::now();
  steady_timer timer(ex_);
  for (;;) {
    const auto until = std::max(shut_at, last_heard_) + *bound;
    if (std::chrono::steady_clock::now() >= until) break;
    timer.expires_at(until);
    if (auto [ec] = co_await timer.async_wait(); ec) co_return ec;
  }
  lingered_ = bound;
  unanswered_ = replies_expected_ && last_heard_ < last_written_;
  co_return asio::error::timed_out;
}

asio::awaitable<void> chat_client::stop_lingering(line_connection& c, event_channel& events) {
  // The close frame (or close_notify) goes out now, and the server's answer is awaited, bounded.
  steady_timer timer(ex_);
  timer.expires_after(close_wait);
  co_await (c.close() || timer.async_wait());
  std::string said;
  if (unanswered_) {
    said = "no reply from " + name_ + " to the last line within " + seconds_text(*lingered_) +
           " (--linger); closed the connection";
  } else if (replies_expected_) {
    said = "closed the connection to " + name_ + ": nothing more came for " + seconds_text(*lingered_);
  } else {
    said = "closed the connection to " + name_;
  }
  co_await say(events, std::move(said));
}

asio::awaitable<error_code> chat_client::greet(line_connection& c, event_channel& events) {
  for (const std::string& line : greeting_) {
    if (const error_code ec = co_await c.write_line(line)) co_return ec;
    event greeted = net_greeting_event{line};  // shown as typed: nothing goes out unseen
    co_await send_event(events, std::move(greeted));
  }
  co_return error_code{};
}

asio::awaitable<error_code> chat_client::connect_within(line_connection& c) {
  // A watchdog beside connect(): when the time is up it stops the attempt where it is (a server
  // that accepts and never answers the handshake, a SYN that no one answers) and remembers where.
  std::string stage;
  steady_timer timer(ex_);
  timer.expires_after(connect_timeout_);
  auto watchdog = [&]() -> asio::awaitable<void> {
    auto [ec] = co_await timer.async_wait();
    // Its wait may have completed just as connect() did, before the cancellation reached it.
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (ec || cs.cancelled() != asio::cancellation_type::none) co_return;
    stage = std::string{c.connect_stage()};
    c.abort();  // connect() returns soon with an error; `||` waits for it
  };
  const auto result = co_await (c.connect() || watchdog());
  const error_code* ec = std::get_if<0>(&result);
  if (!stage.empty()) {
    last_failure_ = "timed out after " + seconds_text(connect_timeout_) + " " + stage;
    co_return asio::error::timed_out;
  }
  if (ec == nullptr) co_return asio::error::operation_aborted;  // cancelled from outside: quitting
  if (*ec) last_failure_ = describe(c, *ec);
  co_return *ec;
}

asio::awaitable<void> chat_client::report_unacknowledged(line_connection& c, event_channel& events) {
  const std::size_t n = unacknowledged_lines(written_sizes_, c.unacknowledged());
  if (n == 0) co_return;
  std::vector<std::string> lines(written_.end() - static_cast<std::ptrdiff_t>(n), written_.end());
  event marked = net_unacked_event{n, resend_unacked_};
  co_await send_event(events, std::move(marked));
  std::string said = std::to_string(n) + (n == 1 ? " line was" : " lines were") +
                     " not acknowledged by the server and may not have arrived" +
                     (resend_unacked_ ? "; sending again (--resend-unacked)" : "") + ":";
  co_await say(events, std::move(said));
  constexpr std::size_t listed = 20;
  for (std::size_t i = 0; i < std::min(n, listed); ++i) {
    std::string line = "  not acknowledged: " + (is_safe_text(lines[i]) ? lines[i] : sanitize(lines[i]));
    co_await say(events, std::move(line));
  }
  if (n > listed) {
    std::string more = "  and " + std::to_string(n - listed) + " more";
    co_await say(events, std::move(more));
  }
  if (resend_unacked_) {
    outbox_.push_front(std::move(lines));
    wake_.try_send(error_code{});
  }
}

asio::awaitable<bool> chat_client::wait_to_retry(event_channel& events) {
  // Counts the retry down on the status bar, once a second; false when cancelled.
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  delay_ = next_backoff(delay_, policy_);
  const auto deadline = std::chrono::steady_clock::now() + jittered(delay_, jitter(rng_));
  steady_timer timer(ex_);
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) co_return true;
    co_await set_state(events, net_state::offline, left.count(), last_failure_, unverified_);
    timer.expires_after(left.count() % 1000 == 0 ? std::chrono::milliseconds(1000) : left % 1000);
    if (auto [ec] = co_await timer.async_wait(); ec) co_return false;
  }
}

asio::awaitable<void> chat_client::run(event_channel& events) {
  for (;;) {
    // Kept in a member, not here: once run() is cancelled, close() still says goodbye through it.
    current_ = connect_(ex_);
    line_connection& connection = *current_;
    unverified_ = connection.facts().unverified;
    co_await set_state(events, net_state::connecting, 0, {}, unverified_);
    // Each text is a named variable: see send_event() on GCC 12 and temporaries in co_await.
    if (const error_code ec = co_await connect_within(connection)) {
      std::string failed = "cannot connect to " + name_ + ": " + last_failure_;
      co_await say(events, std::move(failed));
    } else {
      const auto connected_at = std::chrono::steady_clock::now();
      connection_facts facts = connection.facts();
      co_await set_state(events, net_state::online, 0, facts.protocol, facts.unverified);
      std::string connected = "connected to " + name_;
      if (!facts.protocol.empty()) connected += " (" + facts.protocol + ")";
      co_await say(events, std::move(connected));
      for (auto& note : facts.notes) {
        if (!is_safe_text(note)) note = sanitize(note);  // a certificate's names are the peer's text
        co_await say(events, std::move(note));
      }
      error_code why = co_await greet(connection, events);
      if (!why) {
        auto ended = co_await (read_lines(connection, events) || write_lines(connection, events));
        why = std::visit([](error_code e) { return e; }, ended);
      }
      if (lingered_) {
        co_await stop_lingering(connection, events);
      } else if (shut_ && why == asio::error::eof) {
        // We said we were done and the server closed after its last reply: the expected end.
        co_await say(events, name_ + " closed the connection");
      } else {
        last_failure_ = describe(connection, why);
        std::string lost = "connection to " + name_ + " lost: " + last_failure_;
        co_await say(events, std::move(lost));
        co_await report_unacknowledged(connection, events);
      }
      written_.clear();
      written_sizes_.clear();
      // A connection dropped soon after it opened does not start the delays again, so a server
      // that accepts and then kicks or bans us is not hammered.
      delay_ = backoff_after(delay_,
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - connected_at),
                             policy_);
    }
    current_.reset();
    if (input_ended_) {
      // Plain mode after the end of input: nothing more will be typed, so no reconnecting.
      co_await set_state(events, net_state::closed, 0, {}, false, unanswered_);
      co_return;
    }
    if (!co_await wait_to_retry(events)) co_return;
  }
}

}  // namespace echochat

namespace echochat {

asio::awaitable<void> chat_client::close(std::chrono::milliseconds bound) {
  if (!current_) co_return;
  steady_timer timer(ex_);
  timer.expires_after(bound);
  co_await (current_->close() || timer.async_wait());
  current_.reset();
}

}  // namespace echochat
