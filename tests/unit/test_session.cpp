// The session's rules: echo, q, Backspace, Enter, the slow task, quitting and its exit codes.
#include "echochat/core/session.hpp"
#include "echochat/core/status_line.hpp"
#include "echochat/core/text_width.hpp"
#include "support/session_util.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace echochat;
using echochat::testing::keys;
using echochat::testing::one;
using echochat::testing::plain_config;
using echochat::testing::texts;

TEST_CASE("printable keys echo into the open you entry", "[session]") {
  session s({});
  s.apply(keys("hello"), 0);
  CHECK(texts(s) == std::vector<std::string>{"you hello"});
  CHECK(s.key_count() == 5);
  CHECK_FALSE(s.done());
}

TEST_CASE("named keys echo by name and Backspace removes them whole", "[session]") {
  session s({});
  s.apply(one(named_key(key_code::up)), 0);
  s.apply(one(fn_key(5)), 0);
  s.apply(one(ctrl_key(U'a')), 0);
  s.apply(one(char_key(U'x', key_mod::alt)), 0);
  s.apply(one(named_key(key_code::escape)), 0);
  CHECK(texts(s) == std::vector<std::string>{"you <Up><F5><C-a><M-x><Esc>"});
  s.apply(one(named_key(key_code::backspace)), 0);
  CHECK(texts(s) == std::vector<std::string>{"you <Up><F5><C-a><M-x>"});
}

TEST_CASE("Enter starts a new entry", "[session]") {
  session s({});
  s.apply(keys("one\rtwo"), 0);
  CHECK(texts(s) == std::vector<std::string>{"you one", "you two"});
}

TEST_CASE("q quits at once, with exit code 0, and later keys are ignored", "[session]") {
  session s({});
  s.apply(keys("abqcd"), 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::key);
  CHECK(s.exit_code() == 0);
  CHECK(texts(s) == std::vector<std::string>{"you ab"});
}

TEST_CASE("Ctrl-C quits like q", "[session]") {
  session s({});
  s.apply(one(ctrl_key(U'c')), 0);
  CHECK(s.done());
  CHECK(s.exit_code() == 0);
}

TEST_CASE("a q inside a paste is a letter", "[session][paste]") {
  session s({});
  keys_event ev;
  ev.keys.push_back(key{key_code::paste_end, key_mod::none, 0});
  ev.pastes.push_back("quite\nqq");
  s.apply(ev, 0);
  CHECK_FALSE(s.done());
  CHECK(texts(s) == std::vector<std::string>{"you quite", "you qq"});
}

TEST_CASE("signals quit with 128 + the signal number", "[session]") {
  const int sig = GENERATE(SIGINT, SIGTERM, SIGHUP);
  session s({});
  s.apply(signal_event{sig}, 0);
  CHECK(s.done());
  CHECK(s.exit_code() == 128 + sig);
}

TEST_CASE("the slow task's message lands above the line being typed", "[session]") {
  session s({});
  s.apply(keys("typ"), 0);
  s.apply(slow_done_event{}, 1);
  s.apply(keys("ing"), 2);
  CHECK(texts(s) == std::vector<std::string>{"slow something slow is done", "you typing"});
}

TEST_CASE("the status bar shows the countdown, then done, and the key count", "[session][status]") {
  session s({});
  CHECK_THAT(status_line(s),
             Catch::Contains("slow task pending") && Catch::Contains("0 keys") && Catch::Contains("q quits"));
  s.apply(slow_tick_event{7}, 0);
  CHECK_THAT(status_line(s), Catch::Contains("slow task in 7 s"));
  s.apply(slow_tick_event{600}, 0);
  CHECK_THAT(status_line(s), Catch::Contains("slow task in 10 min"));
  s.apply(keys("a"), 0);
  CHECK_THAT(status_line(s), Catch::Contains("1 key ·"));
  s.apply(slow_done_event{}, 0);
  CHECK_THAT(status_line(s), Catch::Contains("slow task done"));
}

TEST_CASE("the countdown wakes only when what it shows changes", "[session][status]") {
  CHECK(countdown_step(10'000).seconds_left == 10);
  CHECK(countdown_step(10'000).wait_ms == 1000);
  CHECK(countdown_step(9'500).seconds_left == 10);
  CHECK(countdown_step(9'500).wait_ms == 500);
  CHECK(countdown_step(1).seconds_left == 1);
  CHECK(countdown_step(1).wait_ms == 1);
  // From two minutes up it shows minutes, and wakes once a minute.
  CHECK(countdown_step(3'600'000).seconds_left == 3600);
  CHECK(countdown_step(3'600'000).wait_ms == 60'000);
  CHECK(countdown_step(150'000).wait_ms == 30'000);  // "3 min" until 120 s are left
  CHECK(countdown_step(120'000).wait_ms == 1'000);   // then seconds from 119 s
  CHECK(countdown_step(0).wait_ms == 0);
}

TEST_CASE("PgUp scrolls back a page, PgDn forward, typing jumps back to live", "[session][scroll]") {
  session s({});
  s.resize(12, 80);  // 10 transcript rows
  for (int i = 0; i < 50; ++i) s.apply(sys_event{"line"}, 0);
  s.apply(one(named_key(key_code::page_up)), 0);
  CHECK(s.view().scroll() == 9);
  CHECK_THAT(status_line(s), Catch::Contains("scrolled back"));
  for (int i = 0; i < 20; ++i) s.apply(one(named_key(key_code::page_up)), 0);
  CHECK(s.view().scroll() == 40);  // clamped at the top
  s.apply(one(named_key(key_code::page_down)), 0);
  CHECK(s.view().scroll() == 31);
  s.apply(keys("x"), 0);
  CHECK(s.view().scroll() == 0);
}

TEST_CASE("with a terminal, the end of input is a hang-up", "[session]") {
  session s({});
  s.apply(input_closed_event{}, 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::hangup);
  CHECK(s.exit_code() == 128 + SIGHUP);
}

TEST_CASE("without a terminal, the end of input waits for the slow task", "[session][plain]") {
  session s(plain_config());
  s.apply(keys("hi\r"), 0);
  s.apply(input_closed_event{}, 0);
  CHECK_FALSE(s.done());
  s.apply(slow_done_event{}, 1);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::finished);
  CHECK(s.exit_code() == 0);
  const auto fresh = s.take_fresh();
  REQUIRE(fresh.size() == 2);
  CHECK(fresh[0].text == "hi");
  CHECK(fresh[1].src == source::slow);
  CHECK(s.take_fresh().empty());
}

TEST_CASE("the transcript gets all rows but the separator and status bar", "[session]") {
  session s({});
  s.resize(24, 80);
  CHECK(s.view().transcript_rows() == 22);
  s.resize(2, 8);
  CHECK(s.view().transcript_rows() == 1);
  s.resize(1, 1);
  CHECK(s.view().transcript_rows() == 0);
  s.resize(0, 0);  // nonsense sizes are taken as 1x1
  CHECK(s.view().rows() == 1);
  CHECK(s.view().cols() == 1);
}

TEST_CASE("a narrow status bar drops the least important parts and keeps how to quit", "[session][status]") {
  session s({});
  s.resize(24, 80);
  for (int i = 0; i < 30; ++i) s.apply(keys("a\r"), 0);
  s.apply(one(named_key(key_code::page_up)), 0);
  s.apply(slow_tick_event{10}, 0);
  const std::string wide = status_line(s);
  CHECK(text_width(wide) <= 80);
  CHECK_THAT(wide, Catch::StartsWith("echochat · local echo") && Catch::EndsWith("q quits") &&
                       Catch::Contains("scrolled back") && !Catch::Contains("keys"));
  s.resize(24, 20);
  CHECK(status_line(s) == "local echo · q quits");
  s.resize(24, 12);
  CHECK(status_line(s) == "q quits");
  s.resize(24, 200);
  CHECK_THAT(status_line(s), Catch::StartsWith("echochat · local echo · slow task in 10 s · 61 keys"));
}

TEST_CASE("control bytes in a paste show by the names they have when typed", "[session][paste]") {
  session s({});
  keys_event ev;
  ev.keys.push_back(key{key_code::paste_end, key_mod::none, 0});
  ev.pastes.push_back(std::string("ab\x1f"
                                  "cd\x1b\x1c\x7f",
                                  8) +
                      std::string(1, '\0') + "ef");
  s.apply(ev, 0);
  CHECK(texts(s) == std::vector<std::string>{"you ab<C-_>cd<Esc><C-\\><Backspace><C-Space>ef"});
}

TEST_CASE("a typed C1 control or bidi override is shown escaped", "[session]") {
  session s({});
  s.apply(one(char_key(0x9B)), 0);
  s.apply(one(char_key(0x202E)), 0);
  s.apply(keys("x"), 0);
  CHECK(texts(s) == std::vector<std::string>{"you \\x9b<U+202E>x"});
}

TEST_CASE("a failed log is a sys entry, shows in the status bar, and makes the exit status 1",
          "[session][log]") {
  session s({});
  s.resize(24, 120);
  s.apply(keys("hi"), 0);
  CHECK(status_line(s).find("log failed") == std::string::npos);
  s.apply(log_failed_event{"log failed: cannot write to 'x.log': No space left on device"}, 0);
  CHECK(texts(s) == std::vector<std::string>{
                        "sys log failed: cannot write to 'x.log': No space left on device", "you hi"});
  CHECK(status_line(s).find(" · log failed · ") != std::string::npos);
  s.apply(keys("q"), 0);
  CHECK(s.done());
  CHECK(s.exit_code() == 1);
}

TEST_CASE("a failed log leaves a signal's exit status as it is", "[session][log]") {
  session s({});
  s.apply(log_failed_event{"log failed"}, 0);
  s.apply(signal_event{SIGTERM}, 0);
  CHECK(s.exit_code() == 128 + SIGTERM);
}
