// The program's state and rules: applies events to the transcript, decides when to quit, and
// says what the status bar shows. Pure: the printer passes in the time, the screen draws it.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/transcript.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace echochat {

struct session_config {
  bool terminal = true;  // false: plain mode (no screen; end of input is not a hang-up)
  std::size_t scrollback = transcript::default_capacity;
  bool keep_fresh = false;  // collect finished entries for plain output or the log
};

// The slow task's countdown shows whole seconds, or whole minutes from two minutes up; so it
// needs waking only when what it shows changes. For `ms_left` milliseconds left: the seconds to
// report now, and how long until the shown value changes.
struct countdown {
  std::int64_t seconds_left = 0;
  std::int64_t wait_ms = 0;
};
countdown countdown_step(std::int64_t ms_left);

enum class quit_reason : std::uint8_t { none, key, signal, hangup, finished };

class session {
 public:
  explicit session(session_config config);

  void apply(const event& ev, std::time_t now);
  // The screen's new size (rows, cols), used to page and to clamp scrolling.
  void resize(int rows, int cols);

  bool done() const { return quit_ != quit_reason::none; }
  quit_reason why() const { return quit_; }
  // 0 for q, Ctrl-C, end of input; 128 + N for signal N (a hang-up counts as SIGHUP).
  int exit_code() const;

  const transcript& log() const { return log_; }
  // Finished entries not yet taken (only with keep_fresh): for plain output and the log file.
  std::vector<entry> take_fresh();

  int scroll_rows() const { return scroll_; }
  std::uint64_t key_count() const { return keys_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  // The rows the transcript gets on screen: all but the separator and the status bar.
  int transcript_rows() const;

  // The status bar's text: mode, slow task, key count, how to quit, scroll marker.
  std::string status_line() const;

 private:
  void on_keys(const keys_event& ev, std::time_t now);
  void on_key(const key& k, std::time_t now);
  void on_paste(const std::string& text, std::time_t now);
  void finish_entry(std::time_t now);
  void add(std::time_t now, source src, std::string text);
  void quit(quit_reason why, int signo = 0);
  void check_finished();

  session_config config_;
  transcript log_;
  std::vector<entry> fresh_;
  quit_reason quit_ = quit_reason::none;
  int quit_signal_ = 0;
  bool input_closed_ = false;
  bool slow_done_ = false;
  std::optional<std::int64_t> slow_left_;
  std::uint64_t keys_ = 0;
  int scroll_ = 0;
  int rows_ = 24;
  int cols_ = 80;
};

}  // namespace echochat
