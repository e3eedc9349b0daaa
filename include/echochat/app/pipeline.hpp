// The coroutines of the pipeline (reader, slow task, signal watch, printer) and their
// composition. They run on one io_context; tests run them with a fake input and screen.
#pragma once

#include "echochat/core/session.hpp"
#include "echochat/core/options.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/net_client.hpp"
#include "echochat/edges/screen.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace echochat {

// Where finished entries go besides the screen (the log file); may be empty.
using entry_sink = std::function<void(std::span<const entry>)>;

struct pipeline_config {
  std::chrono::nanoseconds slow_delay = std::chrono::seconds(10);
  bool countdown = true;  // tick the status bar's countdown (not needed without a screen)
  std::chrono::milliseconds escape_timeout{25};
  std::optional<host_port> connect;  // chat mode: the server
  backoff_policy backoff;
  // A test hook (environment ECHOCHAT_FAULT): when the slow task fires it throws ("throw"),
  // aborts ("abort") or faults ("segv") instead, so the tests can check that every way out
  // gives the terminal back.
  std::string fault;
};

// Decodes chunks into keys; a lone Esc is decided after `escape_timeout` of silence.
boost::asio::awaitable<void> reader(chunk_channel& chunks, event_channel& events,
                                    std::chrono::milliseconds escape_timeout);

// Says "something slow is done" after `delay`; before that, ticks whenever the countdown's
// shown value changes (if `countdown`).
boost::asio::awaitable<void> slow_task(event_channel& events, std::chrono::nanoseconds delay, bool countdown,
                                       std::string fault = {});

// Turns SIGWINCH into a resize and SIGINT / SIGTERM / SIGHUP into a quit.
boost::asio::awaitable<void> signal_watch(boost::asio::signal_set& signals, event_channel& events);

// Drains every queued event into the session, then draws once and calls `after_frame` (which wakes
// the network writer); returns when the session is done.
boost::asio::awaitable<void> printer(event_channel& events, screen& scr, session& s, entry_sink sink,
                                     std::function<void()> after_frame = {});

// All of them together; returns the exit code once the printer ends (which cancels the rest).
// `signals` may be null (tests).
boost::asio::awaitable<int> run_pipeline(chunk_channel& chunks, screen& scr, session& s,
                                         boost::asio::signal_set* signals, pipeline_config config,
                                         entry_sink sink = {});

}  // namespace echochat
