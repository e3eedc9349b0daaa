// End-to-end torture: echochat in a pseudo-terminal under input nobody would type, a window
// that will not hold still, windows too small for anything, and a terminal that goes away in
// the middle of a flood. Afterwards it still works, and it always gives the terminal back.
#include "e2e/e2e_util.hpp"
#include "e2e/torture_util.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace echochat::e2e;

namespace {

// Types `text` on a fresh entry, finishes it, and waits to see it as the newest entry.
void type_entry_and_see(pty_terminal& t, const std::string& text) {
  t.write(text + "\r");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", text) && status_complete(t); },
      "the entry '" + text + "' at the bottom and the whole status bar");
}

// The line between the transcript and the status bar, `cols` cells wide.
std::string separator(int cols) {
  std::string line;
  for (int c = 0; c < cols; ++c) line += "─";
  return line;
}

}  // namespace

TEST_CASE(
    "after 200 KB of random bytes, escape fragments and invalid UTF-8, typing still works and q quits "
    "cleanly",
    "[e2e][torture][noise]") {
  const std::uint32_t seed = GENERATE(1u, 20240501u, 0xC0FFEEu);
  CAPTURE(seed);
  const std::string noise = input_noise(200 * 1024, seed);
  REQUIRE(noise.find('q') == std::string::npos);
  REQUIRE(noise.find('\x03') == std::string::npos);
  REQUIRE(noise.find('\x1a') == std::string::npos);

  pty_terminal t(echochat_argv({"--delay", "100000"}));
  wait_ready(t);
  t.write(noise, flood_deadline);
  // The noise may have left a bracketed paste open: close it. Then Enter finishes whatever
  // entry the noise was typing (an Enter ends any half-read escape sequence too).
  t.write("\x1b[201~\r");
  type_entry_and_see(t, "hello");
  CHECK(t.alt_screen());
  CHECK_FALSE(t.has_exited());
  // None of the noise reached the terminal as control: nothing rang, set a title or showed the
  // cursor.
  CHECK(t.bell_count() == 0);
  CHECK(t.raw_output().find("\x1b]") == std::string::npos);
  CHECK_FALSE(t.cursor_visible());
  // Drawn anew at another width, the screen holds its layout. (A full redraw: libvterm 0.1.4's
  // width tables and its handling of a combining mark in the last column differ from the C
  // library's, so cells drawn during the noise are not what this checks.)
  t.resize(24, 100);
  wait_screen(
      t,
      [&] {
        return status_complete(t) && t.row_text(t.rows() - 2) == separator(100) &&
               row_is(t, bottom_row(t), "you", "hello");
      },
      "the whole screen redrawn at 24x100");
  type_entry_and_see(t, "wörld 日本");
  quit_and_check(t);
}

TEST_CASE(
    "after a storm of 300 resizes down to 1x1 and back to 24x80 it draws the whole screen and typing works",
    "[e2e][torture][resize]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  wait_ready(t);
  type_entry_and_see(t, "before");

  std::mt19937 rng(4242);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::vector<std::pair<int, int>> tiny{{1, 1}, {1, 2}, {2, 1}, {2, 8}, {1, 80}, {24, 1}, {3, 3}};
  for (int i = 0; i < 300; ++i) {
    const auto [rows, cols] = i % 3 == 0 ? tiny[static_cast<std::size_t>(between(0, 6))]
                                         : std::pair{between(1, 60), between(1, 200)};
    t.resize(rows, cols);
    if (i % 50 == 0) t.write("a");  // keys in the middle of it all
  }
  t.resize(24, 80);
  wait_screen(
      t,
      [&] {
        return t.alt_screen() && status_complete(t) && row_is(t, bottom_row(t), "you", "aaaaaa") &&
               row_is(t, bottom_row(t) - 1, "you", "before") && t.row_text(t.rows() - 2) == separator(80);
      },
      "the transcript, the separator and the status bar at 24x80");
  CHECK_FALSE(t.has_exited());
  t.write("b");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "aaaaaab"); }, "'aaaaaab' typed after the storm");
  quit_and_check(t);
}

TEST_CASE("started on a terminal too small for anything it runs, and q quits cleanly",
          "[e2e][torture][resize]") {
  const auto [rows, cols] = GENERATE(std::pair{1, 1}, std::pair{2, 8}, std::pair{1, 2}, std::pair{2, 1});
  CAPTURE(rows, cols);
  pty_terminal t(echochat_argv({"--delay", "100000"}), rows, cols);
  // Something of the status bar is drawn: it keeps how to quit when nothing else fits.
  wait_screen(
      t, [&] { return t.alt_screen() && t.row_text(rows - 1).starts_with("q"); },
      "the start of the status bar in the last row");
  t.write("ab");
  // Typed while nothing of the transcript fits: they show once the window is big enough.
  t.resize(24, 80);
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "ab") && status_says(t, keys_part(2)); },
      "'ab' and 2 keys at 24x80");
  t.resize(rows, cols);
  wait_screen(
      t, [&] { return t.row_text(rows - 1).starts_with("q"); }, "the small screen again");
  quit_and_check(t);
}

TEST_CASE("started on a 1x1 or 2x8 terminal it quits cleanly on q without ever growing",
          "[e2e][torture][resize]") {
  const auto [rows, cols] = GENERATE(std::pair{1, 1}, std::pair{2, 8});
  CAPTURE(rows, cols);
  pty_terminal t(echochat_argv({"--delay", "100000"}), rows, cols);
  wait_screen(
      t, [&] { return t.alt_screen() && t.row_text(rows - 1).starts_with("q"); },
      "the start of the status bar in the last row");
  quit_and_check(t);
}

TEST_CASE("a terminal that hangs up in the middle of a paste flood ends it promptly, as a SIGHUP",
          "[e2e][torture][hangup]") {
  const bool bracketed = GENERATE(false, true);
  CAPTURE(bracketed);
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  wait_ready(t);
  std::string flood;
  if (bracketed) flood += "\x1b[200~";
  // Many times what the pty holds: when write returns, echochat has most of it still to work
  // through, and the terminal goes away under it.
  const std::size_t size = bracketed ? 512 * 1024 : 256 * 1024;
  for (int i = 0; flood.size() < size; ++i) flood += "flood line " + std::to_string(i) + " with some words\r";
  t.write(flood, flood_deadline);
  t.hang_up();
  // A failure deadline only: a program that keeps running on the dead terminal never ends.
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 129);
}

TEST_CASE("a terminal that hangs up while noise is flooding in ends it promptly, as a SIGHUP",
          "[e2e][torture][hangup]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  wait_ready(t);
  t.write(input_noise(256 * 1024, 7u), flood_deadline);
  t.hang_up();
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 129);
}

// test_plain_mode.cpp covers TERM=dumb, test_local_echo.cpp an unknown TERM (drawn as xterm);
// this adds an empty TERM and that the reason is said once, by echochat, with no complaint from
// the terminal library.
TEST_CASE("a terminal that cannot show a screen gets exactly one sys line saying why, and nothing else",
          "[e2e][torture][term]") {
  const auto [term, why] = GENERATE(table<std::string, std::string>({
      {"", "TERM is not set"},
      {"dumb", "TERM=dumb"},
  }));
  CAPTURE(term);
  pty_terminal t(echochat_argv({"--delay", "100000"}), 24, 80, {{"TERM", term}});
  wait_screen(
      t, [&] { return t.row_text(0).starts_with("sys plain mode: "); }, "the sys line");
  // Each key comes at once (canonical mode and echo off): the entry shows as it is typed.
  wait_screen(
      t, [&] { return (t.slave_modes().c_lflag & (ICANON | ECHO)) == 0; }, "the terminal's modes set");
  t.write("hi");
  wait_screen(
      t, [&] { return t.row_text(1) == "you hi"; }, "'you hi' as it is typed");
  t.write("q");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  INFO("the screen:\n" << t.screen_text());
  CHECK(t.row_text(0).find(why) != std::string::npos);
  // Nothing else: no second sys line, no complaint from the terminal library, no escapes.
  for (int r = 2; r < t.rows(); ++r) CHECK(t.row_text(r).empty());
  CHECK(t.raw_output().find('\x1b') == std::string::npos);
}
