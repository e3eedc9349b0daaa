// The program's model: the state every mode shares (transcript, viewport, slow task, connection,
// how it ends) and the current mode's rules. apply() takes one event at a time; the printer
// passes in the time, and a frame (frame.hpp) is what the screen gets of it. Pure.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/mode.hpp"
#include "echochat/core/options.hpp"
#include "echochat/core/outbox.hpp"
#include "echochat/core/reply.hpp"
#include "echochat/core/transcript.hpp"
#include "echochat/core/unread.hpp"
#include "echochat/core/viewport.hpp"

#include <cstdint>
#include <ctime>
#include <memory>
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
  std::size_t outbox_capacity = outbox::default_capacity;  // lines that may wait to be sent
  std::vector<std::string> history;  // chat mode: the input line's history at start, oldest first
  bool record_history = false;       // chat mode: lines sent are kept for the history file
  std::vector<reply_rule> replies;  // --reply: answers chat mode sends to matching lines
  std::optional<echo_options> echo;  // echo mode (with chat): measure each line's round trip
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

// How the program ends, once something decided it.
struct exit_state {
  quit_reason why = quit_reason::none;
  int signo = 0;

  bool done() const { return why != quit_reason::none; }
  // The first reason wins.
  void quit(quit_reason reason, int signal_number = 0);
  // 0 for q, Ctrl-C, end of input; 128 + N for signal N (a hang-up counts as SIGHUP); 1 when
  // lines were left unsent.
  int code() const;
};

struct slow_task_state {
  bool done = false;
  std::optional<std::int64_t> seconds_left;  // the countdown, once it ticked
};

// The connection as the rest of the program learns of it, through events.
struct connection_state {
  std::string target;  // as the user wrote it, for the status bar
  net_state state = net_state::connecting;
  std::int64_t retry_ms = 0;
  std::string detail;       // online: the protocol ("tls1.3"); offline: why the last attempt failed
  bool unverified = false;  // the peer is not verified (--insecure): said for the whole session
  // Lines sent and not yet written: counted up on Enter and down as net_sent_events arrive, so
  // never fewer than the connection really holds, and exact once it says it is closed.
  std::size_t waiting = 0;
};

// The parts every mode reads and changes.
struct session_state {
  explicit session_state(const session_config& config, int bar_rows);

  bool terminal;
  bool keep_fresh;
  transcript entries;
  viewport view;
  slow_task_state slow;
  connection_state net;
  exit_state exit;
  std::uint64_t keys = 0;
  bool input_closed = false;
  bool suspend = false;           // Ctrl-Z or SIGTSTP asked to suspend (with a terminal only)
  bool log_failed = false;        // a write to the log file failed: the exit status is 1 then
  std::vector<entry> fresh;       // finished entries not yet taken (only with keep_fresh)
  std::vector<std::string> outgoing;  // lines for the connection, not yet taken
  // The transcript entry (its id) that shows each line of `outgoing`, in step with it: echo mode
  // marks a lost line on it. no_entry for a line not shown (a probe in plain output).
  std::vector<std::uint64_t> outgoing_entries;
  static constexpr std::uint64_t no_entry = ~std::uint64_t{0};
  bool record_history;
  std::vector<std::string> recorded;  // lines for the history file, not yet taken
  unread_marker unread;               // what arrived while scrolled back

  // A finished entry.
  void add(std::time_t now, source src, std::string text);
  // An entry shown earlier learns more: `more` goes on the end of finished entry `id` (false,
  // and nothing changes, when it is no longer kept). While scrolled back, the rows in view stay
  // where they are. Plain output and the log, which cannot change a line already written, get
  // nothing from it: say what happened with record().
  bool amend(std::uint64_t id, std::string_view more);
  // A line for plain output and the log alone (with keep_fresh), not for the transcript.
  void record(std::time_t now, source src, std::string text);
  // Enter in local echo: the entry being typed is finished.
  void finish_typing(std::time_t now);
  // Lines to send: shown as `you` entries (or `reply` ones, sent without typing) and handed to
  // the connection.
  void send(std::time_t now, std::vector<std::string> lines, source as = source::you);
  // A line from the server, as a net entry ("[cut]" marks a piece of a longer line).
  void add_net_line(net_line_event& l, std::time_t now);
};

class session {
 public:
  explicit session(const session_config& config);

  // Takes the event by value: the texts in it move into the transcript.
  void apply(event ev, std::time_t now);
  // The screen's new size (rows, cols), used to page and to clamp scrolling.
  void resize(int rows, int cols) { state_.view.resize(rows, cols); }

  bool done() const { return state_.exit.done(); }
  quit_reason why() const { return state_.exit.why; }
  // The mode's exit code for how it ended, or 1 instead of 0 when the log failed.
  int exit_code() const;
  // Ctrl-Z or SIGTSTP asked to suspend (with a terminal only); taking it clears it.
  bool take_suspend() { return std::exchange(state_.suspend, false); }

  // Finished entries not yet taken (only with keep_fresh): for plain output and the log file.
  std::vector<entry> take_fresh() { return std::exchange(state_.fresh, {}); }
  // Lines sent since last asked, for the connection to write.
  std::vector<std::string> take_outgoing() {
    state_.outgoing_entries.clear();
    return std::exchange(state_.outgoing, {});
  }
  // Lines sent since last asked that the history file keeps (not while /secret is on).
  std::vector<std::string> take_recorded() { return std::exchange(state_.recorded, {}); }

  const session_state& state() const { return state_; }
  const transcript& entries() const { return state_.entries; }
  const viewport& view() const { return state_.view; }
  const connection_state& connection() const { return state_.net; }
  std::uint64_t key_count() const { return state_.keys; }
  bool terminal() const { return state_.terminal; }
  // The terminal input has ended (the connection stops reconnecting then, in plain mode).
  bool input_closed() const { return state_.input_closed; }
  const mode& rules() const { return *mode_; }

 private:
  void on_keys(const keys_event& ev, std::time_t now);
  bool on_shared_key(const key& k);
  void check_finished();

  std::unique_ptr<mode> mode_;
  session_state state_;
};

// The mode the configuration asks for: chat with a target, local echo otherwise.
std::unique_ptr<mode> make_mode(const session_config& config);

}  // namespace echochat
