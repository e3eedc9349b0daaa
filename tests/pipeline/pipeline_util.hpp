// Pipeline test support: a screen that records what the printer drew, and the parts every
// in-process pipeline test runs on (one io_context, the key chunks, the session).
#pragma once

#include "echochat/app/pipeline.hpp"
#include "echochat/edges/chat_client.hpp"
#include "echochat/edges/screen.hpp"
#include "support/session_util.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat::testing {

// Stands in for ncurses or plain output: counts draws and resizes, keeps the fresh entries it
// was given as "tag text", and reports whatever size the test sets. Like every screen, it sees
// frames only.
struct recording_screen final : screen {
  int draws = 0;
  int resizes = 0;
  bool finished = false;
  std::vector<std::string> fresh_lines;
  term_size next_size{24, 80};
  term_size size() override { return next_size; }
  term_size resize() override {
    ++resizes;
    return next_size;
  }
  void draw(const frame& f) override {
    ++draws;
    for (const auto& e : f.fresh) fresh_lines.push_back(std::string{source_tag(e.src)} + " " + e.text);
  }
  void finish(const frame&) override { finished = true; }
};

// What run_pipeline needs, owned in one place; the harnesses add how they drive it. The slow
// task is an hour away so that it never fires unless a test asks for it, and the signal set
// watches no signal.
struct pipeline_rig {
  boost::asio::io_context io{1};
  chunk_channel chunks{io, 64};
  boost::asio::signal_set no_signals{io};
  recording_screen scr;
  session s;
  pipeline_config config;
  std::optional<int> exit_code;

  explicit pipeline_rig(session_config sc) : s(std::move(sc)) { config.slow_delay = std::chrono::hours(1); }
  pipeline_rig(const pipeline_rig&) = delete;
  pipeline_rig& operator=(const pipeline_rig&) = delete;
};

// The pipeline in chat mode with a chat client, driven step by step from the test: run_until()
// runs the io_context until a condition holds. The client retries quickly (20 ms, then up to
// 100 ms) so that reconnect tests do not wait.
struct net_rig : pipeline_rig {
  static constexpr std::chrono::milliseconds deadline{10'000};  // a failure deadline only
  std::exception_ptr failure;
  chat_client net;

  net_rig(session_config sc, const std::string& name, connection_factory connect,
          std::chrono::milliseconds connect_timeout = default_connect_timeout)
      : pipeline_rig(std::move(sc)),
        net(io.get_executor(), name, std::move(connect), quick_retry(), connect_timeout) {}

  static backoff_policy quick_retry() {
    backoff_policy b;
    b.first = std::chrono::milliseconds(20);
    b.most = std::chrono::milliseconds(100);
    return b;
  }

  // Ends the pipeline if the test has not (Ctrl-C always quits), so that nothing outlives it.
  ~net_rig() {
    if (exit_code || failure || io.stopped()) return;
    chunks.try_send(boost::system::error_code{}, std::string{"\x03"});
    const auto stop = std::chrono::steady_clock::now() + deadline;
    while (!exit_code && !failure && !io.stopped() && std::chrono::steady_clock::now() < stop) {
      io.run_one_for(std::chrono::milliseconds(10));
    }
  }

  void start() {
    boost::asio::co_spawn(io, run_pipeline(chunks, scr, s, no_signals, config, {}, &net),
                          [this](std::exception_ptr e, int code) {
                            failure = e;
                            exit_code = code;
                          });
  }

  // Runs the pipeline until pred() holds; false at the deadline or when the io_context ran out
  // of work first.
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = deadline) {
    const auto stop = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (failure) std::rethrow_exception(failure);
      if (io.stopped() || std::chrono::steady_clock::now() >= stop) return pred();
      io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  void type(std::string bytes) { REQUIRE(chunks.try_send(boost::system::error_code{}, std::move(bytes))); }
  void end_input() { REQUIRE(chunks.try_send(boost::asio::error::eof, std::string{})); }

  // Every entry as "tag text".
  std::vector<std::string> texts() const { return echochat::testing::texts(s); }
  std::size_t count_starting(std::string_view prefix) const {
    const auto t = texts();
    return static_cast<std::size_t>(
        std::count_if(t.begin(), t.end(), [&](const std::string& e) { return e.starts_with(prefix); }));
  }
  std::vector<std::string> net_lines() const {
    std::vector<std::string> out;
    for (const auto& e : texts()) {
      if (e.starts_with("net ")) out.push_back(e.substr(4));
    }
    return out;
  }

  void wait_online(const test_server& server, std::size_t clients = 1) {
    INFO("the transcript: " << Catch::Detail::stringify(texts()));
    REQUIRE(
        run_until([&] { return s.connection().state == net_state::online && server.clients() == clients; }));
  }

  // Ctrl-C, and the pipeline has ended with exit code 0.
  void quit() {
    type("\x03");
    REQUIRE(run_until([&] { return exit_code.has_value(); }));
    CHECK(*exit_code == 0);
  }
};

}  // namespace echochat::testing
