// Echo mode's measurements, pure: each line sent gets a sequence number and the time its write
// was handed to the socket; a line received is matched to the oldest line still waiting; lines
// past their timeout, or waiting when the connection dropped, are lost; a second echo of a line
// is a duplicate and pairs with nothing. Also ping's statistics.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

using echo_clock = std::chrono::steady_clock;

struct echo_result {
  enum class kind : std::uint8_t { echoed, differs, lost, unexpected, duplicate };
  kind what = kind::echoed;
  std::uint64_t seq = 0;            // 0 for an unexpected line; a duplicate's: the line echoed before
  std::chrono::nanoseconds rtt{0};  // echoed and differs
  std::size_t differs_at = 0;       // differs: the first differing byte (from 1, as people count)
  bool trailing_cr = false;         // differs only by a "\r" at the end of the echo
  bool skipped = false;             // lost: a later line's echo came first
  std::string sent;                 // what was sent (differs, lost)
  // The transcript entry that shows the line, as sent() was told (not echoed, unexpected: none),
  // so that a loss can be marked on the line's own entry.
  std::optional<std::uint64_t> entry;
};

// ping's figures over the round trips measured.
struct echo_stats {
  std::uint64_t sent = 0;
  std::uint64_t echoed = 0;    // exact echoes
  std::uint64_t differed = 0;  // echoes that came back changed (they have a round trip too)
  std::uint64_t lost = 0;
  std::uint64_t unexpected = 0;
  std::uint64_t duplicates = 0;  // echoes of a line echoed already (ping's "+N duplicates")
  std::vector<double> rtt_ms;    // every measured round trip, in order

  double min_ms() const;
  double avg_ms() const;
  double max_ms() const;
  // ping's mdev: sqrt(mean(rtt²) − mean(rtt)²), the standard deviation of the round trips.
  double mdev_ms() const;
  // The p-th percentile (0..100), nearest rank over the sorted round trips.
  double percentile_ms(double p) const;
};

class echo_meter {
 public:
  explicit echo_meter(std::chrono::nanoseconds timeout) : timeout_(timeout) {}

  // A line was sent (queued for the connection), shown as transcript entry `entry` if it is
  // shown: its sequence number.
  std::uint64_t sent(std::string text, std::optional<std::uint64_t> entry = std::nullopt);
  // The oldest sent line not yet written had its write handed to the socket at `t`: its clock
  // starts then.
  void handed(echo_clock::time_point t);
  // A line arrived at `t`: matched to the oldest line handed to the socket and not yet matched.
  // When it is exactly a later waiting line instead, the server went on without the ones before
  // it (a line server echoes in order): they are lost, in `skipped`, and it is that line's echo.
  // When it is exactly one of the last lines echoed, it is a duplicate, and pairs with nothing.
  // Otherwise it is the oldest waiting line's echo, changed; with no line waiting, unexpected.
  echo_result received(std::string_view text, echo_clock::time_point t,
                       std::vector<echo_result>* skipped = nullptr);
  // The lines handed to the socket more than the timeout before `now`: lost.
  std::vector<echo_result> expire(echo_clock::time_point now);
  // The connection dropped: every line handed to it and not echoed is lost (an echo on the next
  // connection cannot be theirs). Lines not yet written wait for the next connection.
  std::vector<echo_result> drop();

  // When the oldest handed line times out, if any line waits for its echo.
  std::optional<echo_clock::time_point> next_deadline() const;
  // Lines sent and neither echoed nor lost yet.
  std::size_t pending() const { return waiting_.size(); }
  const echo_stats& stats() const { return stats_; }
  std::chrono::nanoseconds timeout() const { return timeout_; }

 private:
  struct waiting_line {
    std::uint64_t seq = 0;
    std::string text;
    std::optional<echo_clock::time_point> handed;
    std::optional<std::uint64_t> entry;
  };
  echo_result lose(waiting_line& w);
  echo_result match_front(std::string_view text, echo_clock::time_point t);
  // A recent echo's line, if `text` is exactly one: its sequence number.
  std::optional<std::uint64_t> echoed_before(std::string_view text) const;

  // How many of the lines echoed last are remembered to recognise duplicates.
  static constexpr std::size_t remembered = 64;

  std::chrono::nanoseconds timeout_;
  std::uint64_t next_seq_ = 1;
  std::deque<waiting_line> waiting_;                          // oldest first; the handed ones come first
  std::deque<std::pair<std::uint64_t, std::string>> echoed_;  // the last lines echoed, oldest first
  echo_stats stats_;
};

// "--- TARGET echo statistics ---" and the lines after it, in ping's format, each ending in "\n":
//   20 lines sent, 20 echoed, 0 differed, 0% lost, time 1003ms
//   (with ", +N duplicates" and ", +N unexpected" after "echoed" when there were any)
//   rtt min/avg/max/mdev = 0.102/0.153/0.301/0.050 ms
//   rtt p50/p99 = 0.140/0.290 ms                     (with 20 or more round trips)
std::string echo_summary(const echo_stats& stats, std::string_view target, std::chrono::milliseconds elapsed);

// "0.212 ms": a round trip as the transcript and the probe lines show it (3 decimals).
std::string format_rtt(std::chrono::nanoseconds rtt);

}  // namespace echochat
