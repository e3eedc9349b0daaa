// Self-test of the pty_terminal harness against standard programs (sh, stty, cat, printf).
#include <catch2/catch.hpp>

#include "support/pty_terminal.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <system_error>

#include <signal.h>
#include <termios.h>

using echochat::testing::pty_terminal;
using echochat::testing::same_modes;
using echochat::testing::screen_position;

namespace {

// Failure deadline only: every wait returns as soon as its condition holds.
constexpr std::chrono::milliseconds deadline{5000};

}  // namespace

TEST_CASE("pty_terminal shows UTF-8 text, wide characters once", "[pty]") {
  pty_terminal t({"sh", "-c", "printf 'hello \\342\\234\\223 \\346\\227\\245\\346\\234\\254'; read x"});
  REQUIRE(t.wait_for_text("hello ✓ 日本", deadline));
  CHECK(t.row_text(0) == "hello ✓ 日本");
  CHECK(t.row_text(1).empty());
  CHECK(t.cursor() == screen_position{0, 12});  // "hello " 6 + ✓ 1 + " " 1 + 日本 2x2
  CHECK(t.rows() == 24);
  CHECK(t.cols() == 80);
  const std::string screen = t.screen_text();
  CHECK(screen.starts_with("hello ✓ 日本\n"));
  CHECK(std::count(screen.begin(), screen.end(), '\n') == 23);
  t.write("\n");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE("pty_terminal echoes input through a raw-mode cat", "[pty]") {
  pty_terminal t({"sh", "-c", "stty raw -echo && echo ready && exec cat"});
  REQUIRE(t.wait_for_text("ready", deadline));
  t.write("ping-123");
  REQUIRE(t.wait_for_text("ping-123", deadline));
  CHECK(t.raw_output().ends_with("ping-123"));  // -echo: only cat's copy, once

  SECTION("a large write does not deadlock against a child blocked on its output") {
    const std::size_t before = t.raw_output().size();
    std::string big;
    for (std::size_t i = 0; i < 256 * 1024; ++i) {
      big.push_back(static_cast<char>('a' + i % 26));
    }
    t.write(big);
    REQUIRE(t.wait_for([&] { return t.raw_output().size() >= before + big.size(); }, deadline));
    CHECK(t.raw_output().substr(before) == big);
  }
  t.send_signal(SIGKILL);
  REQUIRE(t.wait_exit(deadline));
}

TEST_CASE("pty_terminal passes the environment", "[pty]") {
  SECTION("defaults") {
    pty_terminal t(
        {"sh", "-c", "printf '[%s|%s|%s|%s]' \"$TERM\" \"$LANG\" \"$LC_ALL\" \"${COLUMNS-unset}\""});
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.row_text(0) == "[xterm-256color|C.UTF-8|C.UTF-8|unset]");
  }
  SECTION("overrides and additions") {
    pty_terminal t({"sh", "-c", "printf '[%s|%s]' \"$TERM\" \"$ECHOCHAT_PTY_TEST\""}, 24, 80,
                   {{"TERM", "dumb"}, {"ECHOCHAT_PTY_TEST", "42"}});
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.row_text(0) == "[dumb|42]");
  }
}

TEST_CASE("pty_terminal tracks alternate screen and cursor visibility", "[pty]") {
  pty_terminal t({"sh", "-c",
                  "printf 'main'; read x; printf '\\033[?1049h\\033[?25lalt'; read x; "
                  "printf '\\033[?25h\\033[?1049l'; read x"});
  REQUIRE(t.wait_for_text("main", deadline));
  CHECK_FALSE(t.alt_screen());
  CHECK(t.cursor_visible());
  t.write("\n");
  REQUIRE(t.wait_for([&] { return t.alt_screen() && !t.cursor_visible(); }, deadline));
  REQUIRE(t.wait_for_text("alt", deadline));
  CHECK(t.screen_text().find("main") == std::string::npos);
  t.write("\n");
  REQUIRE(t.wait_for([&] { return !t.alt_screen() && t.cursor_visible(); }, deadline));
  CHECK(t.row_text(0) == "main");
  t.write("\n");
  REQUIRE(t.wait_exit(deadline));
}

TEST_CASE("pty_terminal tracks bracketed paste and application cursor keys", "[pty]") {
  pty_terminal t({"sh", "-c",
                  "printf '\\033[?2004h\\033[?1h1'; read x; printf '\\033[?1;2004l2'; read x; "
                  "printf '\\033[?2004h3'; read x; printf '\\033c4'; read x"});
  REQUIRE(t.wait_for_text("1", deadline));
  CHECK(t.bracketed_paste());
  CHECK(t.application_cursor_keys());
  t.write("\n");
  REQUIRE(t.wait_for_text("2", deadline));
  CHECK_FALSE(t.bracketed_paste());
  CHECK_FALSE(t.application_cursor_keys());
  t.write("\n");
  REQUIRE(t.wait_for_text("3", deadline));
  CHECK(t.bracketed_paste());
  t.write("\n");
  REQUIRE(t.wait_for_text("4", deadline));  // RIS clears the screen and the modes
  CHECK_FALSE(t.bracketed_paste());
  t.write("\n");
  REQUIRE(t.wait_exit(deadline));
}

TEST_CASE("pty_terminal answers terminal queries through libvterm", "[pty]") {
  // DSR 6 (cursor position report): the reply comes back on stdin; show it with ESC made visible.
  pty_terminal t({"sh", "-c",
                  "stty raw -echo; printf '\\033[6n'; r=$(dd bs=1 count=6 2>/dev/null); "
                  "stty sane; printf '%s' \"$r\" | tr '\\033' E"});
  REQUIRE(t.wait_for_text("E[1;1R", deadline));
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE("pty_terminal resizes the window", "[pty]") {
  SECTION("stty size after a resize") {
    pty_terminal t({"sh", "-c", "stty size; read x; stty size; read x"}, 24, 80);
    REQUIRE(t.wait_for_text("24 80", deadline));
    t.resize(30, 100);
    CHECK(t.rows() == 30);
    CHECK(t.cols() == 100);
    t.write("\n");
    REQUIRE(t.wait_for_text("30 100", deadline));
    t.write("\n");
    REQUIRE(t.wait_exit(deadline));
  }
  SECTION("SIGWINCH reaches the foreground process group") {
    // POSIX: `wait` returns early when a trapped signal arrives (a `read` may be resumed).
    pty_terminal t({"sh", "-c", "trap 'stty size; kill $!; exit 0' WINCH; sleep 1000 & echo ready; wait"}, 24,
                   80);
    REQUIRE(t.wait_for_text("ready", deadline));
    t.resize(40, 120);
    REQUIRE(t.wait_for_text("40 120", deadline));
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 0);
  }
}

TEST_CASE("pty_terminal reports exit status and signals", "[pty]") {
  SECTION("exit code") {
    pty_terminal t({"sh", "-c", "exit 3"});
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 3);
    CHECK_FALSE(t.exited_by_signal());
    CHECK(t.term_signal() == 0);
    CHECK(t.has_exited());
  }
  SECTION("killed by SIGTERM") {
    pty_terminal t({"cat"});
    CHECK_FALSE(t.wait_exit(std::chrono::milliseconds{0}));
    CHECK_THROWS_AS(t.exit_status(), std::logic_error);
    t.send_signal(SIGTERM);
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exited_by_signal());
    CHECK(t.term_signal() == SIGTERM);
    CHECK(t.exit_status() == 128 + SIGTERM);
    t.send_signal(SIGTERM);  // no-op once reaped
  }
  SECTION("output written just before exit is all read") {
    pty_terminal t({"sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line$i; i=$((i+1)); done; exit 5"});
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 5);
    CHECK(t.raw_output().ends_with("line299\r\n"));
    CHECK(t.row_text(22) == "line299");
    REQUIRE_FALSE(t.scrollback().empty());
    CHECK(t.scrollback().front() == "line0");
  }
  SECTION("a program that cannot be executed throws") {
    CHECK_THROWS_AS(pty_terminal({"/nonexistent/echochat-no-such-program"}), std::system_error);
  }
}

TEST_CASE("pty_terminal hang_up delivers SIGHUP and keeps the last screen", "[pty]") {
  pty_terminal t({"sh", "-c", "echo before-hangup; exec cat"});
  REQUIRE(t.wait_for_text("before-hangup", deadline));
  t.hang_up();
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exited_by_signal());
  CHECK(t.term_signal() == SIGHUP);
  CHECK(t.row_text(0) == "before-hangup");
  CHECK_FALSE(t.wait_for_text("never", deadline));  // returns at once: nothing more can arrive
  CHECK_THROWS_AS(t.write("x"), std::logic_error);
  CHECK_THROWS_AS(t.slave_modes(), std::logic_error);
  t.hang_up();  // idempotent
}

TEST_CASE("pty_terminal compares slave modes before and after", "[pty]") {
  SECTION("a program that restores its modes") {
    pty_terminal t({"sh", "-c", "s=$(stty -g); stty raw -echo -icanon min 0 time 3; stty \"$s\""});
    REQUIRE(t.wait_exit(deadline));
    CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  }
  SECTION("a program that leaves raw mode on") {
    pty_terminal t({"sh", "-c", "stty raw -echo"});
    REQUIRE(t.wait_exit(deadline));
    CHECK_FALSE(same_modes(t.initial_modes(), t.slave_modes()));
  }
  SECTION("slave_modes() taken while the child waits, then after it changes them") {
    pty_terminal t({"sh", "-c", "read x; stty raw -echo; echo changed; read x"});
    const termios before = t.slave_modes();
    CHECK(same_modes(before, t.initial_modes()));
    t.write("\n");
    REQUIRE(t.wait_for_text("changed", deadline));
    CHECK_FALSE(same_modes(before, t.slave_modes()));
    CHECK((t.slave_modes().c_lflag & ECHO) == 0);
    t.write("\n");
    REQUIRE(t.wait_exit(deadline));
  }
}

TEST_CASE("pty_terminal destructor kills and reaps a running child", "[pty]") {
  pid_t pid = -1;
  {
    pty_terminal t({"cat"});
    pid = t.pid();
    REQUIRE(::kill(pid, 0) == 0);
  }
  errno = 0;
  CHECK(::kill(pid, 0) == -1);
  CHECK(errno == ESRCH);
}

TEST_CASE("pty_terminal wait_for times out when the predicate never holds", "[pty]") {
  pty_terminal t({"cat"});
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(t.wait_for_text("nothing", std::chrono::milliseconds{50}));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds{50});
}
