// End-to-end: chat input like a shell. The built echochat in a pseudo-terminal against the
// in-process test server: history kept across runs (in a scratch XDG_STATE_HOME, never the
// user's), /secret, a damaged file, Ctrl-R, /find with its highlight, the wheel, the new marker.
#include "e2e/e2e_util.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>

using namespace echochat::e2e;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;
using echochat::testing::test_server;

namespace {

constexpr int rows = 24;
constexpr int cols = 140;
constexpr int last_row = rows - 4;  // the last transcript row: above the separator, status and input

// Chat mode with the slow task out of the way and the history under `state`.
std::vector<std::string> chat_argv(const test_server& server, std::vector<std::string> more = {}) {
  std::vector<std::string> flags{"--connect", server.address(), "--delay", "3600"};
  flags.insert(flags.end(), more.begin(), more.end());
  return echochat_argv(flags);
}

pty_terminal::environment state_home(const temp_dir& state) {
  return {{"XDG_STATE_HOME", state.path.string()}};
}

std::filesystem::path history_of(const temp_dir& state) { return state.path / "echochat" / "history"; }

std::string chat_status(const pty_terminal& t) { return t.row_text(t.rows() - 2); }
std::string input_row(const pty_terminal& t) { return t.row_text(t.rows() - 1); }

bool chat_status_says(const pty_terminal& t, std::string_view part) {
  const std::string s = chat_status(t);
  return s.starts_with("echochat · ") && s.ends_with(" · Ctrl-D quits") && s.find(part) != std::string::npos;
}

// Online, and the server has accepted the `nth` connection of the test (so it can send to it).
void wait_online(pty_terminal& t, test_server& server, std::size_t nth = 1) {
  wait_screen(
      t, [&] { return t.alt_screen() && chat_status_says(t, " · online · "); }, "online on the status bar");
  if (!server.wait_for([&] { return server.accepted() >= nth; }, deadline))
    FAIL("the server never saw the client");
}

void quit(pty_terminal& t) {
  t.write("\x03");  // Ctrl-C
  check_ended_cleanly(t, 0);
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

// The server sends `lines`, and the last of them shows.
void server_says(pty_terminal& t, test_server& server, const std::vector<std::string>& lines) {
  for (const auto& l : lines) server.send_line(l);
  wait_screen(
      t, [&] { return find_entry(t, "net", lines.back()) >= 0; }, "the server's lines");
}

std::vector<std::string> numbered(std::string_view stem, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::string{stem} + " " + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("lines sent are in a private history file, and Up recalls them in the next run",
          "[chat][e2e][history]") {
  temp_dir state("echochat-e2e-history");
  test_server server;
  {
    pty_terminal t(chat_argv(server), rows, cols, state_home(state));
    wait_online(t, server);
    t.write("first line\r");
    t.write("second line\r");
    if (!server.wait_for([&] { return server.count("second line") == 1; }, deadline))
      FAIL("the lines never came");
    quit(t);
  }
  const auto path = history_of(state);
  CHECK(read_lines(path) ==
        std::vector<std::string>{server.address() + "\tfirst line", server.address() + "\tsecond line"});
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  pty_terminal t(chat_argv(server), rows, cols, state_home(state));
  wait_online(t, server, 2);
  t.write("\x1b[A");  // Up
  wait_screen(
      t, [&] { return input_row(t) == "> second line"; }, "the last run's line recalled");
  t.write("\x1b[A");
  wait_screen(
      t, [&] { return input_row(t) == "> first line"; }, "the line before it");
  quit(t);
}

TEST_CASE("with /secret on, the lines sent stay out of the history file, and --no-history keeps none",
          "[chat][e2e][history]") {
  temp_dir state("echochat-e2e-history");
  test_server server;
  SECTION("/secret") {
    pty_terminal t(chat_argv(server), rows, cols, state_home(state));
    wait_online(t, server);
    t.write("/secret\r");
    wait_screen(
        t, [&] { return chat_status_says(t, " · secret"); }, "secret on the status bar");
    t.write("my password\r/secret\r");
    wait_screen(
        t, [&] { return !chat_status_says(t, "secret") && chat_status_says(t, "online"); },
        "secret off again");
    t.write("public\r");
    if (!server.wait_for([&] { return server.count("public") == 1; }, deadline)) FAIL("the line never came");
    quit(t);
    CHECK(server.count("my password") == 1);  // sent all the same
    CHECK(read_lines(history_of(state)) == std::vector<std::string>{server.address() + "\tpublic"});
  }
  SECTION("--no-history") {
    pty_terminal t(chat_argv(server, {"--no-history"}), rows, cols, state_home(state));
    wait_online(t, server);
    t.write("not kept\r");
    if (!server.wait_for([&] { return server.count("not kept") == 1; }, deadline))
      FAIL("the line never came");
    quit(t);
    CHECK_FALSE(std::filesystem::exists(history_of(state)));
  }
}

TEST_CASE("Up meets the lines sent to this destination first, then those sent elsewhere",
          "[chat][e2e][history]") {
  temp_dir state("echochat-e2e-history");
  test_server server;
  write_file(history_of(state), server.address() + "\tmine\nelsewhere.example:6667\tfor another server\n");
  pty_terminal t(chat_argv(server), rows, cols, state_home(state));
  wait_online(t, server);
  t.write("\x1b[A");
  wait_screen(
      t, [&] { return input_row(t) == "> mine"; }, "this destination's line first");
  t.write("\x1b[A");
  wait_screen(
      t, [&] { return input_row(t) == "> for another server"; }, "then the other destination's");
  t.write("\r");
  if (!server.wait_for([&] { return server.count("for another server") == 1; }, deadline)) FAIL("not sent");
  quit(t);
  // Sent here, it is stored with this destination now.
  CHECK(read_lines(history_of(state)).back() == server.address() + "\tfor another server");
}

TEST_CASE("a damaged history file is a sys entry, and what can be read of it is recalled",
          "[chat][e2e][history]") {
  temp_dir state("echochat-e2e-history");
  test_server server;
  write_file(history_of(state), std::string("garbage without a tab\n") + server.address() + "\tgood line\n");
  pty_terminal t(chat_argv(server), rows, cols, state_home(state));
  wait_online(t, server);
  wait_screen(
      t, [&] { return screen_has(t, "1 damaged line in"); }, "the sys entry about the file");
  t.write("\x1b[A");
  wait_screen(
      t, [&] { return input_row(t) == "> good line"; }, "the good line recalled");
  quit(t);
}

TEST_CASE("Ctrl-R searches the history in place of the input line, Ctrl-G gives the draft back, Enter sends",
          "[chat][e2e][search]") {
  temp_dir state("echochat-e2e-history");
  test_server server;
  std::string file;
  for (const char* l : {"git status", "make test", "git push"}) file += server.address() + "\t" + l + "\n";
  write_file(history_of(state), file);
  pty_terminal t(chat_argv(server), rows, cols, state_home(state));
  wait_online(t, server);
  t.write("my draft");
  wait_screen(
      t, [&] { return input_row(t) == "> my draft"; }, "the draft");
  t.write("\x12");  // Ctrl-R
  wait_screen(
      t, [&] { return input_row(t) == "(reverse-i-search)'':"; }, "the search prompt");
  t.write("git");
  wait_screen(
      t, [&] { return input_row(t) == "(reverse-i-search)'git': git push"; }, "the newest match");
  // The cursor stands on the match.
  CHECK(t.cursor() == echochat::testing::screen_position{rows - 1, 25});
  t.write("\x12");
  wait_screen(
      t, [&] { return input_row(t) == "(reverse-i-search)'git': git status"; }, "the older match");
  t.write("\x07");  // Ctrl-G
  wait_screen(
      t, [&] { return input_row(t) == "> my draft"; }, "the draft given back");
  t.write("\x12mak\x7f\x7f\x7fmake");  // Backspace widens, then narrows again
  wait_screen(
      t, [&] { return input_row(t) == "(reverse-i-search)'make': make test"; }, "the make match");
  t.write("\r");
  if (!server.wait_for([&] { return server.count("make test") == 1; }, deadline))
    FAIL("the match was not sent");
  wait_screen(
      t, [&] { return input_row(t) == "> my draft" || input_row(t) == ">"; }, "the input line back");
  t.write("\x12git\x1b[D");  // Ctrl-R, git, Left: the match to edit
  wait_screen(
      t, [&] { return input_row(t) == "> git push"; }, "the match in the input line");
  CHECK(t.cursor() == echochat::testing::screen_position{rows - 1, 2 + 0});
  quit(t);
}

TEST_CASE("/find scrolls to the newest match and highlights it, Up goes older, Esc goes back to the live end",
          "[chat][e2e][find]") {
  test_server server;
  pty_terminal t(chat_argv(server, {"--no-history"}), rows, cols);
  wait_online(t, server);
  std::vector<std::string> lines = numbered("line", 60);
  lines[10] = "a NEEDLE here";
  lines[30] = "needle in the middle";
  lines[45] = "the last needle";
  server_says(t, server, lines);
  t.write("draft");
  t.write("\x15/find needle\r");  // Ctrl-U, then the command
  wait_screen(
      t, [&] { return chat_status_says(t, "match 3 of 3") && input_row(t) == "find: needle"; },
      "the newest match");
  int row = find_entry(t, "net", "the last needle");
  REQUIRE(row >= 0);
  CHECK(t.reverse_text(row) == "needle");
  CHECK(find_entry(t, "net", "line 59") < 0);  // scrolled back
  t.write("\x1b[A");                           // Up: older
  wait_screen(
      t,
      [&] {
        return chat_status_says(t, "match 2 of 3") && find_entry(t, "net", "needle in the middle") >= 0;
      },
      "the older match");
  row = find_entry(t, "net", "needle in the middle");
  CHECK(t.reverse_text(row) == "needle");
  CHECK(t.reverse_text(find_entry(t, "net", "the last needle") < 0 ? 0
                                                                   : find_entry(t, "net", "the last needle"))
            .empty());
  t.write("\x12");  // Ctrl-R in the find: older too
  wait_screen(
      t, [&] { return chat_status_says(t, "match 1 of 3") && find_entry(t, "net", "a NEEDLE here") >= 0; },
      "the oldest match");
  CHECK(t.reverse_text(find_entry(t, "net", "a NEEDLE here")) == "NEEDLE");
  t.write("\x1b");  // Esc
  wait_screen(
      t, [&] { return find_entry(t, "net", "line 59") == last_row && input_row(t) == ">"; },
      "the live end and the input line");
  CHECK_FALSE(chat_status_says(t, "match"));
  quit(t);
}

TEST_CASE("Ctrl-S opens the find prompt, typing narrows it, no match says so", "[chat][e2e][find]") {
  test_server server;
  pty_terminal t(chat_argv(server, {"--no-history"}), rows, cols);
  wait_online(t, server);
  server_says(t, server, numbered("entry", 40));
  t.write("keep me");
  t.write("\x13");  // Ctrl-S
  wait_screen(
      t, [&] { return input_row(t) == "find:"; }, "the find prompt");
  t.write("entry 1");
  wait_screen(
      t, [&] { return chat_status_says(t, "match 11 of 11"); }, "entry 1 and 10 to 19");
  t.write("2");
  wait_screen(
      t,
      [&] {
        return chat_status_says(t, "match 1 of 1") &&
               t.reverse_text(find_entry(t, "net", "entry 12")) == "entry 12";
      },
      "entry 12 highlighted");
  t.write("x");
  wait_screen(
      t, [&] { return chat_status_says(t, "no match"); }, "no match");
  t.write("\x1b");
  wait_screen(
      t, [&] { return input_row(t) == "> keep me"; }, "the draft back");
  quit(t);
}

TEST_CASE("with --mouse the wheel scrolls three rows and mouse reporting is on only while echochat runs",
          "[chat][e2e][mouse]") {
  test_server server;
  pty_terminal t(chat_argv(server, {"--no-history", "--mouse"}), rows, cols);
  wait_online(t, server);
  CHECK(t.raw_output().find("\x1b[?1006h") != std::string::npos);
  server_says(t, server, numbered("line", 60));
  const int bottom = last_row;
  wait_screen(
      t, [&] { return row_is(t, bottom, "net", "line 59"); }, "the live end");
  t.write("\x1b[<64;10;5M");  // the wheel, up
  wait_screen(
      t, [&] { return row_is(t, bottom, "net", "line 56") && chat_status_says(t, "scrolled back"); },
      "three rows back");
  t.write("\x1b[<64;10;5M\x1b[<65;10;5M\x1b[<0;10;5M\x1b[<0;10;5m");  // up, down, a click: ignored
  wait_screen(
      t, [&] { return row_is(t, bottom, "net", "line 56"); }, "still three rows back");
  t.write("\x1b[<65;10;5M");
  wait_screen(
      t, [&] { return row_is(t, bottom, "net", "line 59"); }, "back at the live end");
  CHECK(input_row(t) == ">");  // no junk in the input line
  quit(t);
  CHECK(t.raw_output().rfind("\x1b[?1006l") > t.raw_output().rfind("\x1b[?1006h"));
}

TEST_CASE("without --mouse reporting stays off, and a report that arrives anyway is not junk",
          "[chat][e2e][mouse]") {
  test_server server;
  pty_terminal t(chat_argv(server, {"--no-history"}), rows, cols);
  wait_online(t, server);
  CHECK(t.raw_output().find("\x1b[?1006h") == std::string::npos);
  CHECK(t.raw_output().find("\x1b[?1000h") == std::string::npos);
  t.write("a\x1b[<0;10;5M\x1b[<0;10;5mb");
  wait_screen(
      t, [&] { return input_row(t) == "> ab"; }, "the typed text alone");
  quit(t);
}

TEST_CASE(
    "scrolled back, the status bar counts what arrives, and back at the live end a new row marks it until "
    "typing",
    "[chat][e2e][unread]") {
  test_server server;
  pty_terminal t(chat_argv(server, {"--no-history"}), rows, cols);
  wait_online(t, server);
  server_says(t, server, numbered("old", 40));
  t.write("\x1b[5~");  // PgUp
  wait_screen(
      t, [&] { return chat_status_says(t, "scrolled back"); }, "scrolled back");
  std::vector<std::string> before_rows;
  for (int r = 0; r < last_row; ++r) before_rows.push_back(t.row_text(r));
  for (const auto& l : numbered("fresh", 5)) server.send_line(l);
  wait_screen(
      t, [&] { return chat_status_says(t, "5 new ↓"); }, "5 new on the status bar");
  // The view stayed where it was: the transcript rows are as they were.
  for (int r = 0; r < last_row; ++r) CHECK(t.row_text(r) == before_rows[static_cast<std::size_t>(r)]);
  t.write("\x1b[6~\x1b[6~\x1b[6~");  // PgDn to the live end
  wait_screen(
      t, [&] { return !chat_status_says(t, "scrolled back") && find_entry(t, "net", "fresh 4") >= 0; },
      "the live end");
  const int first = find_entry(t, "net", "fresh 0");
  REQUIRE(first > 0);
  CHECK(t.row_text(first - 1).starts_with("── new ──"));
  CHECK(row_is(t, first - 2, "net", "old 39"));
  CHECK_FALSE(chat_status_says(t, "new ↓"));
  t.write("x");
  wait_screen(
      t, [&] { return !screen_has(t, "── new ──") && input_row(t) == "> x"; },
      "the marker gone after typing");
  quit(t);
}
