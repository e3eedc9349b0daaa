// What differs between modes: what a key and a paste do, what Enter does, when the work is done,
// and what the status bar says about it. One class per mode (local_echo_mode, chat_mode); the
// session holds the current one and the state they share. A new mode touches no other mode.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/key.hpp"

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

struct session_state;
struct entry;
class line_editor;
enum class quit_reason : std::uint8_t;

// One piece of the status bar, and how much it matters: when the terminal is too narrow for all
// of them, the least important go first.
struct status_part {
  std::string text;
  int weight = 0;
};

// What the input row shows instead of the line being edited (a search prompt), and the byte
// offset in it where the cursor goes.
struct input_prompt {
  std::string text;
  std::size_t cursor = 0;
};

// Text of an entry the screen shows highlighted (the current find match): byte ranges of e->text.
struct text_highlight {
  const entry* e = nullptr;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
};

class mode {
 public:
  virtual ~mode() = default;

  // A key the keys shared by every mode (paging, Ctrl-C, Ctrl-Z) did not take.
  virtual void on_key(const key& k, session_state& s, std::time_t now) = 0;
  // A bracketed paste: text, not keys.
  virtual void on_paste(std::string_view text, session_state& s, std::time_t now) = 0;
  // Lines of data from standard input when it is not a terminal: no key in them means anything.
  virtual void on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) = 0;

  // Lines from the server (one read's worth). By default each is a net entry.
  virtual void on_net_lines(net_lines_event& e, session_state& s, std::time_t now);
  // The connection is about to write its oldest waiting line, at `at`.
  virtual void on_writing(std::chrono::steady_clock::time_point /*at*/, session_state& /*s*/, std::time_t /*now*/) {}
  // The connection changed state (the session has already recorded it).
  virtual void on_connection(net_state /*state*/, session_state& /*s*/, std::time_t /*now*/) {}
  // The time wake_at() asked for has come.
  virtual void on_timer(const timer_event& /*e*/, session_state& /*s*/, std::time_t /*now*/) {}
  // Without a terminal, after the end of input: true while this mode still has lines of its own
  // to send (echo mode's probes), so the connection must stay open for writing.
  virtual bool sends_more() const { return false; }
  // When this mode wants to be woken even if nothing happens (a deadline, a probe); nothing: never.
  virtual std::optional<std::chrono::steady_clock::time_point> wake_at() const { return std::nullopt; }

  // The exit code the session worked out, as this mode would have it (echo mode: 1 for losses).
  virtual int exit_code(int code) const { return code; }
  // Said on standard output once the terminal is restored (echo mode's summary); empty: nothing.
  virtual std::string report() const { return {}; }

  // Without a terminal, once the input and the slow task are done: how the program ends now,
  // or nothing while this mode still has work (lines to send, a connection to close).
  virtual std::optional<quit_reason> finished(const session_state& s) const = 0;

  // The status bar's parts for this mode, after "echochat" and before the slow task.
  virtual void status(const session_state& s, std::vector<status_part>& parts) const = 0;
  // How to quit, the status bar's last part.
  virtual std::string_view quit_hint() const = 0;

  // The rows under the transcript: the status bar, and an input line if the mode has one.
  virtual int bar_rows() const { return 1; }
  // The line being edited, if this mode has an input line.
  virtual const line_editor* input_line() const { return nullptr; }
  // A prompt shown on the input row in place of the line (a search), if one is open.
  virtual std::optional<input_prompt> prompt() const { return std::nullopt; }
  // What the screen highlights in the transcript.
  virtual text_highlight highlight(const session_state&) const { return {}; }
};

}  // namespace echochat
