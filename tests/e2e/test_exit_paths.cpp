// End-to-end: every way echochat ends, in a pseudo-terminal. After each the terminal is as it
// was: the same modes, the cursor shown, the main screen back without a trace of echochat.
// Bad flags end it before it touches the terminal at all.
#include "e2e/e2e_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

using namespace echochat::e2e;

namespace {

// Ended itself with `status`, the terminal given back and no trace of the typed "hello".
void check_ends_with(pty_terminal& t, int status) {
  check_ended_cleanly(t, status);
  CHECK_FALSE(screen_has(t, "hello"));
}

}  // namespace

TEST_CASE("q quits with status 0 and gives the terminal back as it was", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.write("q");
  check_ends_with(t, 0);
}

TEST_CASE("Ctrl-C quits with status 0 and gives the terminal back as it was", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.write("\x03");
  check_ends_with(t, 0);
}

TEST_CASE("SIGTERM ends it with status 143 and gives the terminal back as it was", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.send_signal(SIGTERM);
  check_ends_with(t, 143);
}

TEST_CASE("SIGINT ends it with status 130 and gives the terminal back as it was", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.send_signal(SIGINT);
  check_ends_with(t, 130);
}

TEST_CASE("SIGHUP ends it with status 129 and gives the terminal back as it was", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.send_signal(SIGHUP);
  check_ends_with(t, 129);
}

TEST_CASE("the polite signals end it like SIGTERM, with 128 + N and the terminal given back",
          "[e2e][exit][signal]") {
  // Their default action ends a program without a word; echochat takes them and quits cleanly.
  const int sig = GENERATE(SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPOLL, SIGSTKFLT, SIGPWR,
                           SIGRTMIN, SIGRTMIN + 1, SIGRTMAX);
  CAPTURE(sig);
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.send_signal(sig);
  check_ends_with(t, 128 + sig);
}

TEST_CASE("SIGXFSZ is ignored: it keeps running, and q still quits with status 0", "[e2e][exit][signal]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.send_signal(SIGXFSZ);
  t.write("!");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "hello!"); }, "'hello!' typed after SIGXFSZ");
  quit_and_check(t);
}

TEST_CASE("a terminal that hangs up ends it, as a SIGHUP", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.hang_up();
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 129);
}

TEST_CASE("q quits at once while the slow task is still far away", "[e2e][exit]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  wait_ready(t);
  wait_screen(
      t, [&] { return status_says(t, " · slow task in "); }, "the countdown");
  t.write("q");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  check_restored(t);
}

TEST_CASE("q quits right after a resize and after a lone Esc, and gives the terminal back", "[e2e][exit]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.resize(12, 40);
  wait_screen(
      t, [&] { return status_row(t).starts_with("echochat · local echo"); }, "the status bar at 12x40");
  t.write("\x1b");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "hello<Esc>"); }, "'hello<Esc>'");
  t.write("q");
  check_ends_with(t, 0);
}

TEST_CASE("a bad flag gets one line naming it and a non-zero exit, and the terminal is never touched",
          "[e2e][exit][flags]") {
  const auto [flags, named] = GENERATE(table<std::vector<std::string>, std::vector<std::string>>({
      {{"--delay", "-1"}, {"--delay", "-1"}},
      {{"--delay", "abc"}, {"--delay", "abc"}},
      {{"--delay", "inf"}, {"--delay", "inf"}},
      {{"--bogus"}, {"--bogus"}},
  }));
  CAPTURE(flags);
  // Wide enough that the line is one row of the screen too.
  pty_terminal t(echochat_argv(flags), 24, 200);
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 2);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  CHECK(t.cursor_visible());
  const std::string& raw = t.raw_output();
  CHECK(raw.find("\x1b[?1049h") == std::string::npos);
  CHECK(raw.find('\x1b') == std::string::npos);  // no escape sequence of any kind
  // One line: a single line break, at the end (the terminal turns "\n" into "\r\n").
  CHECK(raw.ends_with("\r\n"));
  CHECK(std::count(raw.begin(), raw.end(), '\n') == 1);
  const std::string line = t.row_text(0);
  CHECK(t.row_text(1).empty());
  for (const std::string& word : named) {
    CAPTURE(line, word);
    CHECK(line.find(word) != std::string::npos);
  }
}

TEST_CASE("starting and quitting leave the terminal's colour palette alone", "[e2e][exit][color]") {
  pty_terminal t(echochat_argv());
  start_and_type(t);
  t.write("q");
  check_ends_with(t, 0);
  // OSC 104 resets every colour a user (or a theme script) set with OSC 4; OSC 4 sets one.
  CHECK(t.raw_output().find("\x1b]104") == std::string::npos);
  CHECK(t.raw_output().find("\x1b]4;") == std::string::npos);
}
