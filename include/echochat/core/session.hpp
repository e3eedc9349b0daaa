// The program's model: the state every mode shares (transcript, viewport, slow task, connection,
// how it ends) and the current mode's rules. apply() takes one event at a time; the printer
// passes in the time, and a frame (frame.hpp) is what the screen gets of it. Pure.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/mode.hpp"
#include "echochat/core/observer.hpp"
#include "echochat/core/options.hpp"
#include "echochat/core/outbox.hpp"
#include "echochat/core/reply.hpp"
#include "echochat/core/transcript.hpp"
#include "echochat/core/unread.hpp"
#include "echochat/core/viewport.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
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
  static constexpr std::size_t default_outbox_capacity = 1000;
  // Chat mode: how many lines may wait while the connection is down (Enter is refused past it).
  std::size_t outbox_capacity = default_outbox_capacity;
  std::vector<std::string> history;  // chat mode: the input line's history at start, oldest first
  bool record_history = false;       // chat mode: lines sent are kept for the history file
  std::vector<reply_rule> replies;   // --reply: answers chat mode sends to matching lines
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
enum class quit_reason : std::uint8_t { none, key, signal, hangup, finished, unsent, unanswered };

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
  bool unanswered = false;  // closed with the last line sent never answered (net_state_event)
};

// The lines sent for the connection to write: those it has not taken yet, and how many it has
// not written yet. Counted up as a line is sent and down as net_sent_events arrive, so never
// fewer than the connection really holds, and exact once it says it is closed.
class send_queue {
 public:
  // `entry`: the id of the line's `you` entry, for marking it if it is lost.
  void push(std::string line, std::uint64_t entry) {
    lines_.push_back(std::move(line));
    unwritten_.push_back(entry);
    ++waiting_;
  }
  // The lines sent since last asked, for the connection.
  std::vector<std::string> take() { return std::exchange(lines_, {}); }
  // The connection wrote its oldest line.
  void written() {
    if (waiting_ > 0) --waiting_;
    if (!unwritten_.empty()) {
      written_.push_back(unwritten_.front());
      unwritten_.pop_front();
      if (written_.size() > kept_written_lines) written_.pop_front();
    }
  }
  // A new connection: what the last one wrote is no longer in question.
  void connected() { written_.clear(); }
  // The entries of the last `n` lines written on this connection, oldest first; with `resent`,
  // they wait again, at the head.
  std::vector<std::uint64_t> unacknowledged(std::size_t n, bool resent) {
    n = std::min(n, written_.size());
    std::vector<std::uint64_t> ids(written_.end() - static_cast<std::ptrdiff_t>(n), written_.end());
    written_.erase(written_.end() - static_cast<std::ptrdiff_t>(n), written_.end());
    if (resent) {
      unwritten_.insert(unwritten_.begin(), ids.begin(), ids.end());
      waiting_ += n;
    }
    return ids;
  }
  std::size_t waiting() const { return waiting_; }

 private:
  std::vector<std::string> lines_;
  std::deque<std::uint64_t> unwritten_;  // the entries of the lines not written yet, oldest first
  std::deque<std::uint64_t> written_;    // those written on this connection
  std::size_t waiting_ = 0;
};

// The mode the program runs in at the bottom, and the sub-modes pushed on top of it (Ctrl-R's
// search, the find prompt): the top one takes the keys, and each adds to what the frame shows.
class mode_stack {
 public:
  explicit mode_stack(std::unique_ptr<mode> base) : base_(std::move(base)) {}

  mode& base() const { return *base_; }
  input_mode& top() const { return pushed_.empty() ? *base_ : *pushed_.back(); }
  void push(std::unique_ptr<input_mode> m) { pushed_.push_back(std::move(m)); }
  // Takes the top sub-mode off (never the base). It lives on until the event is done
  // (end_event()), so that a sub-mode may pop itself and then hand the key to the mode below.
  void pop();
  void end_event() { retired_.clear(); }
  // Every layer's part, bottom to top.
  void present(const session_state& s, presentation& p) const;

 private:
  std::unique_ptr<mode> base_;
  std::vector<std::unique_ptr<input_mode>> pushed_;
  std::vector<std::unique_ptr<input_mode>> retired_;
};

// The parts every mode reads and changes.
struct session_state {
  session_state(const session_config& config, std::unique_ptr<mode> base, std::unique_ptr<observer> watcher);

  bool terminal;
  bool keep_fresh;
  transcript entries;
  viewport view;
  slow_task_state slow;
  connection_state net;
  exit_state exit;
  std::uint64_t keys = 0;
  bool input_closed = false;
  bool suspend = false;      // Ctrl-Z or SIGTSTP asked to suspend (with a terminal only)
  bool log_failed = false;   // a write to the log file failed: the exit status is 1 then
  std::vector<entry> fresh;  // finished entries not yet taken (only with keep_fresh)
  send_queue outgoing;       // lines for the connection
  static constexpr std::uint64_t no_entry = ~std::uint64_t{0};
  mode_stack modes;
  std::unique_ptr<observer> watcher;  // echo mode's measuring, or none
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
  // the connection; the watcher sees each.
  void send(std::time_t now, std::vector<std::string> lines, source as = source::you);
  // A line to send that no entry shows (a probe in plain output); the watcher sees it.
  void send_unshown(std::time_t now, std::string line);
  // A line from the server that arrived at `at`: the watcher's to show, or a net entry ("[cut]"
  // marks a piece of a longer line).
  void show_net_line(net_line& l, observer::clock::time_point at, std::time_t now);

 private:
  void queue(std::string line, std::uint64_t entry, source as, std::time_t now);
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
  std::vector<std::string> take_outgoing() { return state_.outgoing.take(); }
  // Lines sent since last asked that the history file keeps (not while /secret is on).
  std::vector<std::string> take_recorded() { return std::exchange(state_.recorded, {}); }

  const session_state& state() const { return state_; }
  const transcript& entries() const { return state_.entries; }
  const viewport& view() const { return state_.view; }
  const connection_state& connection() const { return state_.net; }
  // Lines sent and not yet written by the connection.
  std::size_t waiting() const { return state_.outgoing.waiting(); }
  std::uint64_t key_count() const { return state_.keys; }
  bool terminal() const { return state_.terminal; }
  // The terminal input has ended (the connection stops reconnecting then, in plain mode).
  bool input_closed() const { return state_.input_closed; }
  // What the frame shows of the modes and the watcher: asked once per frame.
  presentation present() const;
  // The mode running at the bottom of the stack, and the one that takes the keys now.
  const mode& base_mode() const { return state_.modes.base(); }
  const input_mode& top_mode() const { return state_.modes.top(); }
  // The watcher's: when to wake even if nothing happens, whether it still sends after the end of
  // input, and what to say once the terminal is restored.
  std::optional<observer::clock::time_point> wake_at() const;
  bool sends_more() const;
  std::string report() const;
  // After the end of input, once nothing more is sent: whether the connection should stay open a
  // while for replies (chat mode: yes, it cannot know how many come; echo mode: no, it waited for
  // exactly its echoes).
  bool lingers() const;

 private:
  void dispatch(event& ev, std::time_t now);
  void on_keys(const keys_event& ev, std::time_t now);
  bool on_shared_key(const key& k);
  void on_net_state(net_state_event& e, std::time_t now);
  void check_finished();

  session_state state_;
};

// The mode the configuration asks for: chat with a target, local echo otherwise.
std::unique_ptr<mode> make_mode(const session_config& config);
// What watches the session's lines: echo mode's measuring with --echo, nothing otherwise.
std::unique_ptr<observer> make_observer(const session_config& config);

}  // namespace echochat
