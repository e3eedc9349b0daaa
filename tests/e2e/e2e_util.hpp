// Shared helpers of the end-to-end tests: the built echochat in a pseudo-terminal (through
// pty_terminal) or on pipes, and what its screen looks like.
#pragma once

#include "support/pty_terminal.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace echochat::e2e {

using testing::pty_terminal;
using testing::same_modes;

// A failure deadline only: every wait returns as soon as its condition holds.
constexpr std::chrono::milliseconds deadline{10000};

// Our environment with LANG and LC_ALL set to C.UTF-8: for a child started on pipes.
inline std::vector<std::string> utf8_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry{*e};
    if (!entry.starts_with("LANG=") && !entry.starts_with("LC_ALL=")) env.emplace_back(entry);
  }
  env.emplace_back("LANG=C.UTF-8");
  env.emplace_back("LC_ALL=C.UTF-8");
  return env;
}

// The NULL-terminated array execve() takes; valid while `strings` lives unchanged.
inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

inline std::vector<std::string> echochat_argv(std::vector<std::string> flags = {}) {
  flags.insert(flags.begin(), ECHOCHAT_BINARY);
  return flags;
}

// Waits until pred() holds; fails the test with `what` and the screen as it is otherwise.
inline void wait_screen(pty_terminal& t, const std::function<bool()>& pred, std::string_view what) {
  if (!t.wait_for(pred, deadline)) {
    FAIL("waited in vain for " << what << "; the screen (" << t.rows() << "x" << t.cols() << "):\n"
                               << t.screen_text());
  }
}

inline std::string status_row(const pty_terminal& t) { return t.row_text(t.rows() - 1); }

// The status bar in full: the mode first and how to quit last.
inline bool status_complete(const pty_terminal& t) {
  const std::string s = status_row(t);
  return s.starts_with("echochat · local echo · ") && s.ends_with(" · q quits");
}

// Waits for the first frame: echochat is on the alternate screen with its status bar.
inline void wait_ready(pty_terminal& t) {
  wait_screen(
      t, [&] { return t.alt_screen() && status_complete(t); }, "the status bar");
}

inline bool status_says(const pty_terminal& t, std::string_view part) {
  return status_complete(t) && status_row(t).find(part) != std::string::npos;
}

inline std::string keys_part(int n) {
  return " · " + std::to_string(n) + (n == 1 ? " key" : " keys") + " · ";
}

// An entry's first row without its time: the source tag in a 6-cell column, then the text.
inline std::string entry(std::string_view tag, std::string_view text) {
  std::string out{tag};
  out.resize(6, ' ');
  out += text;
  return out;
}

// The row without its "HH:MM:SS " time, or nothing if the row does not start with a time.
inline std::optional<std::string> after_time(const std::string& row) {
  if (row.size() < 9 || row[2] != ':' || row[5] != ':' || row[8] != ' ') return std::nullopt;
  for (int i : {0, 1, 3, 4, 6, 7}) {
    if (std::isdigit(static_cast<unsigned char>(row[static_cast<std::size_t>(i)])) == 0) return std::nullopt;
  }
  return row.substr(9);
}

// Whether `row` of the screen is the first row of entry(tag, text).
inline bool row_is(const pty_terminal& t, int row, std::string_view tag, std::string_view text) {
  if (row < 0 || row >= t.rows()) return false;
  const auto rest = after_time(t.row_text(row));
  return rest && *rest == entry(tag, text);
}

// The screen row showing entry(tag, text), or -1.
inline int find_entry(const pty_terminal& t, std::string_view tag, std::string_view text) {
  for (int r = 0; r < t.rows(); ++r) {
    if (row_is(t, r, tag, text)) return r;
  }
  return -1;
}

// The last transcript row: above the separator and the status bar.
inline int bottom_row(const pty_terminal& t) { return t.rows() - 3; }

inline bool screen_has(const pty_terminal& t, std::string_view text) {
  return t.screen_text().find(text) != std::string::npos;
}

// After echochat has exited: the terminal is as it was before, and nothing of echochat's
// screen is left on the main screen.
inline void check_restored(const pty_terminal& t) {
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  CHECK(t.cursor_visible());
  INFO("the main screen after exit:\n" << t.screen_text());
  CHECK_FALSE(screen_has(t, "q quits"));
  CHECK_FALSE(screen_has(t, "echochat ·"));
}

// Starts echochat, waits for its screen, types a little so there is a transcript to clean up.
inline void start_and_type(pty_terminal& t) {
  wait_ready(t);
  t.write("hello");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "hello") && status_says(t, keys_part(5)); },
      "'hello' typed");
}

// echochat ended itself (not by a signal) with `status`, and gave the terminal back.
inline void check_ended_cleanly(pty_terminal& t, int status) {
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == status);
  CHECK_FALSE(t.exited_by_signal());
  check_restored(t);
}

// q quits with status 0 and the terminal is given back.
inline void quit_and_check(pty_terminal& t) {
  t.write("q");
  check_ended_cleanly(t, 0);
}

}  // namespace echochat::e2e
