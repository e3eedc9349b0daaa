// The real coroutines on a real io_context, with a scripted input and a recording screen.
#include "echochat/app/pipeline.hpp"
#include "echochat/edges/input_thread.hpp"
#include "pipeline/pipeline_util.hpp"
#include "support/session_util.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <optional>
#include <stdexcept>

using namespace echochat;
using echochat::testing::pipeline_rig;
using echochat::testing::plain_config;
using echochat::testing::texts;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// The pipeline run to its end in one go: the test queues all input first, then run().
struct harness : pipeline_rig {
  explicit harness(session_config sc = {}) : pipeline_rig(std::move(sc)) {}

  void send(std::string bytes) { REQUIRE(chunks.try_send(boost::system::error_code{}, std::move(bytes))); }
  void send_eof() { REQUIRE(chunks.try_send(asio::error::eof, std::string{})); }

  // Runs until the pipeline ends; fails the test if it does not end within the deadline.
  void run(std::chrono::seconds deadline = 10s) {
    asio::co_spawn(io, run_pipeline(chunks, scr, s, no_signals, config), [&](std::exception_ptr e, int code) {
      if (e) std::rethrow_exception(e);
      exit_code = code;
    });
    io.run_for(deadline);
    REQUIRE(exit_code.has_value());
  }
};

}  // namespace

TEST_CASE("keys typed in chunks reach the transcript in order and q ends the pipeline", "[pipeline]") {
  harness h;
  h.send("hel");
  h.send("lo\r");
  h.send("wörld\x1b[A");
  h.send("q");
  h.run();
  CHECK(*h.exit_code == 0);
  CHECK(texts(h.s) == std::vector<std::string>{"you hello", "you wörld<Up>"});
  CHECK(h.scr.finished);
}

TEST_CASE("q ends everything while the slow task is far away and no input is coming", "[pipeline]") {
  harness h;
  h.config.slow_delay = std::chrono::hours(24);
  h.send("q");
  h.run();  // returns only if the slow timer and the reader were cancelled
  CHECK(h.s.why() == quit_reason::key);
  CHECK(h.io.stopped());
}

TEST_CASE("the printer draws once per batch, not once per key", "[pipeline]") {
  harness h;
  for (int i = 0; i < 50; ++i) h.send("abcdefgh");
  h.send("q");
  h.run();
  CHECK(h.s.key_count() == 401);
  CHECK(h.scr.draws == 2);  // the first frame, then one for everything that was waiting
}

TEST_CASE("a lone Esc becomes a key after the timeout", "[pipeline][esc]") {
  harness h;
  h.config.escape_timeout = 5ms;
  h.send("\x1b");
  asio::co_spawn(
      h.io,
      [&]() -> asio::awaitable<void> {
        // Wait until the Esc has been decided, then quit.
        asio::steady_timer t(h.io);
        while (h.s.key_count() == 0) {
          t.expires_after(1ms);
          co_await t.async_wait(asio::use_awaitable);
        }
        h.chunks.try_send(boost::system::error_code{}, std::string{"q"});
      },
      asio::detached);
  h.run();
  CHECK(texts(h.s) == std::vector<std::string>{"you <Esc>"});
}

TEST_CASE("an Esc followed by the rest of its sequence is one key", "[pipeline][esc]") {
  harness h;
  h.config.escape_timeout = std::chrono::milliseconds(60'000);  // never decides in this test
  h.send("\x1b");
  h.send("[B");
  h.send("q");
  h.run();
  CHECK(texts(h.s) == std::vector<std::string>{"you <Down>"});
}

TEST_CASE("the slow task reports after its delay, in the middle of typing", "[pipeline][slow]") {
  harness h;
  h.config.slow_delay = 0ms;
  h.send("ab");
  asio::co_spawn(
      h.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(h.io);
        while (h.s.entries().finished().empty()) {
          t.expires_after(1ms);
          co_await t.async_wait(asio::use_awaitable);
        }
        h.chunks.try_send(boost::system::error_code{}, std::string{"cq"});
      },
      asio::detached);
  h.run();
  CHECK(texts(h.s) == std::vector<std::string>{"slow something slow is done", "you abc"});
}

TEST_CASE("without a terminal, end of input ends the pipeline once the slow task is done",
          "[pipeline][plain]") {
  harness h(plain_config());
  h.config.slow_delay = 20ms;
  h.config.countdown = false;
  h.send("hi\r");
  h.send_eof();
  h.run();
  CHECK(*h.exit_code == 0);
  CHECK(h.scr.fresh_lines == std::vector<std::string>{"you hi", "slow something slow is done"});
}

TEST_CASE("with a terminal, end of input is a hang-up that ends the pipeline", "[pipeline]") {
  harness h;
  h.send("abc");
  h.send_eof();
  h.run();
  CHECK(h.s.why() == quit_reason::hangup);
  CHECK(texts(h.s) == std::vector<std::string>{"you abc"});
}

TEST_CASE("the input thread hands a pipe's bytes to the pipeline and reports its end",
          "[pipeline][input_thread]") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  harness h(plain_config());
  h.config.slow_delay = 0ms;
  h.config.countdown = false;
  {
    input_thread reader_thread(fds[0], h.chunks);
    const std::string typed = "first\rsecond\r";
    REQUIRE(::write(fds[1], typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
    ::close(fds[1]);
    h.run();
  }
  ::close(fds[0]);
  // The slow task (delay 0) may report before or after the typing; the typing keeps its order.
  auto lines = h.scr.fresh_lines;
  const auto slow = std::find(lines.begin(), lines.end(), "slow something slow is done");
  REQUIRE(slow != lines.end());
  lines.erase(slow);
  CHECK(lines == std::vector<std::string>{"you first", "you second"});
}

TEST_CASE("the input thread stops at once while blocked waiting for a key", "[pipeline][input_thread]") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  asio::io_context io;
  chunk_channel chunks(io, 4);
  auto reader_thread = std::make_unique<input_thread>(fds[0], chunks);
  // The destructor runs on a thread of its own, and must return although nothing is ever
  // written. If it hangs, a byte written to the pipe lets it return, so the test fails rather
  // than hangs; the wait is for a hang, not a measure of speed.
  std::promise<void> destroyed;
  std::future<void> done = destroyed.get_future();
  std::thread stopper([&] {
    reader_thread.reset();
    destroyed.set_value();
  });
  const bool returned = done.wait_for(10s) == std::future_status::ready;
  if (!returned) REQUIRE(::write(fds[1], "x", 1) == 1);
  stopper.join();
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK(returned);
}

TEST_CASE("a paste larger than the chunk channel arrives whole and in order", "[pipeline][input_thread]") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  harness h(plain_config());
  h.config.slow_delay = 0ms;
  h.config.countdown = false;
  std::string typed;
  for (int i = 0; i < 5000; ++i) typed += "line " + std::to_string(i) + "\r";
  {
    input_thread reader_thread(fds[0], h.chunks);
    std::thread writer([&] {
      std::size_t done = 0;
      while (done < typed.size()) {
        const ssize_t n = ::write(fds[1], typed.data() + done, typed.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      ::close(fds[1]);
    });
    h.run();
    writer.join();
  }
  ::close(fds[0]);
  auto lines = h.scr.fresh_lines;
  const auto slow = std::find(lines.begin(), lines.end(), "slow something slow is done");
  REQUIRE(slow != lines.end());
  lines.erase(slow);
  REQUIRE(lines.size() == 5000);
  for (int i = 0; i < 5000; ++i)
    REQUIRE(lines[static_cast<std::size_t>(i)] == "you line " + std::to_string(i));
}

TEST_CASE("an exception in a producer ends the pipeline and reaches its caller", "[pipeline][fault]") {
  harness h;
  h.config.slow_delay = 0ms;
  h.config.on_slow_fire = [] { throw std::runtime_error("injected fault (ECHOCHAT_FAULT=throw)"); };
  std::exception_ptr failure;
  asio::co_spawn(h.io, run_pipeline(h.chunks, h.scr, h.s, h.no_signals, h.config),
                 [&](std::exception_ptr e, int) { failure = e; });
  h.io.run_for(10s);
  REQUIRE(failure);
  CHECK_THROWS_WITH(std::rethrow_exception(failure), Catch::Contains("injected fault"));
}
