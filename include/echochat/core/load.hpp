// Load mode, pure: the messages (a connection number and a sequence number in each, so every
// echo is matched to its message), the open-loop schedule, each connection's messages in flight,
// and the run's figures: latency from the schedule and from the write, in histograms of fixed
// memory. The wiring (sockets, timers, the screen) is the app's.
#pragma once

#include "echochat/core/latency_histogram.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// Times in load mode: nanoseconds since the run started (steady clock).
using load_ns = std::int64_t;

struct load_settings {
  std::uint32_t connections = 1;
  std::optional<double> rate;                // messages a second over all connections; none: closed loop
  std::optional<double> duration;            // seconds, after the warm-up; none: --count, or until stopped
  std::uint64_t count = 0;                   // messages to send after the warm-up (0: no limit)
  std::size_t size = 64;                     // bytes a message (its line end not counted)
  double warmup = 0;                         // seconds measured but not counted
  std::optional<double> connect_rate;        // new connections a second; none: all at once
  double timeout = 5;                        // seconds: a message not echoed by then is lost
  std::optional<std::string> json;           // --json FILE ("-": stdout)
  std::optional<std::string> histogram_log;  // --histogram-log FILE
  friend bool operator==(const load_settings&, const load_settings&) = default;
};

// Message `seq` (from 1) of connection `conn` (from 0): "conn.seq " and filler to `size` bytes
// (longer when the numbers need it).
std::string load_message(std::uint32_t conn, std::uint64_t seq, std::size_t size);
// The same into `out` (its memory reused: no allocation a message once it is big enough).
void write_load_message(std::string& out, std::uint32_t conn, std::uint64_t seq, std::size_t size);
// The connection and sequence numbers a message starts with, if it is one.
std::optional<std::pair<std::uint32_t, std::uint64_t>> parse_load_message(std::string_view line);

// Connection `conn`'s k-th message (from 0) under the open-loop schedule: each connection gets
// rate/connections a second, starting `first` ns after it opened, the connections' messages
// spread evenly over the period.
load_ns load_due(double rate, std::uint32_t connections, std::uint32_t conn, std::uint64_t k);

// What an echo turned out to be.
struct load_echo {
  enum class kind : std::uint8_t { echoed, differed, unexpected };
  kind what = kind::unexpected;
  load_ns planned = 0;                // when the message was due (echoed, differed)
  load_ns written = 0;                // when its write was handed to the socket
  std::uint64_t lost = 0;             // messages before it that will never be echoed (a later one came first)
  std::vector<load_ns> lost_planned;  // their planned times
};

// One connection's messages in flight, oldest first. Sequence numbers go up by one with each
// message, and the oldest leaves first (echoed, lost, or expired), so a message's place is
// arithmetic.
class load_matcher {
 public:
  load_matcher(std::uint32_t conn, std::size_t size) : conn_(conn), size_(size) {}

  // A message due at `planned` is queued: its sequence number.
  std::uint64_t send(load_ns planned);
  // The oldest message not yet written was handed to the socket at `t`.
  void written(load_ns t);
  // An echo arrived: which message it was, and what was lost before it.
  load_echo echo(std::string_view line);
  // Messages due before `deadline` and still waiting: lost (their planned times appended).
  std::uint64_t expire(load_ns deadline, std::vector<load_ns>& planned);
  // The connection died: every message in flight is lost.
  std::uint64_t drop(std::vector<load_ns>& planned);
  // The oldest message not yet written: its sequence number and planned time (unwritten() > 0).
  std::pair<std::uint64_t, load_ns> next_unwritten() const {
    const flight& f = flights_[flights_.size() - unwritten_];
    return {f.seq, f.planned};
  }
  std::size_t in_flight() const { return flights_.size(); }
  std::size_t unwritten() const { return unwritten_; }
  std::uint64_t next_seq() const { return next_seq_; }

 private:
  struct flight {
    std::uint64_t seq = 0;
    load_ns planned = 0;
    load_ns written = -1;
  };
  std::uint32_t conn_;
  std::size_t size_;
  std::deque<flight> flights_;
  std::size_t unwritten_ = 0;
  std::uint64_t next_seq_ = 1;
  std::string expected_;  // the message an echo is compared with
};

// The percentiles every view shows, in µs.
struct load_percentiles {
  std::int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  static load_percentiles of(const latency_histogram& h);
};

// The run's figures. Counters count the messages planned after the warm-up; the last second's
// figures count everything.
struct load_counts {
  std::uint64_t sent = 0;        // messages written
  std::uint64_t echoed = 0;      // exact echoes
  std::uint64_t differed = 0;    // echoes that came back changed
  std::uint64_t lost = 0;        // never echoed (timed out, skipped, or the connection died)
  std::uint64_t unexpected = 0;  // lines that matched no message in flight
  std::uint64_t not_sent = 0;    // due while their connection was not open
  std::uint64_t late = 0;        // written 10 ms or more after they were due
  std::uint64_t late_full = 0;   // of those, queued behind a write the socket had not taken
};

class load_meter {
 public:
  explicit load_meter(load_ns warmup) : warmup_(warmup) {}

  bool counted(load_ns planned) const { return planned >= warmup_; }
  void written(load_ns planned, load_ns at, bool queued_behind);
  void echoed(const load_echo& e, load_ns now);
  void lost(load_ns planned, std::uint64_t n = 1);
  void unexpected() {
    ++total_.unexpected;
    ++second_.counts.unexpected;
  }
  void not_sent(load_ns planned);
  void connected(load_ns took) { connect_.record(took / 1000); }
  void error(const std::string& kind) { ++errors_[kind]; }

  // The second that just ended: its figures, kept for the live view's line, and a fresh second.
  struct second {
    load_counts counts;
    latency_histogram schedule;
    load_percentiles p;
  };
  const second& roll();
  const second& last() const { return last_; }
  const second& current() const { return second_; }
  const std::deque<std::int64_t>& p99_by_second() const { return p99s_; }

  const load_counts& total() const { return total_; }
  const latency_histogram& from_schedule() const { return schedule_; }
  const latency_histogram& from_write() const { return write_; }
  const latency_histogram& connect_times() const { return connect_; }
  const std::map<std::string, std::uint64_t>& errors() const { return errors_; }
  load_ns max_send_lag() const { return max_lag_; }

 private:
  load_ns warmup_;
  load_counts total_;
  second second_;
  second last_;
  latency_histogram schedule_, write_, connect_;
  std::map<std::string, std::uint64_t> errors_;
  std::deque<std::int64_t> p99s_;  // the last hour's seconds, the oldest dropped from the front
  load_ns max_lag_ = 0;
};

// What the views say, besides the meter.
struct load_status {
  std::string target;
  load_settings settings;
  double elapsed = 0;  // seconds since the run started
  double started = 0;  // seconds from the run's start to its first connection's open: not measured
  std::uint32_t open = 0, connecting = 0, failed = 0;
  std::uint64_t opened = 0;  // connections opened, reopened ones included
  bool warming = false;
  bool stopping = false;  // the schedule is over: waiting for the last echoes
};

// One plain line a second (no terminal).
std::string load_plain_line(const load_status& st, const load_meter& m);
// The live view's rows, at most `rows` rows of `cols` cells.
std::vector<std::string> load_view(const load_status& st, const load_meter& m, int rows, int cols);
// The summary, as echo mode's (ping's) is.
std::string load_summary(const load_status& st, const load_meter& m);
// The same as one JSON object.
std::string load_json(const load_status& st, const load_meter& m);

// HdrHistogram's interval log (format 1.3): the header, then a line per interval.
std::string hdr_log_header(double start_epoch_seconds);
std::string hdr_log_line(double start_offset, double length, const latency_histogram& h);

}  // namespace echochat
