// Echo mode's measuring: an observer beside the chat mode, not a mode of its own. Every line
// sent (typed or a probe; not a --reply answer) is measured: its round trip shows on the echo, a
// changed echo says where it differs, a line not echoed in time is lost, a second echo is a
// duplicate; the status bar keeps the figures and the summary ends the run.
#pragma once

#include "echochat/core/echo_meter.hpp"
#include "echochat/core/observer.hpp"
#include "echochat/core/options.hpp"

#include <chrono>
#include <deque>
#include <optional>
#include <string>

namespace echochat {

class echo_observer final : public observer {
 public:
  // `target`: the address as the user wrote it, for the result lines and the summary.
  echo_observer(echo_options options, std::string target);

  void on_sent(std::string_view line, std::uint64_t entry, source as, session_state& s,
               std::time_t now) override;
  bool on_received(net_line& l, clock::time_point at, session_state& s, std::time_t now) override;
  void on_writing(clock::time_point at, session_state& s, std::time_t now) override;
  void on_written(session_state& s, std::time_t now) override;
  void on_connection(net_state state, session_state& s, std::time_t now) override;
  void on_timer(const timer_event& e, session_state& s, std::time_t now) override;
  std::optional<clock::time_point> wake_at() const override;
  bool sends_more() const override;
  bool awaited_all_replies() const override { return true; }
  int exit_code(int code) const override;
  std::string report() const override;
  void present(const session_state& s, presentation& p) const override;

  const echo_meter& meter() const { return meter_; }

  // The probe line for sequence number `seq` sent at Unix time `unix_seconds`: "echochat 17
  // 1701331200.123456", padded with '.' to `size` bytes (when longer than that already, as it is).
  static std::string probe_text(std::uint64_t seq, double unix_seconds, std::size_t size);

 private:
  // A line in the connection's outbox, in its order: measured or not (a --reply answer), or
  // handed to the socket (its write started; it leaves once the write completed).
  enum class queued : std::uint8_t { unmeasured, measured, handed };

  void show(const echo_result& r, session_state& s, std::time_t now, const std::string& received);
  void show_differs(const echo_result& r, session_state& s, std::time_t now, const std::string& received);
  // A lost line: `why` for ping's line ("timeout 5 s"), `note` for its entry ("no echo in 5 s").
  void lose(const echo_result& r, std::string_view why, std::string_view note, session_state& s,
            std::time_t now);
  void send_probe(session_state& s, std::time_t now, std::chrono::system_clock::time_point wall);
  void check_done(session_state& s);

  echo_options options_;
  std::string target_;
  echo_meter meter_;
  std::deque<queued> outbox_;
  std::uint64_t probes_sent_ = 0;
  bool online_ = false;
  std::optional<clock::time_point> next_probe_;  // unset: the first probe goes at once
  std::optional<clock::time_point> started_;
  clock::time_point last_{};  // the newest time seen, for the summary's "time"
  std::optional<std::chrono::nanoseconds> last_rtt_;
};

}  // namespace echochat
