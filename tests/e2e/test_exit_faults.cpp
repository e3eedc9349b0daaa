// End-to-end: the ways out that are not a quit, in a pseudo-terminal. An exception thrown
// inside a coroutine and a fatal signal (raised inside, or sent from outside) still give the
// terminal back, and the exit status says what happened. Ctrl-Z and SIGTSTP give the terminal
// back while echochat is stopped, and SIGCONT makes it take the terminal again and redraw.
#include "e2e/e2e_util.hpp"
#include "e2e/torture_util.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using namespace echochat::e2e;

namespace {

// Whether echochat had taken the screen: the alternate screen and a status bar in what it
// wrote. The fault fires 0.3 s after the start, maybe before this test has looked at a single
// frame, so this is read from the whole output once it has ended.
void check_had_taken_the_screen(const pty_terminal& t) {
  CHECK(t.raw_output().find("\x1b[?1049h") != std::string::npos);
  CHECK(t.raw_output().find("q quits") != std::string::npos);
}

// Ended by `sig` itself (the default action, after the rescue handler re-raised it), with the
// terminal given back.
void check_killed_by(pty_terminal& t, int sig) {
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exited_by_signal());
  CHECK(t.term_signal() == sig);
  CHECK(t.exit_status() == 128 + sig);
  check_restored(t);
  CHECK_FALSE(screen_has(t, "hello"));
}

// While echochat is stopped the terminal is the shell's again: its modes, the main screen, the
// cursor shown.
void check_given_back_while_stopped(pty_terminal& t) {
  wait_stopped(t);
  CHECK(process_state(t.pid()) == 'T');
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  CHECK(t.cursor_visible());
  INFO("the main screen while stopped:\n" << t.screen_text());
  CHECK_FALSE(screen_has(t, "q quits"));
}

// After SIGCONT it takes the terminal again, redraws what it had, and goes on as before.
void check_taken_back_after_continue(pty_terminal& t) {
  t.send_signal(SIGCONT);
  wait_screen(
      t, [&] { return t.alt_screen() && status_complete(t) && row_is(t, bottom_row(t), "you", "hello"); },
      "the alternate screen, the status bar and 'hello' again");
  CHECK_FALSE(t.cursor_visible());
  t.write("x");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "hellox"); }, "'hellox' typed after the continue");
  quit_and_check(t);
}

}  // namespace

TEST_CASE(
    "an exception thrown inside the slow task's coroutine ends it with status 1, says why, and gives the "
    "terminal back",
    "[e2e][exit][fault]") {
  pty_terminal t(echochat_argv({"--delay", "0.3"}), 24, 80, {{"ECHOCHAT_FAULT", "throw"}});
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 1);
  CHECK_FALSE(t.exited_by_signal());
  check_had_taken_the_screen(t);
  check_restored(t);
  // The message comes after the terminal is back, so it is on the main screen.
  INFO("the main screen after exit:\n" << t.screen_text());
  CHECK(screen_has(t, "echochat: injected fault"));
}

TEST_CASE("std::abort inside the slow task ends it by SIGABRT (134), with the terminal given back first",
          "[e2e][exit][fault]") {
  const no_core_dumps no_cores;
  pty_terminal t(echochat_argv({"--delay", "0.3"}), 24, 80, {{"ECHOCHAT_FAULT", "abort"}});
  check_killed_by(t, SIGABRT);
  check_had_taken_the_screen(t);
}

TEST_CASE(
    "a SIGSEGV raised inside the slow task ends it by SIGSEGV (139), with the terminal given back first",
    "[e2e][exit][fault]") {
  const no_core_dumps no_cores;
  pty_terminal t(echochat_argv({"--delay", "0.3"}), 24, 80, {{"ECHOCHAT_FAULT", "segv"}});
  check_killed_by(t, SIGSEGV);
  check_had_taken_the_screen(t);
}

TEST_CASE(
    "a fatal signal sent from outside while idle ends it by that signal, with the terminal given back first",
    "[e2e][exit][fault]") {
  // The faults, and the signals whose default action dumps core (SIGQUIT, SIGXCPU, SIGSYS, SIGTRAP).
  const int sig = GENERATE(SIGSEGV, SIGABRT, SIGQUIT, SIGXCPU, SIGSYS, SIGTRAP);
  CAPTURE(sig);
  const no_core_dumps no_cores;
  // The slow task far away: the countdown redraws once a minute, so echochat is idle.
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  start_and_type(t);
  t.send_signal(sig);
  check_killed_by(t, sig);
}

TEST_CASE("Ctrl-Z gives the terminal back while stopped, and SIGCONT takes it again and redraws",
          "[e2e][exit][fault][suspend]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  start_and_type(t);
  t.write("\x1a");
  check_given_back_while_stopped(t);
  check_taken_back_after_continue(t);
}

TEST_CASE(
    "SIGTSTP from outside gives the terminal back while stopped, and SIGCONT takes it again and redraws",
    "[e2e][exit][fault][suspend]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  start_and_type(t);
  t.send_signal(SIGTSTP);
  check_given_back_while_stopped(t);
  check_taken_back_after_continue(t);
}

TEST_CASE("Ctrl-Z works again after a first stop and continue", "[e2e][exit][fault][suspend]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}));
  start_and_type(t);
  t.write("\x1a");
  check_given_back_while_stopped(t);
  t.send_signal(SIGCONT);
  wait_screen(
      t, [&] { return t.alt_screen() && status_complete(t) && row_is(t, bottom_row(t), "you", "hello"); },
      "the screen back after the first stop");
  t.write("\x1a");
  check_given_back_while_stopped(t);
  check_taken_back_after_continue(t);
}
