// Chat mode's input like a shell, through the session: the loaded history and Up, what is
// recorded (and /secret), Ctrl-R, /find and Ctrl-S, the wheel, the unread count and marker.
#include "echochat/core/frame.hpp"
#include "echochat/core/key_decoder.hpp"
#include "echochat/core/search_modes.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/status_line.hpp"
#include "support/session_util.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;
using echochat::testing::input_line;
using echochat::testing::is_open;
using echochat::testing::keys;
using echochat::testing::one;
using echochat::testing::server_line;
using echochat::testing::texts;

namespace {

session_config chat_config(std::vector<std::string> history = {}) {
  session_config c;
  c.chat = true;
  c.chat_target = "example.org:6667";
  c.history = std::move(history);
  c.record_history = true;
  return c;
}

const chat_mode& chat(const session& s) { return dynamic_cast<const chat_mode&>(s.base_mode()); }

std::string prompt_text(const session& s) {
  const auto p = s.present().prompt;
  return p ? p->text : std::string{};
}

keys_event ctrl(char32_t c) { return one(ctrl_key(c)); }

}  // namespace

TEST_CASE("in chat mode Up walks the loaded history from its end: this destination's lines first",
          "[chat][history]") {
  session s(chat_config({"other dest", "mine old", "mine new"}));
  s.apply(keys("draft"), 0);
  s.apply(one(named_key(key_code::up)), 0);
  CHECK(input_line(s).text() == "mine new");
  s.apply(one(named_key(key_code::up)), 0);
  s.apply(one(named_key(key_code::up)), 0);
  CHECK(input_line(s).text() == "other dest");
  s.apply(one(named_key(key_code::down)), 0);
  s.apply(one(named_key(key_code::down)), 0);
  s.apply(one(named_key(key_code::down)), 0);
  CHECK(input_line(s).text() == "draft");
}

TEST_CASE("in chat mode sent lines are recorded for the history file, commands and pastes not",
          "[chat][history]") {
  session s(chat_config());
  s.apply(keys("hello\r/help\r//x\r"), 0);
  CHECK(s.take_recorded() == std::vector<std::string>{"hello", "/x"});
  CHECK(s.take_recorded().empty());
  session off([] {
    session_config c = chat_config();
    c.record_history = false;  // --no-history, or plain mode
    return c;
  }());
  off.apply(keys("hello\r"), 0);
  CHECK(off.take_recorded().empty());
}

TEST_CASE("in chat mode /secret keeps the lines sent meanwhile out of the file and says so",
          "[chat][history]") {
  session s(chat_config());
  s.resize(24, 200);
  s.apply(keys("before\r/secret\r"), 0);
  CHECK(chat(s).secret());
  CHECK_THAT(status_line(s), Catch::Contains("secret"));
  CHECK_THAT(texts(s).back(), Catch::StartsWith("sys secret on"));
  s.apply(keys("password\r/secret\rafter\r"), 0);
  CHECK_FALSE(chat(s).secret());
  CHECK_THAT(status_line(s), !Catch::Contains("secret"));
  CHECK(s.take_recorded() == std::vector<std::string>{"before", "after"});
  CHECK(s.take_outgoing() == std::vector<std::string>{"before", "password", "after"});  // sent all the same
}

TEST_CASE("in chat mode Ctrl-R shows the search in place of the input line and Enter sends the match",
          "[chat][history][search]") {
  session s(chat_config({"git status", "make test", "git push"}));
  s.apply(keys("draft"), 0);
  s.apply(ctrl(U'r'), 0);
  CHECK(is_open<reverse_search_mode>(s));
  CHECK(prompt_text(s) == "(reverse-i-search)'': ");
  s.apply(keys("git"), 0);
  CHECK(prompt_text(s) == "(reverse-i-search)'git': git push");
  s.apply(ctrl(U'r'), 0);
  CHECK(prompt_text(s) == "(reverse-i-search)'git': git status");
  s.apply(one(named_key(key_code::enter)), 0);
  CHECK_FALSE(is_open<reverse_search_mode>(s));
  CHECK(s.take_outgoing() == std::vector<std::string>{"git status"});
  CHECK(input_line(s).text().empty());
}

TEST_CASE("in chat mode Ctrl-G cancels Ctrl-R and gives the draft back exactly", "[chat][history][search]") {
  session s(chat_config({"make test"}));
  s.apply(keys("half typed"), 0);
  s.apply(one(named_key(key_code::left)), 0);
  s.apply(one(named_key(key_code::left)), 0);
  s.apply(ctrl(U'r'), 0);
  s.apply(keys("make"), 0);
  s.apply(ctrl(U'g'), 0);
  CHECK_FALSE(is_open<reverse_search_mode>(s));
  CHECK(input_line(s).text() == "half typed");
  CHECK(input_line(s).cursor() == 8);
  CHECK(s.take_outgoing().empty());
}

TEST_CASE("in chat mode Esc or a movement key takes the Ctrl-R match into the input line",
          "[chat][history][search]") {
  session s(chat_config({"say hello there"}));
  s.apply(ctrl(U'r'), 0);
  s.apply(keys("hello"), 0);
  SECTION("Esc: the cursor where it matched") {
    s.apply(one(named_key(key_code::escape)), 0);
    CHECK(input_line(s).text() == "say hello there");
    CHECK(input_line(s).cursor() == 4);
  }
  SECTION("End: the match, and the key moves in it") {
    s.apply(one(named_key(key_code::end)), 0);
    CHECK(input_line(s).cursor() == 15);
    s.apply(keys("!"), 0);
    CHECK(input_line(s).text() == "say hello there!");
  }
  CHECK_FALSE(is_open<reverse_search_mode>(s));
  CHECK(s.take_outgoing().empty());
}

TEST_CASE("in chat mode Backspace in Ctrl-R widens the search again", "[chat][history][search]") {
  session s(chat_config({"abc", "abd"}));
  s.apply(ctrl(U'r'), 0);
  s.apply(keys("abc"), 0);
  CHECK(prompt_text(s) == "(reverse-i-search)'abc': abc");
  s.apply(one(named_key(key_code::backspace)), 0);
  CHECK(prompt_text(s) == "(reverse-i-search)'ab': abd");
}

namespace {

// A chat session 12 rows tall (9 transcript rows) with 40 net lines, every tenth a match.
session busy_session() {
  session s(chat_config());
  s.resize(12, 80);
  for (int i = 0; i < 40; ++i)
    s.apply(server_line((i % 10 == 3 ? "found " : "line ") + std::to_string(i)), 0);
  return s;
}

}  // namespace

TEST_CASE("in chat mode /find scrolls to the newest match, shows match N of M and walks with Up and Down",
          "[chat][find]") {
  session s = busy_session();
  s.apply(keys("draft"), 0);
  s.apply(one(ctrl_key(U'u')), 0);
  s.apply(keys("/find FOUND\r"), 0);
  CHECK(is_open<find_mode>(s));
  CHECK(prompt_text(s) == "find: FOUND");
  CHECK_THAT(status_line(s), Catch::Contains("match 4 of 4"));
  const text_highlight h = s.present().highlight;
  REQUIRE(h.e != nullptr);
  CHECK(h.e->text == "found 33");
  CHECK(h.ranges == std::vector<std::pair<std::size_t, std::size_t>>{{0, 5}});
  CHECK(s.view().scroll() > 0);
  s.apply(one(named_key(key_code::up)), 0);
  CHECK_THAT(status_line(s), Catch::Contains("match 3 of 4"));
  CHECK(s.present().highlight.e->text == "found 23");
  frame_builder frames;
  const frame& f = frames.build(s, {});
  bool shown = false;
  for (const auto& r : f.transcript)
    shown = shown || (r.e == h.e) || (r.e != nullptr && r.e->text == "found 23");
  CHECK(shown);
  s.apply(one(named_key(key_code::down)), 0);
  s.apply(one(named_key(key_code::down)), 0);  // no newer: stays
  CHECK_THAT(status_line(s), Catch::Contains("match 4 of 4"));
  s.apply(one(named_key(key_code::escape)), 0);
  CHECK_FALSE(is_open<find_mode>(s));
  CHECK(s.view().scroll() == 0);
  CHECK(s.present().highlight.e == nullptr);
}

TEST_CASE("in chat mode Ctrl-S opens the find prompt, typing narrows, Esc gives the draft back",
          "[chat][find]") {
  session s = busy_session();
  s.apply(keys("my draft"), 0);
  s.apply(ctrl(U's'), 0);
  CHECK(prompt_text(s) == "find: ");
  s.apply(keys("line 1"), 0);
  CHECK_THAT(status_line(s), Catch::Contains("match 10 of 10"));  // line 1, line 10..19 but 13
  s.apply(keys("7"), 0);
  CHECK_THAT(status_line(s), Catch::Contains("match 1 of 1"));
  s.apply(keys("x"), 0);
  CHECK_THAT(status_line(s), Catch::Contains("no match"));
  s.apply(one(named_key(key_code::escape)), 0);
  CHECK(input_line(s).text() == "my draft");
  CHECK(s.view().scroll() == 0);
}

TEST_CASE("in chat mode Enter closes the find prompt and the view stays at the match", "[chat][find]") {
  session s = busy_session();
  s.apply(keys("/find found 3\r"), 0);
  const int scroll = s.view().scroll();
  CHECK(scroll > 0);
  s.apply(one(named_key(key_code::enter)), 0);
  CHECK_FALSE(is_open<find_mode>(s));
  CHECK(s.view().scroll() == scroll);
  CHECK(s.take_outgoing().empty());
}

TEST_CASE("the wheel scrolls three rows, in every mode, and stops at the live end", "[session][mouse]") {
  for (const bool chat_mode : {false, true}) {
    session_config c = chat_mode ? chat_config() : session_config{};
    session s(c);
    s.resize(12, 80);
    for (int i = 0; i < 40; ++i) s.apply(sys_event{"line"}, 0);
    key_decoder d;
    std::vector<key> wheel;
    d.feed("\x1b[<64;10;5M\x1b[<64;10;5M", wheel);
    keys_event ev;
    ev.keys = wheel;
    s.apply(ev, 0);
    CHECK(s.view().scroll() == 6);
    s.apply(one(named_key(key_code::wheel_down)), 0);
    CHECK(s.view().scroll() == 3);
    s.apply(one(named_key(key_code::wheel_down)), 0);
    s.apply(one(named_key(key_code::wheel_down)), 0);
    CHECK(s.view().scroll() == 0);
    CHECK(texts(s).size() == 40);  // nothing typed
  }
}

TEST_CASE("scrolled back, the view stays put as entries arrive and the status bar counts them",
          "[session][unread]") {
  session s(chat_config());
  s.resize(12, 80);
  for (int i = 0; i < 40; ++i) s.apply(server_line("old " + std::to_string(i)), 0);
  s.apply(one(named_key(key_code::page_up)), 0);
  const int scroll = s.view().scroll();
  CHECK_THAT(status_line(s), !Catch::Contains("new ↓"));
  for (int i = 0; i < 12; ++i) s.apply(server_line("new " + std::to_string(i)), 0);
  CHECK(s.view().scroll() == scroll + 12);
  CHECK_THAT(status_line(s), Catch::Contains("12 new ↓"));
  CHECK(s.state().unread.marker().has_value());
}

TEST_CASE("back at the live end, a new marker row stands above the first unseen entry until the user types",
          "[session][unread]") {
  session s(chat_config());
  s.resize(12, 80);
  for (int i = 0; i < 40; ++i) s.apply(server_line("old " + std::to_string(i)), 0);
  s.apply(one(named_key(key_code::page_up)), 0);
  for (int i = 0; i < 3; ++i) s.apply(server_line("new " + std::to_string(i)), 0);
  for (int i = 0; i < 5; ++i) s.apply(one(named_key(key_code::page_down)), 0);
  CHECK(s.view().scroll() == 0);
  CHECK_THAT(status_line(s), !Catch::Contains("new ↓"));
  frame_builder frames;
  const frame& f = frames.build(s, {});
  REQUIRE(f.transcript.size() == static_cast<std::size_t>(f.text_rows));
  // The last rows: the marker, then the three new entries.
  const auto n = f.transcript.size();
  CHECK(f.transcript[n - 4].marker);
  CHECK(f.transcript[n - 3].e->text == "new 0");
  CHECK(f.transcript[n - 5].e->text == "old 39");
  s.apply(server_line("while reading"), 0);  // at the live end: not unseen
  CHECK(frames.build(s, {}).transcript[n - 5].marker);
  s.apply(keys("x"), 0);
  const frame& typed = frames.build(s, {});
  for (const auto& r : typed.transcript) CHECK_FALSE(r.marker);
}

TEST_CASE("nothing is unseen while the view is at the live end", "[session][unread]") {
  session s({});
  s.resize(12, 80);
  for (int i = 0; i < 40; ++i) s.apply(sys_event{"line"}, 0);
  CHECK_FALSE(s.state().unread.marker());
  CHECK(s.state().unread.count() == 0);
}
