// Load mode's wiring: a coroutine per connection (connect, then a reader and a writer), one
// ticker for the open-loop schedule, one reporter a second, all on one io_context.
#include "echochat/app/load.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/curses_screen.hpp"
#include "echochat/edges/input_thread.hpp"
#include "echochat/edges/load_screen.hpp"
#include "echochat/edges/output_writer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

namespace echochat {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

using clock_type = std::chrono::steady_clock;
constexpr load_ns second_ns = 1'000'000'000;
// The ticker's shortest sleep: at high rates it sends what fell due meanwhile in one wake (at
// most this much later than planned, which the latency from the schedule then includes).
constexpr load_ns tick_ns = 100'000;
// A timer wakes tens of µs late: the ticker sends what falls due this soon at once, and such a
// message's latency counts from its write, not from its (later) planned time.
constexpr load_ns early_ns = 300'000;

// One connection of the load, across its reconnects.
struct slot {
  enum class state : std::uint8_t { waiting, connecting, open, failed };
  std::uint32_t id = 0;
  state st = state::waiting;
  std::unique_ptr<line_connection> conn;
  load_matcher matcher;
  std::deque<bool> behind;         // per message not yet written: queued behind a write the socket held up
  load_ns writing_since = -1;      // when the write under way began; -1: none
  std::string message;             // the message being written (its memory reused)
  std::optional<async_flag> wake;  // the writer's: a message is queued, or the connection ends
  bool closing = false;
  std::uint64_t k = 0;  // the open-loop schedule's next message
  load_ns base = -1;    // when its schedule started (its first open)
  bool ended = false;   // its schedule is over (--duration)
  slot(std::uint32_t i, std::size_t size) : id(i), matcher(i, size) {}
};

struct due_entry {
  load_ns due;
  std::uint32_t id;
  bool operator>(const due_entry& o) const { return due > o.due; }
};

class load_run {
 public:
  load_run(asio::io_context& io, const options& opts, connection_factory connector)
      : io_(io),
        opts_(opts),
        set_(*opts.load),
        connector_(std::move(connector)),
        meter_(static_cast<load_ns>(set_.warmup * 1e9)),
        ticker_(io),
        start_(clock_type::now()) {
    status_.target = to_string(*opts.connect);
    status_.settings = set_;
    slots_.reserve(set_.connections);
    for (std::uint32_t i = 0; i < set_.connections; ++i) {
      slots_.push_back(std::make_unique<slot>(i, set_.size));
      slots_.back()->wake.emplace(io.get_executor(), false);
    }
    if (set_.duration) send_span_ = static_cast<load_ns>((set_.warmup + *set_.duration) * 1e9);
  }

  load_ns now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - start_).count();
  }

  void start() {
    for (auto& s : slots_) asio::co_spawn(io_, run_slot(*s), asio::detached);
    if (set_.rate) asio::co_spawn(io_, tick(), asio::detached);
  }

  // Ends sending: q, Ctrl-C, a signal (`at_once`: without waiting for the echoes in flight), or
  // the schedule's end.
  void stop_sending(bool at_once) {
    if (!sending_ && !at_once) return;
    if (sending_) stopped_at_ = now();
    sending_ = false;
    status_.stopping = true;
    ticker_.cancel();
    if (at_once) finish();
  }

  bool done() const { return done_; }
  load_meter& meter() { return meter_; }
  load_status& status() {
    status_.elapsed = static_cast<double>(std::min(now(), end_at_ < 0 ? now() : end_at_)) / 1e9;
    status_.warming = now() < static_cast<load_ns>(set_.warmup * 1e9);
    status_.open = status_.connecting = status_.failed = 0;
    for (const auto& s : slots_) {
      if (s->st == slot::state::open) ++status_.open;
      if (s->st == slot::state::connecting) ++status_.connecting;
      if (s->st == slot::state::failed) ++status_.failed;
    }
    status_.opened = opened_;
    status_.started = first_base_ < 0 ? 0 : static_cast<double>(first_base_) / 1e9;
    return status_;
  }
  std::uint64_t abandoned() const { return abandoned_; }

  // Once a second: messages past their timeout are lost; the run ends when the schedule is over
  // and nothing is in flight (or the last echoes' time is up).
  void each_second() {
    const load_ns t = now();
    const auto timeout = static_cast<load_ns>(set_.timeout * 1e9);
    std::vector<load_ns> planned;
    for (auto& s : slots_) {
      planned.clear();
      s->matcher.expire(t - timeout, planned);
      for (const load_ns p : planned) meter_.lost(p);
      // Closed loop: a connection whose message was lost sends the next one.
      if (!set_.rate && s->st == slot::state::open && s->matcher.in_flight() == 0 && may_send(*s, t)) {
        enqueue(*s, t);
      }
    }
    // A connection that never opened has no schedule to finish: a second's grace, then the end.
    if (sending_ && send_span_ >= 0 && t >= send_span_ + latest_base_ + second_ns) stop_sending(false);
    if (!sending_ && !done_) {
      std::size_t flying = 0;
      for (const auto& s : slots_) flying += s->matcher.in_flight();
      if (flying == 0 || t - stopped_at_ >= timeout) finish();
    }
  }

 private:
  // Every connection is closed; messages still in flight are lost (at the schedule's end, past
  // their time) or, stopped early, abandoned: not counted.
  void finish() {
    if (done_) return;
    done_ = true;
    end_at_ = sending_ ? now() : stopped_at_;
    std::vector<load_ns> planned;
    for (auto& s : slots_) {
      planned.clear();
      abandoned_ += s->matcher.drop(planned);
      s->closing = true;
      if (s->conn) s->conn->abort();
      s->wake->set();
    }
    ticker_.cancel();
  }

  // Whether a message planned at `planned` goes out: not after the schedule's end (open loop: each
  // connection sends for --duration from its own first open; closed loop: the run's clock), nor
  // past --count.
  bool may_send(slot& s, load_ns planned) {
    if (!sending_) return false;
    if (send_span_ >= 0 && planned >= (set_.rate ? s.base : 0) + send_span_) {
      if (!set_.rate) {
        stop_sending(false);
      } else if (!s.ended) {
        s.ended = true;
        if (++ended_slots_ == slots_.size()) stop_sending(false);
      }
      return false;
    }
    if (set_.count != 0 && meter_.counted(planned)) {
      if (counted_planned_ >= set_.count) {
        stop_sending(false);  // the last one is out: now the echoes
        return false;
      }
      ++counted_planned_;
    }
    return true;
  }

  void enqueue(slot& s, load_ns planned) {
    // A write that has waited a millisecond is one the socket does not take: the server (or the
    // network) is not draining it. A queue without such a write is echochat's own slowness.
    // (Asked only then: a write can also wait that long for a busy io_context, and the kernel's
    // count of bytes not yet acknowledged tells the two apart.)
    s.behind.push_back(s.writing_since >= 0 && now() - s.writing_since >= 1'000'000 &&
                       s.conn->unacknowledged() >= 32 * 1024);
    s.matcher.send(planned);
    s.wake->set();
  }

  // The schedule: each open connection's next message on a heap by due time.
  asio::awaitable<void> tick() {
    while (sending_) {
      load_ns t = now();
      while (!due_.empty() && due_.top().due <= t + early_ns) {
        const due_entry e = due_.top();
        due_.pop();
        slot& s = *slots_[e.id];
        if (s.st != slot::state::open) continue;  // pushed again when it opens
        if (!may_send(s, e.due)) {
          if (!sending_) break;
          continue;  // this connection's schedule is over
        }
        enqueue(s, e.due);
        ++s.k;
        due_.push({s.base + load_due(*set_.rate, set_.connections, s.id, s.k), s.id});
      }
      if (!sending_) break;
      t = now();
      const load_ns next = due_.empty() ? t + second_ns : std::max(due_.top().due - early_ns, t + tick_ns);
      ticker_due_ = next;
      ticker_.expires_after(std::chrono::nanoseconds{next - t});
      co_await ticker_.async_wait();
    }
  }

  // An opened connection joins the schedule where it stands: the messages it would have sent
  // while it was down are counted as not sent.
  void join_schedule(slot& s) {
    const load_ns t = now();
    if (s.base < 0) {
      s.base = t;
      if (first_base_ < 0) first_base_ = t;
      latest_base_ = std::max(latest_base_, t);
    } else if (set_.rate) {
      const load_ns end = send_span_ >= 0 ? s.base + send_span_ : std::numeric_limits<load_ns>::max();
      while (s.base + load_due(*set_.rate, set_.connections, s.id, s.k) < std::min(t, end)) {
        meter_.not_sent(s.base + load_due(*set_.rate, set_.connections, s.id, s.k));
        ++s.k;
      }
    }
    if (set_.rate) {
      const load_ns due = s.base + load_due(*set_.rate, set_.connections, s.id, s.k);
      if (!may_send(s, due)) return;
      // may_send() counted it for --count: the ticker counts it again when it falls due.
      if (set_.count != 0 && meter_.counted(due)) --counted_planned_;
      due_.push({due, s.id});
      if (due < ticker_due_) ticker_.cancel();
    } else if (may_send(s, t)) {
      enqueue(s, t);  // closed loop: the first message at once
    }
  }

  // --connect-rate: the next connection may start at this time.
  asio::awaitable<void> connect_permit() {
    if (!set_.connect_rate) co_return;
    const load_ns t = now();
    const load_ns at = std::max(t, next_connect_);
    next_connect_ = at + static_cast<load_ns>(1e9 / *set_.connect_rate);
    if (at <= t) co_return;
    steady_timer timer(io_);
    timer.expires_after(std::chrono::nanoseconds{at - t});
    co_await timer.async_wait();
  }

  asio::awaitable<error_code> connect_within(line_connection& c, std::string& failure) {
    steady_timer timer(io_);
    timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(opts_.connect_timeout_seconds)));
    std::string stage;
    auto watchdog = [&]() -> asio::awaitable<void> {
      auto [ec] = co_await timer.async_wait();
      const auto cs = co_await asio::this_coro::cancellation_state;
      if (ec || cs.cancelled() != asio::cancellation_type::none) co_return;
      stage = std::string{c.connect_stage()};
      c.abort();
    };
    using namespace asio::experimental::awaitable_operators;
    const auto result = co_await (c.connect() || watchdog());
    if (!stage.empty()) {
      failure = "connect: timed out " + stage;
      co_return asio::error::timed_out;
    }
    const error_code* ec = std::get_if<0>(&result);
    if (ec == nullptr) co_return asio::error::operation_aborted;
    if (*ec) {
      const std::string why = c.explain(*ec);
      failure = "connect: " + (why.empty() ? ec->message() : why);
    }
    co_return *ec;
  }

  asio::awaitable<void> run_slot(slot& s) {
    std::chrono::milliseconds backoff{100};
    while (!done_) {
      co_await connect_permit();
      if (done_) break;
      s.st = slot::state::connecting;
      s.conn = connector_(io_.get_executor());
      const load_ns began = now();
      std::string failure;
      const error_code ec = co_await connect_within(*s.conn, failure);
      if (done_) break;
      if (ec) {
        s.st = slot::state::failed;
        meter_.error(failure);
        steady_timer timer(io_);
        timer.expires_after(backoff);
        co_await timer.async_wait();
        backoff = std::min(backoff * 2, std::chrono::milliseconds{5000});
        continue;
      }
      backoff = std::chrono::milliseconds{100};
      meter_.connected(now() - began);
      ++opened_;
      s.st = slot::state::open;
      s.closing = false;
      join_schedule(s);
      using namespace asio::experimental::awaitable_operators;
      const auto [read_ended, write_ended] = co_await (read_echoes(s) && write_messages(s));
      const error_code ended = write_ended ? write_ended : read_ended;
      s.st = slot::state::waiting;
      std::vector<load_ns> planned;
      const std::uint64_t dropped = s.matcher.drop(planned);
      s.behind.clear();
      if (done_) {
        abandoned_ += dropped;
        break;
      }
      for (const load_ns p : planned) meter_.lost(p);
      meter_.error(ended == asio::error::eof ? std::string{"closed by the server"} : [&] {
        const std::string why = s.conn->explain(ended);
        return "connection lost: " + (why.empty() ? ended.message() : why);
      }());
      s.conn.reset();
      steady_timer timer(io_);
      timer.expires_after(backoff);
      co_await timer.async_wait();
    }
    s.st = slot::state::waiting;
  }

  // Returns what ended the connection.
  asio::awaitable<error_code> read_echoes(slot& s) {
    std::vector<framed_line> lines;
    error_code ec;
    while (!ec) {
      lines.clear();
      ec = co_await s.conn->read_lines(lines);
      const load_ns t = now();
      for (const framed_line& l : lines) {
        meter_.echoed(s.matcher.echo(l.text), t);
        if (!set_.rate && may_send(s, t)) enqueue(s, t);  // closed loop: the next one at once
      }
    }
    s.closing = true;
    s.wake->set();
    co_return ec;
  }

  asio::awaitable<error_code> write_messages(slot& s) {
    for (;;) {
      while (!s.closing && s.matcher.unwritten() == 0) {
        s.wake->clear();
        co_await s.wake->wait();
      }
      if (s.closing) co_return error_code{};
      const auto [seq, planned] = s.matcher.next_unwritten();
      write_load_message(s.message, s.id, seq, set_.size);
      const load_ns t = now();
      const bool behind = !s.behind.empty() && s.behind.front();
      if (!s.behind.empty()) s.behind.pop_front();
      s.matcher.written(t);
      meter_.written(planned, t, behind);
      s.writing_since = t;
      const error_code ec = co_await s.conn->write_line(s.message);
      s.writing_since = -1;
      if (ec) {
        s.conn->abort();  // the reader ends with the connection
        co_return ec;
      }
    }
  }

  asio::io_context& io_;
  const options& opts_;
  load_settings set_;
  connection_factory connector_;
  load_meter meter_;
  load_status status_;
  std::vector<std::unique_ptr<slot>> slots_;
  std::priority_queue<due_entry, std::vector<due_entry>, std::greater<>> due_;
  steady_timer ticker_;
  load_ns ticker_due_ = 0;
  clock_type::time_point start_;
  bool sending_ = true;
  bool done_ = false;
  load_ns send_span_ = -1;   // --warmup + --duration, in ns; -1: no end in time
  load_ns latest_base_ = 0;  // the last first-open of a connection
  load_ns first_base_ = -1;  // the first
  std::size_t ended_slots_ = 0;
  load_ns stopped_at_ = 0;
  load_ns end_at_ = -1;
  load_ns next_connect_ = 0;
  std::uint64_t counted_planned_ = 0;
  std::uint64_t opened_ = 0;
  std::uint64_t abandoned_ = 0;
};

// Descriptors: one a connection and a few of our own. Raises the soft limit as far as needed, or
// says why it cannot.
std::optional<std::string> raise_descriptor_limit(std::uint32_t connections) {
  const rlim_t need = static_cast<rlim_t>(connections) + 64;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= need) return std::nullopt;
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < need) {
    return "--connections " + std::to_string(connections) + " needs about " + std::to_string(need) +
           " open files, and the hard limit is " + std::to_string(lim.rlim_max) +
           " (raise it: ulimit -Hn as root, or LimitNOFILE= in a systemd unit)";
  }
  lim.rlim_cur = need;
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) return std::string{"cannot raise the open file limit"};
  return std::nullopt;
}

// A file of ours, or stdout for "-".
struct out_file {
  std::FILE* f = nullptr;
  bool own = false;
  ~out_file() {
    if (own && f != nullptr) std::fclose(f);
  }
};

bool open_out(out_file& o, const std::string& path) {
  if (path == "-") {
    o.f = stdout;
    return true;
  }
  o.f = std::fopen(path.c_str(), "w");
  o.own = o.f != nullptr;
  return o.f != nullptr;
}

double epoch_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int run_load(const options& opts, connection_factory connector) {
  const load_settings& set = *opts.load;
  if (auto why = raise_descriptor_limit(set.connections)) {
    std::fprintf(stderr, "echochat: %s\n", why->c_str());
    return 2;
  }
  out_file json, hlog;
  if (set.json && !open_out(json, *set.json)) {
    std::fprintf(stderr, "echochat: --json %s: cannot write it\n", sanitize(*set.json).c_str());
    return 2;
  }
  if (set.histogram_log && !open_out(hlog, *set.histogram_log)) {
    std::fprintf(stderr, "echochat: --histogram-log %s: cannot write it\n",
                 sanitize(*set.histogram_log).c_str());
    return 2;
  }
  // With --json -, standard output carries the JSON alone: the rest goes to stderr.
  const bool json_on_stdout = json.f == stdout;
  std::FILE* text_out = json_on_stdout ? stderr : stdout;
  const bool live =
      !opts.plain && !json_on_stdout && ::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0;

  asio::io_context io(1);
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  if (live) signals.add(SIGWINCH);
  std::optional<load_screen> screen;
  if (live) {
    try {
      screen.emplace();
    } catch (const terminal_unusable&) {
    }
  }
  std::optional<output_writer> out;
  if (!screen) out.emplace(io.get_executor(), json_on_stdout ? STDERR_FILENO : STDOUT_FILENO);

  load_run run(io, opts, std::move(connector));
  if (hlog.f != nullptr) std::fputs(hdr_log_header(epoch_now()).c_str(), hlog.f);
  int code = 0;
  const auto draw = [&] {
    if (!screen) return;
    const auto [rows, cols] = screen->size();
    screen->draw(load_view(run.status(), run.meter(), rows, cols));
  };

  // The reporter: once a second, the second's figures everywhere they go.
  double at = 0;  // the interval log's time
  auto report = [&]() -> asio::awaitable<void> {
    steady_timer timer(io);
    auto next = clock_type::now();
    while (!run.done()) {
      next += std::chrono::seconds{1};
      timer.expires_at(next);
      co_await timer.async_wait();
      run.meter().roll();
      if (hlog.f != nullptr) {
        std::fputs(hdr_log_line(at, 1.0, run.meter().last().schedule).c_str(), hlog.f);
        std::fflush(hlog.f);
      }
      at += 1.0;
      run.each_second();
      if (screen) {
        draw();
      } else {
        out->write(load_plain_line(run.status(), run.meter()));
      }
    }
    io.stop();
  };
  auto on_signals = [&]() -> asio::awaitable<void> {
    for (;;) {
      auto [ec, signo] = co_await signals.async_wait(default_token{});
      if (ec) co_return;
      if (signo == SIGWINCH) {
        draw();
        continue;
      }
      if (signo != SIGINT) code = 128 + signo;
      run.stop_sending(true);
      io.stop();
      co_return;
    }
  };
  chunk_channel chunks(io, 64);
  std::optional<input_thread> input;
  if (screen) {
    input.emplace(STDIN_FILENO, chunks);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (;;) {
            auto [ec, bytes] = co_await chunks.async_receive();
            if (ec) co_return;
            if (bytes.find_first_of("qQ\x03") != std::string::npos) {
              run.stop_sending(true);
              io.stop();
              co_return;
            }
          }
        },
        asio::detached);
  }
  asio::co_spawn(io, report(), asio::detached);
  asio::co_spawn(io, on_signals(), asio::detached);
  run.start();
  draw();
  io.run();
  chunks.close();
  input.reset();
  screen.reset();  // the terminal is ours again before the summary
  load_status& st = run.status();
  // Stopped within a second: the interval log gets that part of a second too.
  if (hlog.f != nullptr && run.meter().current().schedule.count() > 0) {
    run.meter().roll();
    std::fputs(hdr_log_line(at, std::max(0.001, st.elapsed - at), run.meter().last().schedule).c_str(),
               hlog.f);
  }
  std::string summary = load_summary(st, run.meter());
  if (run.abandoned() > 0) {
    summary += "stopped early: " + std::to_string(run.abandoned()) + " message" +
               (run.abandoned() == 1 ? " was" : "s were") + " still in flight (not counted)\n";
  }
  if (out) out->flush_now();
  out.reset();
  std::fputs(summary.c_str(), text_out);
  std::fflush(text_out);
  if (json.f != nullptr) {
    std::fputs(load_json(st, run.meter()).c_str(), json.f);
    std::fflush(json.f);
  }
  const auto& t = run.meter().total();
  if (code == 0 && (t.lost > 0 || t.differed > 0 || t.not_sent > 0)) code = 1;
  return code;
}

}  // namespace echochat
