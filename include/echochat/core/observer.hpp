// Something that watches what the session sends and receives, beside the log and the history
// file, whatever mode runs: echo mode's measuring of round trips (echo_observer.hpp). The session
// tells it; it may amend entries, add its own and send lines of its own (probes) through the
// session, and has its say in the status bar, the exit code and the final report.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/mode.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace echochat {

struct session_state;
enum class source : std::uint8_t;

class observer {
 public:
  using clock = std::chrono::steady_clock;
  virtual ~observer() = default;

  // A line went into the outbox, shown as transcript entry `entry` (or none: no_entry), sent as
  // `as` (you, or reply for a --reply answer).
  virtual void on_sent(std::string_view line, std::uint64_t entry, source as, session_state& s,
                       std::time_t now) = 0;
  // A line from the server that arrived at `at`. True when the observer showed it itself (with its
  // round trip); false: it is shown as any server line.
  virtual bool on_received(net_line& l, clock::time_point at, session_state& s, std::time_t now) = 0;
  // The connection is about to write its oldest waiting line, at `at`; then that write completed.
  virtual void on_writing(clock::time_point at, session_state& s, std::time_t now) = 0;
  virtual void on_written(session_state& s, std::time_t now) = 0;
  // The connection changed state (the session has already recorded it).
  virtual void on_connection(net_state state, session_state& s, std::time_t now) = 0;
  // The time wake_at() asked for has come.
  virtual void on_timer(const timer_event& e, session_state& s, std::time_t now) = 0;

  // When it wants to be woken even if nothing happens (a deadline, a probe); nothing: never.
  virtual std::optional<clock::time_point> wake_at() const = 0;
  // Without a terminal, after the end of input: true while it still has lines of its own to send
  // or answers to wait for, so the connection must stay open.
  virtual bool sends_more() const = 0;
  // Once sends_more() is false: true when every answer it waited for came or timed out, so the
  // connection need not stay open for more (echo mode counts its echoes).
  virtual bool awaited_all_replies() const = 0;
  // The exit code as it would have it (echo mode: 1 for losses), from the session's.
  virtual int exit_code(int code) const = 0;
  // Said on standard output once the terminal is restored (echo mode's summary); empty: nothing.
  virtual std::string report() const = 0;
  // Its parts of the status bar.
  virtual void present(const session_state& s, presentation& p) const = 0;
};

}  // namespace echochat
