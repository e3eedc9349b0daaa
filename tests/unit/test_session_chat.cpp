// The session's rules in chat mode: the input line, Enter and the outbox, q and Ctrl-C, history,
// multi-line pastes, the status bar's connection state, and when plain mode ends. Also the
// reconnect delays.
#include "echochat/core/session.hpp"
#include "echochat/core/backoff.hpp"
#include "echochat/core/status_line.hpp"
#include "support/session_util.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <deque>
#include <limits>
#include <string>
#include <vector>

using namespace echochat;
using echochat::testing::input_line;
using echochat::testing::keys;
using echochat::testing::one;
using echochat::testing::pasted_lines;
using echochat::testing::server_line;
using echochat::testing::texts;
using namespace std::chrono_literals;

namespace {

session_config chat_config(std::size_t outbox_capacity = session_config::default_outbox_capacity) {
  session_config c;
  c.chat = true;
  c.chat_target = "example.org:6667";
  c.outbox_capacity = outbox_capacity;
  return c;
}

session_config plain_chat_config() {
  session_config c = chat_config();
  c.terminal = false;
  c.keep_fresh = true;
  return c;
}

keys_event paste(std::string text) {
  keys_event ev;
  ev.keys.push_back(key{key_code::paste_end, key_mod::none, 0});
  ev.pastes.push_back(std::move(text));
  return ev;
}

// Stands in for the connection: takes the lines the session sends and writes them, oldest
// first, each reported sent.
struct writer {
  std::deque<std::string> queue;
  // Writes up to `n` lines; returns them.
  std::vector<std::string> write(session& s, std::size_t n = std::numeric_limits<std::size_t>::max()) {
    for (auto& l : s.take_outgoing()) queue.push_back(std::move(l));
    std::vector<std::string> out;
    while (!queue.empty() && out.size() < n) {
      out.push_back(std::move(queue.front()));
      queue.pop_front();
      s.apply(net_sent_event{}, 0);
    }
    return out;
  }
};

// Every line sent so far, written.
std::vector<std::string> drain(session& s) { return writer{}.write(s); }

// Lines sent and not yet written, as the session counts them.
std::size_t waiting(const session& s) { return s.waiting(); }

net_state_event state(net_state st, std::int64_t retry_ms = 0) {
  net_state_event ev;
  ev.state = st;
  ev.retry_ms = retry_ms;
  return ev;
}

}  // namespace

TEST_CASE("in chat mode typing edits the input line, not the transcript", "[chat][session]") {
  session s(chat_config());
  s.apply(keys("hello"), 0);
  CHECK(input_line(s).text() == "hello");
  CHECK(texts(s).empty());
  CHECK(waiting(s) == 0);
  s.apply(one(named_key(key_code::left)), 0);
  s.apply(one(named_key(key_code::backspace)), 0);
  s.apply(keys("L"), 0);
  CHECK(input_line(s).text() == "helLo");
  s.apply(one(ctrl_key(U'u')), 0);
  CHECK(input_line(s).text().empty());
  CHECK(texts(s).empty());
  CHECK(s.key_count() == 9);
}

TEST_CASE("in chat mode Enter sends the line: a you entry and a line in the outbox", "[chat][session]") {
  session s(chat_config());
  s.apply(keys("hello there\r"), 5);
  CHECK(texts(s) == std::vector<std::string>{"you hello there"});
  CHECK(s.entries().at(0).time == 5);
  CHECK(input_line(s).text().empty());
  s.apply(keys("second\r"), 6);
  CHECK(drain(s) == std::vector<std::string>{"hello there", "second"});
}

TEST_CASE("in chat mode Enter on an empty line sends nothing", "[chat][session]") {
  session s(chat_config());
  s.apply(keys("\r\r"), 0);
  CHECK(texts(s).empty());
  CHECK(waiting(s) == 0);
  CHECK_FALSE(s.done());
}

TEST_CASE("in chat mode q is a letter, even first on an empty line: quick, question, quite",
          "[chat][session]") {
  session s(chat_config());
  s.apply(keys("quick question\r"), 0);
  CHECK_FALSE(s.done());
  s.apply(keys("q"), 0);
  CHECK_FALSE(s.done());
  CHECK(input_line(s).text() == "q");
  s.apply(keys("uite\r"), 0);
  CHECK(drain(s) == std::vector<std::string>{"quick question", "quite"});
}

TEST_CASE("in chat mode Ctrl-D quits on an empty input line and deletes nothing otherwise",
          "[chat][session]") {
  session s(chat_config());
  s.apply(keys("ab"), 0);
  s.apply(one(ctrl_key(U'd')), 0);
  CHECK_FALSE(s.done());
  CHECK(input_line(s).text() == "ab");
  s.apply(one(ctrl_key(U'u')), 0);  // empty again
  s.apply(one(ctrl_key(U'd')), 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::key);
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in chat mode /quit quits and is not sent", "[chat][session][command]") {
  session s(chat_config());
  s.apply(keys("/quit\r"), 0);
  CHECK(s.done());
  CHECK(s.exit_code() == 0);
  CHECK(drain(s).empty());
}

TEST_CASE("in chat mode //x sends /x", "[chat][session][command]") {
  session s(chat_config());
  s.apply(keys("//quit is a command\r"), 0);
  CHECK_FALSE(s.done());
  CHECK(drain(s) == std::vector<std::string>{"/quit is a command"});
  CHECK(texts(s) == std::vector<std::string>{"you /quit is a command"});
}

TEST_CASE("in chat mode an unknown /word is not sent: a sys entry lists the commands and the line stays",
          "[chat][session][command]") {
  session s(chat_config());
  s.apply(keys("/join #chan\r"), 0);
  CHECK_FALSE(s.done());
  CHECK(drain(s).empty());
  CHECK(input_line(s).text() == "/join #chan");
  const auto t = texts(s);
  REQUIRE(t.size() == 1);
  CHECK_THAT(t[0], Catch::StartsWith("sys not sent: /join is not a command") && Catch::Contains("/quit") &&
                       Catch::Contains("/help") && Catch::Contains("//text sends /text"));
}

TEST_CASE("in chat mode /help lists the keys and every command in sys entries", "[chat][session][command]") {
  session s(chat_config());
  s.apply(keys("/help\r"), 0);
  CHECK(drain(s).empty());
  CHECK(input_line(s).text().empty());
  std::string all;
  for (const auto& t : texts(s)) {
    CHECK(t.starts_with("sys "));
    all += t + "\n";
  }
  for (const auto& c : chat_commands()) CHECK_THAT(all, Catch::Contains(std::string{c.name}));
  CHECK_THAT(all, Catch::Contains("Ctrl-D"));
}

TEST_CASE("in chat mode a pasted line that starts with a slash is sent as it is",
          "[chat][session][command]") {
  session s(chat_config());
  s.apply(paste("/quit\n/other"), 0);
  s.apply(keys("\r"), 0);
  CHECK_FALSE(s.done());
  CHECK(drain(s) == std::vector<std::string>{"/quit", "/other"});
}

TEST_CASE("in chat mode Ctrl-D after a multi-line paste does not quit, since lines wait to be sent",
          "[chat][session]") {
  session s(chat_config());
  s.apply(paste("\nwaiting"), 0);
  REQUIRE(input_line(s).text().empty());
  s.apply(one(ctrl_key(U'd')), 0);
  CHECK_FALSE(s.done());
  s.apply(keys("q"), 0);
  CHECK_FALSE(s.done());
}

TEST_CASE("in chat mode online, a paste of more lines than the offline bound is sent whole",
          "[chat][session][outbox]") {
  session s(chat_config(1000));
  s.apply(state(net_state::online), 0);
  std::string many;
  for (int i = 0; i < 1001; ++i) many += "line " + std::to_string(i) + "\n";
  s.apply(paste(many), 0);
  s.apply(keys("\r"), 0);
  const auto sent = drain(s);
  REQUIRE(sent.size() == 1001);
  CHECK(sent.front() == "line 0");
  CHECK(sent.back() == "line 1000");
}

TEST_CASE("in chat mode Ctrl-C quits whatever the input line holds", "[chat][session]") {
  session s(chat_config());
  s.apply(keys("half typed"), 0);
  s.apply(paste("one\ntwo"), 0);
  s.apply(one(ctrl_key(U'c')), 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::key);
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in chat mode Up and Down walk the sent lines and give the unsent draft back", "[chat][session]") {
  session s(chat_config());
  s.apply(keys("first\rsecond\rdraft"), 0);
  s.apply(one(named_key(key_code::up)), 0);
  CHECK(input_line(s).text() == "second");
  s.apply(one(named_key(key_code::up)), 0);
  CHECK(input_line(s).text() == "first");
  s.apply(one(named_key(key_code::down)), 0);
  s.apply(one(named_key(key_code::down)), 0);
  CHECK(input_line(s).text() == "draft");
  // A recalled line sends like a typed one.
  s.apply(one(named_key(key_code::up)), 0);
  s.apply(keys("\r"), 0);
  CHECK(drain(s) == std::vector<std::string>{"first", "second", "second"});
}

TEST_CASE(
    "in chat mode a multi-line paste fills the input line, the rest waits, and Enter sends all in order",
    "[chat][session][paste]") {
  session s(chat_config());
  s.resize(24, 200);
  s.apply(keys("> "), 0);
  s.apply(paste("one\r\ntwo\nthree\rfour\n"), 0);
  CHECK(input_line(s).text() == "> one");
  CHECK(pasted_lines(s) == std::vector<std::string>{"two", "three", "four"});
  CHECK_THAT(status_line(s), Catch::Contains("Enter sends 4 pasted lines"));
  CHECK(texts(s).empty());
  CHECK(waiting(s) == 0);
  s.apply(keys("\r"), 1);
  CHECK(texts(s) == std::vector<std::string>{"you > one", "you two", "you three", "you four"});
  CHECK(drain(s) == std::vector<std::string>{"> one", "two", "three", "four"});
  CHECK(pasted_lines(s).empty());
  CHECK_THAT(status_line(s), !Catch::Contains("pasted"));
}

TEST_CASE("in chat mode a one-line paste is text in the input line, q and controls included",
          "[chat][session][paste]") {
  session s(chat_config());
  s.apply(paste("quit\x1b[2J now"), 0);
  CHECK_FALSE(s.done());
  CHECK(input_line(s).text() == "quit[2J now");
  CHECK(pasted_lines(s).empty());
}

TEST_CASE("in chat mode the pasted-lines count on the status bar counts only lines that will be sent",
          "[chat][session][paste]") {
  session s(chat_config());
  s.resize(24, 200);
  s.apply(paste("\ntwo\n\nthree"), 0);  // the input line stays empty, the empty line is dropped
  REQUIRE(input_line(s).text().empty());
  CHECK_THAT(status_line(s), Catch::Contains("Enter sends 2 pasted lines"));
  s.apply(keys("\r"), 0);
  CHECK(drain(s) == std::vector<std::string>{"two", "three"});
}

TEST_CASE("in chat mode Ctrl-U drops a pending paste with the input line", "[chat][session][paste]") {
  session s(chat_config());
  s.apply(paste("one\ntwo"), 0);
  s.apply(one(ctrl_key(U'u')), 0);
  CHECK(input_line(s).text().empty());
  CHECK(pasted_lines(s).empty());
  s.apply(keys("\r"), 0);
  CHECK(waiting(s) == 0);
}

TEST_CASE("in chat mode a full outbox refuses Enter with a sys entry and keeps the text in the input line",
          "[chat][session][outbox]") {
  session s(chat_config(2));
  s.apply(keys("one\rtwo\r"), 0);
  REQUIRE(waiting(s) == 2);
  s.apply(keys("three\r"), 1);
  CHECK(waiting(s) == 2);
  CHECK(input_line(s).text() == "three");
  const auto t = texts(s);
  REQUIRE(t.size() == 3);
  CHECK(t[2] == "sys not sent: the connection is down and 3 lines would wait for it (the most is 2)");
  // Once a line has gone out there is room again, and the same Enter sends it.
  writer w;
  w.write(s, 1);
  s.apply(keys("\r"), 2);
  CHECK(input_line(s).text().empty());
  CHECK(w.write(s) == std::vector<std::string>{"two", "three"});
}

TEST_CASE("in chat mode a paste that does not fit the outbox is refused whole and kept",
          "[chat][session][outbox]") {
  session s(chat_config(3));
  s.apply(keys("one\r"), 0);
  s.apply(paste("a\nb\nc"), 0);
  s.apply(keys("\r"), 0);
  CHECK(waiting(s) == 1);
  CHECK(input_line(s).text() == "a");
  CHECK(pasted_lines(s) == std::vector<std::string>{"b", "c"});
  CHECK(texts(s).back().starts_with("sys not sent"));
}

TEST_CASE("a server line is a net entry, and a cut piece says [cut]", "[chat][session]") {
  session s(chat_config());
  s.apply(keys("draft"), 0);
  s.apply(server_line("<user5> hi"), 1);
  net_lines_event piece = server_line("xxxx");
  piece.lines[0].cut = true;
  s.apply(std::move(piece), 2);
  CHECK(texts(s) == std::vector<std::string>{"net <user5> hi", "net xxxx [cut]"});
  CHECK(input_line(s).text() == "draft");
}

TEST_CASE(
    "in chat mode the status bar shows the target, connecting, online, offline with the retry and what waits",
    "[chat][session][status]") {
  session s(chat_config());
  s.resize(24, 200);
  CHECK_THAT(status_line(s), Catch::StartsWith("echochat · example.org:6667 · connecting · ") &&
                                 Catch::EndsWith(" · Ctrl-D quits"));
  s.apply(state(net_state::online), 0);
  CHECK_THAT(status_line(s), Catch::Contains(" · online · "));
  s.apply(state(net_state::offline, 2500), 0);
  CHECK_THAT(status_line(s), Catch::Contains(" · offline, retry in 3 s · "));
  s.apply(state(net_state::offline, 1000), 0);
  CHECK_THAT(status_line(s), Catch::Contains(" · offline, retry in 1 s · "));
  s.apply(keys("a\rb\r"), 0);
  CHECK_THAT(status_line(s), Catch::Contains(" · 2 waiting · "));
  drain(s);
  CHECK_THAT(status_line(s), !Catch::Contains("waiting"));
  // On a narrow terminal the connection state stays in view.
  s.resize(24, 50);
  CHECK(status_line(s) == "echochat · offline, retry in 1 s · Ctrl-D quits");
}

TEST_CASE(
    "in plain chat mode the end of input ends the program only once the slow task, input and connection are "
    "done",
    "[chat][session][plain]") {
  session s(plain_chat_config());
  s.apply(keys("hi\r"), 0);
  s.apply(input_closed_event{}, 0);
  CHECK_FALSE(s.done());
  s.apply(slow_done_event{}, 0);
  CHECK_FALSE(s.done());  // the connection is not over yet
  drain(s);               // the writer sent the line
  s.apply(state(net_state::online), 0);
  CHECK_FALSE(s.done());
  s.apply(state(net_state::closed), 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::finished);
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in plain chat mode a closed connection does not end the program before the end of input",
          "[chat][session][plain]") {
  session s(plain_chat_config());
  s.apply(slow_done_event{}, 0);
  s.apply(state(net_state::closed), 0);
  CHECK_FALSE(s.done());
  s.apply(input_closed_event{}, 0);
  CHECK(s.done());
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in plain chat mode lines left unsent when the connection closes give exit 1 and a sys entry",
          "[chat][session][plain]") {
  session s(plain_chat_config());
  s.apply(keys("one\rtwo\r"), 0);
  s.apply(input_closed_event{}, 0);
  s.apply(slow_done_event{}, 0);
  s.apply(state(net_state::closed), 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::unsent);
  CHECK(s.exit_code() == 1);
  std::vector<std::string> fresh;
  for (const entry& e : s.take_fresh()) fresh.push_back(std::string{source_tag(e.src)} + " " + e.text);
  CHECK(fresh.back() == "sys 2 lines were not sent: the connection is closed");
}

TEST_CASE("in plain chat mode a connection closed with the last line unanswered gives exit 1",
          "[chat][session][plain][linger]") {
  // The client says "no reply" itself (a sys line) and marks the closed state: the session ends
  // on it with exit 1, unless lines were not even sent (that is said and counted first).
  session s(plain_chat_config());
  CHECK(s.lingers());  // chat mode cannot know how many replies come: the connection waits for them
  s.apply(keys("anyone?\r"), 0);
  s.apply(input_closed_event{}, 0);
  s.apply(slow_done_event{}, 0);
  drain(s);
  net_state_event closed = state(net_state::closed);
  closed.unanswered = true;
  s.apply(closed, 0);
  CHECK(s.done());
  CHECK(s.why() == quit_reason::unanswered);
  CHECK(s.exit_code() == 1);
}

TEST_CASE("with a terminal, chat mode does not end when the connection state changes", "[chat][session]") {
  session s(chat_config());
  s.apply(slow_done_event{}, 0);
  s.apply(state(net_state::offline, 500), 0);
  s.apply(state(net_state::closed), 0);
  CHECK_FALSE(s.done());
}

TEST_CASE("reconnect delays double from 0.5 s up to 30 s", "[chat][net][backoff]") {
  const backoff_policy policy;
  std::vector<std::chrono::milliseconds> delays;
  std::chrono::milliseconds d{0};
  for (int i = 0; i < 10; ++i) {
    d = next_backoff(d, policy);
    delays.push_back(d);
  }
  CHECK(delays == std::vector<std::chrono::milliseconds>{500ms, 1000ms, 2000ms, 4000ms, 8000ms, 16000ms,
                                                         30000ms, 30000ms, 30000ms, 30000ms});
  backoff_policy quick;
  quick.first = 20ms;
  quick.most = 100ms;
  CHECK(next_backoff(0ms, quick) == 20ms);
  CHECK(next_backoff(80ms, quick) == 100ms);
}

TEST_CASE("a connection that ended within 10 s keeps the delays doubling, and a longer one starts them again",
          "[chat][net][backoff]") {
  const backoff_policy policy;
  CHECK(backoff_after(4000ms, 0ms, policy) == 4000ms);
  CHECK(backoff_after(4000ms, 9999ms, policy) == 4000ms);
  CHECK(backoff_after(4000ms, 10000ms, policy) == 0ms);
  CHECK(backoff_after(0ms, 50ms, policy) == 0ms);
  // Kicked at once, over and over: 0.5, 1, 2, 4 s... as if the connections had never been made.
  std::chrono::milliseconds d{0};
  for (int i = 0; i < 4; ++i) d = backoff_after(next_backoff(d, policy), 100ms, policy);
  CHECK(d == 4000ms);
}

TEST_CASE("reconnect jitter scales a delay by a factor from 0.5 to 1", "[chat][net][backoff]") {
  CHECK(jittered(1000ms, 0.5) == 500ms);
  CHECK(jittered(1000ms, 1.0) == 1000ms);
  CHECK(jittered(1000ms, 0.75) == 750ms);
  CHECK(jittered(1000ms, 0.1) == 500ms);  // out of range: clamped
  CHECK(jittered(1000ms, 7.0) == 1000ms);
  CHECK(jittered(30000ms, 0.5) == 15000ms);
}

TEST_CASE("lines a dying connection had not had acknowledged are marked on their you entries",
          "[chat][session][unacked]") {
  session s(chat_config());
  s.apply(state(net_state::online), 0);
  s.apply(keys("one\rtwo\rthree\r"), 0);
  CHECK(drain(s) == std::vector<std::string>{"one", "two", "three"});
  SECTION("marked only") {
    s.apply(net_unacked_event{2, false}, 0);
    CHECK(texts(s) == std::vector<std::string>{"you one", "you two  (not acknowledged: may not have arrived)",
                                               "you three  (not acknowledged: may not have arrived)"});
    CHECK(waiting(s) == 0);
  }
  SECTION("sent again: they wait again, and count as written once rewritten") {
    s.apply(net_unacked_event{2, true}, 0);
    CHECK(texts(s) == std::vector<std::string>{"you one", "you two  (not acknowledged: sent again)",
                                               "you three  (not acknowledged: sent again)"});
    CHECK(waiting(s) == 2);
    s.apply(state(net_state::online), 0);
    s.apply(net_sent_event{}, 0);
    s.apply(net_sent_event{}, 0);
    CHECK(waiting(s) == 0);
  }
  SECTION("a new connection forgets what the last one wrote") {
    s.apply(state(net_state::offline), 0);
    s.apply(state(net_state::online), 0);
    s.apply(net_unacked_event{2, false}, 0);
    CHECK(texts(s) == std::vector<std::string>{"you one", "you two", "you three"});
  }
}
