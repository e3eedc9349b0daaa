// Echo mode: chat mode against a server that echoes. Every line sent (typed or a probe) is
// measured: its round trip shows on the echo, a changed echo says where it differs, a line not
// echoed in time is lost; the status bar keeps the figures and the summary ends the run.
#pragma once

#include "echochat/core/chat_mode.hpp"
#include "echochat/core/echo_meter.hpp"
#include "echochat/core/options.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace echochat {

class echo_mode final : public mode {
 public:
  // `target`: the address as the user wrote it, for the result lines and the summary.
  echo_mode(std::size_t capacity, echo_options options, std::string target);

  void on_key(const key& k, session_state& s, std::time_t now) override;
  void on_paste(std::string_view text, session_state& s, std::time_t now) override;
  void on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) override;
  void on_net_lines(net_lines_event& e, session_state& s, std::time_t now) override;
  void on_writing(echo_clock::time_point at, session_state& s, std::time_t now) override;
  void on_connection(net_state state, session_state& s, std::time_t now) override;
  void on_timer(const timer_event& e, session_state& s, std::time_t now) override;
  bool sends_more() const override;
  std::optional<echo_clock::time_point> wake_at() const override;
  int exit_code(int code) const override;
  std::string report() const override;

  std::optional<quit_reason> finished(const session_state& s) const override;
  void status(const session_state& s, std::vector<status_part>& parts) const override;
  std::string_view quit_hint() const override { return chat_.quit_hint(); }
  int bar_rows() const override { return chat_.bar_rows(); }
  const line_editor* input_line() const override { return chat_.input_line(); }

  const echo_meter& meter() const { return meter_; }

  // The probe line for sequence number `seq` sent at Unix time `unix_seconds`: "echochat 17
  // 1701331200.123456", padded with '.' to `size` bytes (when longer than that already, as it is).
  static std::string probe_text(std::uint64_t seq, double unix_seconds, std::size_t size);

 private:
  // Measures the lines the chat rules sent since `before` lines were waiting to go out.
  void measure_sent(session_state& s, std::size_t before);
  void show(const echo_result& r, session_state& s, std::time_t now, const std::string& received);
  // A lost line: `why` for ping's line ("timeout 5 s"), `note` for its entry ("no echo in 5 s").
  void lose(const echo_result& r, std::string_view why, std::string_view note, session_state& s,
            std::time_t now);
  void send_probe(session_state& s, std::time_t now, std::chrono::system_clock::time_point wall);
  void check_done(session_state& s);

  chat_mode chat_;
  echo_options options_;
  std::string target_;
  echo_meter meter_;
  std::uint64_t probes_sent_ = 0;
  bool online_ = false;
  std::optional<echo_clock::time_point> next_probe_;  // unset: the first probe goes at once
  std::optional<echo_clock::time_point> started_;
  echo_clock::time_point last_{};  // the newest time seen, for the summary's "time"
  std::optional<std::chrono::nanoseconds> last_rtt_;
};

}  // namespace echochat
