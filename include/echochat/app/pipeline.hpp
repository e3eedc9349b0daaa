// The coroutines of the pipeline (reader, slow task, signal watch, printer) and their
// composition. They run on one io_context; tests run them with a fake input and screen.
#pragma once

#include "echochat/core/frame.hpp"
#include "echochat/core/session.hpp"
#include "echochat/edges/async_flag.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/chat_client.hpp"
#include "echochat/edges/screen.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace echochat {

// Where finished entries go besides the screen (the log file); may be empty. Returns, the first
// time it fails, what to tell the user: a `sys` entry, and the status bar says so.
using entry_sink = std::function<std::optional<std::string>(std::span<const entry>)>;

struct pipeline_config {
  std::chrono::nanoseconds slow_delay = std::chrono::seconds(10);
  bool countdown = true;  // tick the status bar's countdown (not needed without a screen)
  std::chrono::milliseconds escape_timeout{25};
  // Standard input is data, not keys (chat mode without a terminal): line_reader, not reader.
  bool input_is_data = false;
  // Called when the slow task fires, before it reports; empty but in the tests of the exit paths
  // (ECHOCHAT_FAULT, see app.cpp), where it throws, aborts or faults.
  std::function<void()> on_slow_fire;
  // While cleared, piped data is not read (the output is backed up, see output_writer); may be
  // null. Keys are always read: q and Ctrl-C must work.
  async_flag* may_read = nullptr;
  // Takes the lines the history file keeps (chat mode); may be empty.
  std::function<void(std::vector<std::string>)> record;
};

// Decodes chunks into keys; a lone Esc is decided after `escape_timeout` of silence.
boost::asio::awaitable<void> reader(chunk_channel& chunks, event_channel& events,
                                    std::chrono::milliseconds escape_timeout);

// Cuts chunks into lines, the last one with or without its newline, and sends each burst's lines
// as one event: for standard input that is data (a pipe into chat mode), where no byte is a key.
// A line longer than max_data_line goes in pieces of that size. While `may_read` (if any) is
// cleared, it takes no chunk: the input thread then blocks, and so does whatever feeds the pipe.
inline constexpr std::size_t max_data_line = 16 * 1024 * 1024;
boost::asio::awaitable<void> line_reader(chunk_channel& chunks, event_channel& events,
                                         async_flag* may_read = nullptr);

// Says "something slow is done" after `delay`; before that, ticks whenever the countdown's
// shown value changes (if `countdown`).
boost::asio::awaitable<void> slow_task(event_channel& events, std::chrono::nanoseconds delay, bool countdown,
                                       std::function<void()> on_fire = {});

// Turns SIGWINCH and SIGCONT into a resize, SIGTSTP into a suspend and the rest into a quit.
// With no signal in the set it waits, asleep, until cancelled.
boost::asio::awaitable<void> signal_watch(boost::asio::signal_set& signals, event_channel& events);

// Sends a timer_event when `wake` expires; the printer sets it to what the mode asks for
// (mode::wake_at). Never set, it never wakes.
boost::asio::awaitable<void> wake_watch(steady_timer& wake, event_channel& events);

// Drains every queued event into the session, then draws one frame, hands the lines sent
// meanwhile to `net` (if any) and sets `wake` for the mode; returns when the session is done.
boost::asio::awaitable<void> printer(event_channel& events, screen& scr, session& s, entry_sink sink,
                                     chat_client* net, steady_timer& wake,
                                     std::function<void(std::vector<std::string>)> record = {});

// All of them together, and `net` (chat mode) beside them; returns the exit code once the printer
// ends (which cancels the rest).
boost::asio::awaitable<int> run_pipeline(chunk_channel& chunks, screen& scr, session& s,
                                         boost::asio::signal_set& signals, pipeline_config config,
                                         entry_sink sink = {}, chat_client* net = nullptr);

}  // namespace echochat
