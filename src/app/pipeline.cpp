// The pipeline's coroutines: one job each, read top to bottom.
#include "echochat/app/pipeline.hpp"

#include "echochat/core/key_decoder.hpp"
#include "echochat/core/line_framer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <optional>
#include <signal.h>
#include <tuple>

namespace echochat {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using boost::system::error_code;

namespace {

// Moves decoded keys (and the texts of pastes) into one event.
asio::awaitable<void> send_keys(event_channel& events, key_decoder& decoder, std::vector<key>& keys) {
  if (keys.empty()) co_return;
  keys_event batch;
  batch.keys = std::move(keys);
  batch.pastes = std::move(decoder.pastes());
  keys.clear();
  decoder.pastes().clear();
  event ev = std::move(batch);
  co_await send_event(events, std::move(ev));
}

// The next chunk. While an Esc waits for what may follow it, waits only `escape_timeout`: nothing
// (nullopt) means the Esc is a key of its own.
asio::awaitable<std::optional<std::tuple<error_code, std::string>>> next_chunk(
    chunk_channel& chunks, steady_timer& esc_timer, bool escape_pending,
    std::chrono::milliseconds escape_timeout) {
  if (!escape_pending) co_return co_await chunks.async_receive();
  esc_timer.expires_after(escape_timeout);
  auto got = co_await (chunks.async_receive() || esc_timer.async_wait());
  if (got.index() == 1) co_return std::nullopt;
  co_return std::get<0>(std::move(got));
}

// Decodes `chunk` and every chunk already waiting behind it, so that a burst becomes one event
// and one frame. Returns the error that ended the input, if one came.
error_code decode_waiting_chunks(chunk_channel& chunks, key_decoder& decoder, std::vector<key>& keys,
                                 error_code ec, const std::string& chunk) {
  error_code end;
  auto take = [&](error_code chunk_ec, const std::string& more) {
    if (chunk_ec) {
      end = chunk_ec;
      return;
    }
    // The keys went out with the last event: size the vector for this burst at once (about a
    // key a byte), growing geometrically when more chunks follow.
    const std::size_t wanted = keys.size() + more.size();
    if (keys.capacity() < wanted) keys.reserve(std::max(wanted, 2 * keys.capacity()));
    decoder.feed(more, keys);
  };
  take(ec, chunk);
  while (!end && chunks.try_receive(take)) {
  }
  return end;
}

// How many turns the printer gives ready reads before it draws, while server lines keep coming.
constexpr int max_gather_turns = 256;
// How many turns in a row may bring no line before the printer draws what it has.
constexpr int max_idle_turns = 4;
// How long the printer may gather lines before it draws: the screen stays live in a flood.
constexpr std::chrono::microseconds max_gather_time{2000};

bool cancelled(const error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::experimental::error::channel_cancelled ||
         ec == asio::experimental::error::channel_closed;
}

// Runs both; the first to finish, by returning or by throwing, ends the other (cancelled) and its
// outcome is the race's. Asio's `||` is not enough here: it waits for a success, so a producer
// that throws would leave the printer running for ever.
asio::awaitable<void> race(asio::awaitable<void> a, asio::awaitable<void> b) {
  auto ex = co_await asio::this_coro::executor;
  auto [order, ex_a, ex_b] =
      co_await asio::experimental::make_parallel_group(asio::co_spawn(ex, std::move(a), asio::deferred),
                                                       asio::co_spawn(ex, std::move(b), asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::deferred);
  // Only the winner's exception counts: the loser's is the cancellation itself.
  const std::exception_ptr& winner = order[0] == 0 ? ex_a : ex_b;
  if (winner) std::rethrow_exception(winner);
}

// Hands the entries finished since the last frame to the sink (the log), then draws.
void present(screen& scr, session& s, frame_builder& frames, const entry_sink& sink) {
  std::vector<entry> fresh = s.take_fresh();
  if (sink && !fresh.empty()) {
    if (auto failed = sink(fresh)) {
      // Said in the same frame as the entry that could not be logged.
      s.apply(log_failed_event{std::move(*failed)}, fresh.back().time);
      for (entry& e : s.take_fresh()) fresh.push_back(std::move(e));
    }
  }
  scr.draw(frames.build(s, fresh));
}

}  // namespace

asio::awaitable<void> reader(chunk_channel& chunks, event_channel& events,
                             std::chrono::milliseconds escape_timeout) {
  key_decoder decoder;
  std::vector<key> keys;
  steady_timer esc_timer(co_await asio::this_coro::executor);
  for (;;) {
    auto got = co_await next_chunk(chunks, esc_timer, decoder.escape_pending(), escape_timeout);
    if (!got) {
      decoder.flush(keys);  // a lone Esc
      co_await send_keys(events, decoder, keys);
      continue;
    }
    auto [ec, chunk] = std::move(*got);
    if (cancelled(ec)) co_return;
    const error_code end = decode_waiting_chunks(chunks, decoder, keys, ec, chunk);
    if (end) decoder.flush(keys);
    co_await send_keys(events, decoder, keys);
    if (end) {
      event closed = input_closed_event{};
      co_await send_event(events, std::move(closed));
      co_return;
    }
  }
}

asio::awaitable<void> line_reader(chunk_channel& chunks, event_channel& events, async_flag* may_read) {
  line_framer framer(max_data_line);
  std::vector<framed_line> lines;
  for (;;) {
    if (may_read != nullptr && !co_await may_read->wait()) co_return;
    auto [ec, chunk] = co_await chunks.async_receive();
    if (cancelled(ec)) co_return;
    // Every chunk already waiting too: one event for the burst.
    error_code end = ec;
    if (!ec) framer.feed(chunk, lines);
    while (!end && chunks.try_receive([&](error_code more_ec, const std::string& more) {
      if (more_ec) {
        end = more_ec;
      } else {
        framer.feed(more, lines);
      }
    })) {
    }
    if (end) {
      if (auto tail = framer.finish()) lines.push_back(std::move(*tail));
    }
    if (!lines.empty()) {
      input_lines_event batch;
      batch.lines.reserve(lines.size());
      for (auto& l : lines) batch.lines.push_back(std::move(l.text));
      lines.clear();
      event ev = std::move(batch);
      co_await send_event(events, std::move(ev));
    }
    if (end) {
      event closed = input_closed_event{};
      co_await send_event(events, std::move(closed));
      co_return;
    }
  }
}

asio::awaitable<void> slow_task(event_channel& events, std::chrono::nanoseconds delay, bool countdown,
                                std::function<void()> on_fire) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + delay;
  steady_timer wait(co_await asio::this_coro::executor);
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) break;
    if (countdown) {
      const auto step = countdown_step(left);
      event tick = slow_tick_event{step.seconds_left};
      co_await send_event(events, std::move(tick));
      wait.expires_after(std::chrono::milliseconds(step.wait_ms));
    } else {
      wait.expires_at(deadline);
    }
    if (auto [ec] = co_await wait.async_wait(); ec) co_return;  // cancelled: the program is ending
  }
  if (on_fire) on_fire();
  event done = slow_done_event{};
  co_await send_event(events, std::move(done));
}

asio::awaitable<void> signal_watch(asio::signal_set& signals, event_channel& events) {
  for (;;) {
    auto [ec, signo] = co_await signals.async_wait(default_token{});
    if (ec) co_return;
    // A size change, or a continue after a stop from outside: either way, draw everything anew.
    const bool redraw = signo == SIGWINCH || signo == SIGCONT;
    event ev = redraw ? event{resize_event{}} : event{signal_event{signo}};
    co_await send_event(events, std::move(ev));
  }
}

asio::awaitable<void> wake_watch(steady_timer& wake, event_channel& events) {
  for (;;) {
    auto [ec] = co_await wake.async_wait();
    if (ec) {
      // Cancelled: by the end of the program, or because the printer set the timer again.
      const auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none) co_return;
      continue;
    }
    wake.expires_at(steady_timer::time_point::max());
    event ev = timer_event{std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
    co_await send_event(events, std::move(ev));
  }
}

namespace {

// The printer's work between two frames: it applies what the producers sent, remembering what
// kind of thing came, and keeps the wake-up timer in step with what the session asks for.
class frame_batch {
 public:
  frame_batch(session& s, screen& scr, steady_timer& wake) : s_(s), scr_(scr), wake_(wake) {}

  void start() { lines_came_ = keys_came_ = false; }
  bool lines_came() const { return lines_came_; }
  bool keys_came() const { return keys_came_; }
  void take_new_size() {
    const term_size size = scr_.resize();
    s_.resize(size.rows, size.cols);
  }

  void apply(event&& ev, std::time_t now) {
    if (std::holds_alternative<net_lines_event>(ev)) {
      lines_came_ = true;
    } else if (!std::holds_alternative<net_writing_event>(ev) &&
               !std::holds_alternative<net_sent_event>(ev)) {
      keys_came_ = true;  // or anything else the user is waiting to see
    }
    if (std::holds_alternative<resize_event>(ev)) return take_new_size();
    if (std::holds_alternative<timer_event>(ev)) wake_set_.reset();  // it fired: nothing is set now
    s_.apply(std::move(ev), now);
  }
  // Applies every event already queued.
  void drain(event_channel& events, std::time_t now) {
    while (!s_.done() && events.try_receive([&](error_code, event ev) { apply(std::move(ev), now); })) {
    }
  }
  // A wake-up at the session's next deadline, or none (idle means asleep).
  void set_wake() {
    const auto at = s_.wake_at();
    if (at == wake_set_) return;
    wake_set_ = at;
    wake_.expires_at(at.value_or(steady_timer::time_point::max()));
  }

 private:
  session& s_;
  screen& scr_;
  steady_timer& wake_;
  std::optional<std::chrono::steady_clock::time_point> wake_set_;  // what `wake_` is set to
  bool lines_came_ = false;
  bool keys_came_ = false;
};

// A WebSocket server's lines come a message each, and reading one takes a few trips through the
// io_context: before drawing, the reads whose bytes are here already get their turns, so that a
// flood is drawn a burst a frame rather than a message a frame. Only when lines came and nothing
// else (a key is drawn at once, and ends the gathering), until a few turns in a row bring none,
// for at most max_gather_turns turns and max_gather_time.
asio::awaitable<void> gather_lines(event_channel& events, frame_batch& batch, const session& s,
                                   std::time_t now) {
  if (!batch.lines_came() || batch.keys_came()) co_return;
  const auto until = std::chrono::steady_clock::now() + max_gather_time;
  auto ex = co_await asio::this_coro::executor;
  for (int turn = 0, idle = 0; turn < max_gather_turns && idle < max_idle_turns; ++turn) {
    batch.start();
    co_await asio::post(ex, asio::use_awaitable);
    batch.drain(events, now);
    if (batch.keys_came() || s.done() || std::chrono::steady_clock::now() >= until) co_return;
    idle = batch.lines_came() ? 0 : idle + 1;
  }
}

// Ctrl-Z: hand the terminal back, stop (the shell takes over), and take it again on fg.
void stop_for_shell(screen& scr, frame_batch& batch) {
  scr.suspend();
  ::kill(0, SIGSTOP);
  scr.resume();
  batch.take_new_size();
}

// After a frame: the lines sent meanwhile go to the connection, and those to keep to the history.
void hand_on(session& s, chat_client* net, const std::function<void(std::vector<std::string>)>& record) {
  if (net != nullptr) {
    net->send(s.take_outgoing());
    if (s.input_closed() && !s.terminal() && !s.sends_more()) net->end_input(s.lingers());
  }
  if (record) record(s.take_recorded());
}

}  // namespace

asio::awaitable<void> printer(event_channel& events, screen& scr, session& s, entry_sink sink,
                              chat_client* net, steady_timer& wake,
                              std::function<void(std::vector<std::string>)> record) {
  frame_builder frames(scr.entries_only());
  frame_batch batch(s, scr, wake);
  const term_size size = scr.size();
  s.resize(size.rows, size.cols);
  present(scr, s, frames, sink);  // the first frame, before any input
  for (;;) {
    auto [ec, first] = co_await events.async_receive();
    if (ec) co_return;
    const std::time_t now = std::time(nullptr);
    // Everything already queued goes into the model before one draw.
    batch.start();
    batch.apply(std::move(first), now);
    batch.drain(events, now);
    co_await gather_lines(events, batch, s, now);
    present(scr, s, frames, sink);
    if (s.take_suspend()) {
      stop_for_shell(scr, batch);
      present(scr, s, frames, sink);
    }
    hand_on(s, net, record);
    batch.set_wake();
    if (s.done()) {
      scr.finish(frames.build(s, {}));
      co_return;
    }
  }
}

asio::awaitable<int> run_pipeline(chunk_channel& chunks, screen& scr, session& s, asio::signal_set& signals,
                                  pipeline_config config, entry_sink sink, chat_client* net) {
  event_channel events(co_await asio::this_coro::executor, 1024);
  steady_timer wake(co_await asio::this_coro::executor, steady_timer::time_point::max());
  // The printer alone decides when the program ends; ending, it cancels every producer. A
  // producer that finishes first (the reader at end of input, the slow task once it reported)
  // just ends, and the group waits for the printer. A producer that throws ends everything, and
  // the exception unwinds to run(), through the destructors that give the terminal back.
  auto input = config.input_is_data ? line_reader(chunks, events, config.may_read)
                                    : reader(chunks, events, config.escape_timeout);
  auto producers = std::move(input) &&
                   slow_task(events, config.slow_delay, config.countdown, std::move(config.on_slow_fire)) &&
                   signal_watch(signals, events) && wake_watch(wake, events);
  if (net != nullptr) {
    co_await race(printer(events, scr, s, std::move(sink), net, wake, std::move(config.record)),
                  std::move(producers) && net->run(events));
    // A polite goodbye (TLS close_notify, a WebSocket close frame), never waiting long on a dead peer.
    co_await net->close(std::chrono::milliseconds(500));
  } else {
    co_await race(printer(events, scr, s, std::move(sink), nullptr, wake), std::move(producers));
  }
  co_return s.exit_code();
}

}  // namespace echochat
