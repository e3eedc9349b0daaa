// Pipeline test support: a screen that records what the printer drew, and the parts every
// in-process pipeline test runs on (one io_context, the key chunks, the session).
#pragma once

#include "echochat/app/pipeline.hpp"
#include "echochat/edges/screen.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
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

}  // namespace echochat::testing
