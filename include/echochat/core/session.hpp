// The program's state and rules: applies events to the transcript, decides when to quit, and
// says what the status bar shows. Pure: the printer passes in the time, the screen draws it.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/line_editor.hpp"
#include "echochat/core/outbox.hpp"
#include "echochat/core/transcript.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace echochat {

struct session_config {
  bool terminal = true;  // false: plain mode (no screen; end of input is not a hang-up)
  std::size_t scrollback = transcript::default_capacity;
  bool keep_fresh = false;  // collect finished entries for plain output or the log
  bool chat = false;        // chat mode: keys edit an input line, Enter sends it
  std::string chat_target;  // "host:port", for the status bar
  std::size_t outbox_capacity = outbox::default_capacity;
};

// The slow task's countdown shows whole seconds, or whole minutes from two minutes up; so it
// needs waking only when what it shows changes. For `ms_left` milliseconds left: the seconds to
// report now, and how long until the shown value changes.
struct countdown {
  std::int64_t seconds_left = 0;
  std::int64_t wait_ms = 0;
};
countdown countdown_step(std::int64_t ms_left);

// finished: every source is done (plain mode); unsent: as finished, but lines typed after the end
// of input could not be delivered.
enum class quit_reason : std::uint8_t { none, key, signal, hangup, finished, unsent };

class session {
 public:
  explicit session(session_config config);

  void apply(const event& ev, std::time_t now);
  // The screen's new size (rows, cols), used to page and to clamp scrolling.
  void resize(int rows, int cols);

  bool done() const { return quit_ != quit_reason::none; }
  // Ctrl-Z or SIGTSTP asked to suspend (with a terminal only); taking it clears it.
  bool take_suspend() { return std::exchange(suspend_, false); }
  quit_reason why() const { return quit_; }
  // 0 for q, Ctrl-C, end of input; 128 + N for signal N (a hang-up counts as SIGHUP); 1 when
  // lines were left unsent.
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

  // Chat mode.
  bool chat() const { return config_.chat; }
  const line_editor& input_line() const { return editor_; }
  // Lines of a multi-line paste that wait for Enter after the input line.
  const std::vector<std::string>& pasted_lines() const { return pasted_; }
  // The network writer takes lines from here, and pops each once its write completed.
  outbox& outgoing() { return outbox_; }
  const outbox& outgoing() const { return outbox_; }
  net_state connection() const { return net_; }
  // Drawing on a terminal (false: plain mode).
  bool terminal() const { return config_.terminal; }
  // The terminal input has ended (the network stops reconnecting then, in plain mode).
  bool input_closed() const { return input_closed_; }

 private:
  void on_keys(const keys_event& ev, std::time_t now);
  void on_key(const key& k, std::time_t now);
  void on_paste(const std::string& text, std::time_t now);
  void finish_entry(std::time_t now);
  void add(std::time_t now, source src, std::string text);
  void quit(quit_reason why, int signo = 0);
  void check_finished();
  bool on_shared_key(const key& k);
  void on_chat_key(const key& k, std::time_t now);
  void on_chat_paste(const std::string& text);
  void send_input(std::time_t now);

  session_config config_;
  transcript log_;
  std::vector<entry> fresh_;
  quit_reason quit_ = quit_reason::none;
  int quit_signal_ = 0;
  bool input_closed_ = false;
  bool suspend_ = false;
  bool slow_done_ = false;
  std::optional<std::int64_t> slow_left_;
  std::uint64_t keys_ = 0;
  int scroll_ = 0;
  int rows_ = 24;
  int cols_ = 80;
  line_editor editor_;
  outbox outbox_;
  std::vector<std::string> pasted_;
  net_state net_ = net_state::connecting;
  std::int64_t retry_ms_ = 0;
};

}  // namespace echochat
