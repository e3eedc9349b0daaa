// What the producers (reader, slow task, signals, network) hand to the printer: one Event type.
#pragma once

#include "echochat/core/key.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace echochat {

// Keys decoded from terminal input; the i-th paste_end key ends the i-th text of `pastes`.
struct keys_event {
  std::vector<key> keys;
  std::vector<std::string> pastes;
};

// The slow task's countdown changed what it shows (seconds left, rounded up).
struct slow_tick_event {
  std::int64_t seconds_left = 0;
};

struct slow_done_event {};

// The terminal changed size; the printer asks the screen for the new size.
struct resize_event {};

// A signal arrived: SIGTSTP (suspend), or one that ends the program (SIGINT, SIGTERM, SIGHUP, ...).
struct signal_event {
  int signo = 0;
};

// The terminal input ended: end of file, or a read error (a hang-up).
struct input_closed_event {};

// A line from the chat server, already sanitized.
struct net_line {
  std::string text;
  bool cut = false;
};

// Every complete line of one read from the server, in order: one event, so one frame, however
// many lines a read brings.
struct net_lines_event {
  std::vector<net_line> lines;
  std::chrono::steady_clock::time_point received{};  // when the read brought them
};

// The chat client is about to hand the oldest waiting line to the socket (sent before the
// write starts, so it comes before any echo of the line).
struct net_writing_event {
  std::chrono::steady_clock::time_point at{};
};

// The time the mode asked to be woken at (mode::wake_at) has come.
struct timer_event {
  std::chrono::steady_clock::time_point now{};
  std::chrono::system_clock::time_point wall{};  // the same moment on the calendar clock
};

// Lines of data from standard input when it is not a terminal (chat mode sends each one).
struct input_lines_event {
  std::vector<std::string> lines;
};

enum class net_state : std::uint8_t { connecting, online, offline, closed };

// The connection changed state. For offline, `retry_ms` is the wait before the next attempt.
// closed: it will not connect again. `detail`: online, what carries it ("tls1.3"); offline, why
// the last attempt failed. `unverified`: the peer's certificate is not checked (--insecure).
// `unanswered` (closed): after the end of input, nothing came back for the last line sent before
// the wait for replies ran out (--linger).
struct net_state_event {
  net_state state = net_state::connecting;
  std::int64_t retry_ms = 0;
  std::string detail;
  bool unverified = false;
  bool unanswered = false;
};

// A line of the outbox was written to the server.
struct net_sent_event {};

// The connection died with the last `lines` lines it wrote not acknowledged by the peer's TCP:
// they may not have arrived. `resent`: they are back at the head of the lines waiting
// (--resend-unacked).
struct net_unacked_event {
  std::size_t lines = 0;
  bool resent = false;
};

// An --on-connect line was written to the server, first thing on a connection.
struct net_greeting_event {
  std::string line;
};

// Something the program itself says in the transcript.
struct sys_event {
  std::string text;
};

// The log file stopped working: `text` says which file and why. The program goes on, and ends
// with status 1 (as tee does).
struct log_failed_event {
  std::string text;
};

using event =
    std::variant<keys_event, slow_tick_event, slow_done_event, resize_event, signal_event, input_closed_event,
                 input_lines_event, net_lines_event, net_writing_event, net_state_event, net_sent_event,
                 net_unacked_event, net_greeting_event, sys_event, timer_event, log_failed_event>;

}  // namespace echochat
