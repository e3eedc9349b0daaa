// --reply rules and --on-connect: parsing, matching whole lines, the captured rest, and what chat
// mode shows and sends.
#include "echochat/core/options.hpp"
#include "echochat/core/reply.hpp"
#include "echochat/core/session.hpp"
#include "support/session_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using namespace echochat;

namespace {

reply_rule rule(const std::string& text) {
  auto r = parse_reply_rule(text);
  REQUIRE(std::holds_alternative<reply_rule>(r));
  return std::get<reply_rule>(r);
}

}  // namespace

TEST_CASE("a reply rule is PATTERN=ANSWER, split at the first '='", "[reply]") {
  CHECK(rule("PING *=PONG *") == reply_rule{"PING *", "PONG *"});
  CHECK(rule("a=b=c") == reply_rule{"a", "b=c"});
  CHECK(rule("hello=") == reply_rule{"hello", ""});
  CHECK(std::get<std::string>(parse_reply_rule("no equals")) == "expected PATTERN=ANSWER");
  CHECK(std::get<std::string>(parse_reply_rule("=x")) == "the pattern is empty");
  CHECK(std::get<std::string>(parse_reply_rule("*=x")) == "the pattern is empty");
}

TEST_CASE("a rule answers a whole line, and a star at the end captures the rest for the answer", "[reply]") {
  const std::vector<reply_rule> rules{rule("PING *=PONG *"), rule("hello=hi there"), rule("x*=[*|*]")};
  CHECK(answer_for(rules, "PING :irc.example") == "PONG :irc.example");
  CHECK(answer_for(rules, "PING ") == "PONG ");
  CHECK(answer_for(rules, "hello") == "hi there");
  CHECK_FALSE(answer_for(rules, "hello you"));  // whole lines only
  CHECK_FALSE(answer_for(rules, " PING :x"));
  CHECK_FALSE(answer_for(rules, "PING"));
  CHECK(answer_for(rules, "xyz") == "[yz|yz]");
  CHECK_FALSE(answer_for({}, "PING :x"));
  // The first rule that matches answers.
  const std::vector<reply_rule> both{rule("a*=first"), rule("ab=second")};
  CHECK(answer_for(both, "ab") == "first");
}

TEST_CASE("the on-connect and reply flags are repeatable and need --connect", "[reply][options]") {
  auto r = parse_options({"--connect", "h:1", "--on-connect", "NICK me", "--on-connect", "USER me 0 * :me",
                          "--reply", "PING *=PONG *", "--reply", "a=b"});
  REQUIRE(std::holds_alternative<options>(r));
  const options& o = std::get<options>(r);
  CHECK(o.on_connect == std::vector<std::string>{"NICK me", "USER me 0 * :me"});
  CHECK(o.replies == std::vector<reply_rule>{{"PING *", "PONG *"}, {"a", "b"}});
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--on-connect", "NICK me"},
                                             {"--connect", "h:1", "--reply", "nothing"},
                                             {"--connect", "h:1", "--on-connect", "two\nlines"},
                                             {"--connect", "h:1", "--on-connect", ""}}) {
    auto e = parse_options(bad);
    REQUIRE(std::holds_alternative<parse_exit>(e));
    CHECK(std::get<parse_exit>(e).code == 2);
    CHECK(std::count(std::get<parse_exit>(e).err.begin(), std::get<parse_exit>(e).err.end(), '\n') == 1);
  }
}

TEST_CASE("in chat mode a line that matches a reply rule is answered at once, shown as a reply entry",
          "[reply][session]") {
  session_config c;
  c.chat = true;
  c.chat_target = "h:1";
  c.replies = {rule("PING *=PONG *")};
  session s(c);
  net_lines_event e;
  e.lines.push_back({"PING :irc.example", false});
  e.lines.push_back({"PING :cut piece", true});
  e.lines.push_back({"hello", false});
  s.apply(std::move(e), 0);
  CHECK(testing::texts(s) == std::vector<std::string>{"net PING :irc.example", "reply PONG :irc.example",
                                                      "net PING :cut piece [cut]", "net hello"});
  CHECK(s.take_outgoing() == std::vector<std::string>{"PONG :irc.example"});
  CHECK(s.waiting() == 1);
}

TEST_CASE("an on-connect line written shows as a you entry and does not count as waiting",
          "[reply][session]") {
  session_config c;
  c.chat = true;
  c.chat_target = "h:1";
  session s(c);
  s.apply(net_greeting_event{"NICK me"}, 0);
  CHECK(testing::texts(s) == std::vector<std::string>{"you NICK me"});
  CHECK(s.take_outgoing().empty());
  CHECK(s.waiting() == 0);
}

TEST_CASE("a rule answers at most 5 lines within a second, then is paused for 60 s", "[reply][limit]") {
  using std::chrono::milliseconds;
  const reply_limiter::clock::time_point t0{std::chrono::seconds{100}};
  reply_limiter l(2);
  for (int i = 0; i < 5; ++i) CHECK(l.check(0, t0 + milliseconds{i * 100}) == reply_limiter::verdict::answer);
  CHECK(l.check(0, t0 + milliseconds{900}) == reply_limiter::verdict::paused_now);
  CHECK(l.check(0, t0 + milliseconds{1000}) == reply_limiter::verdict::paused);
  CHECK(l.check(1, t0 + milliseconds{1000}) == reply_limiter::verdict::answer);  // the other rule is not
  CHECK(l.check(0, t0 + milliseconds{60'899}) == reply_limiter::verdict::paused);
  CHECK(l.check(0, t0 + milliseconds{60'900}) == reply_limiter::verdict::answer);
  // Steady answers, 5 a second spread over more than a second, are never paused.
  reply_limiter steady(1);
  for (int i = 0; i < 100; ++i) {
    CHECK(steady.check(0, t0 + milliseconds{i * 201}) == reply_limiter::verdict::answer);
  }
}

TEST_CASE("in chat mode a rule answering its own answers is paused with one sys entry naming it",
          "[reply][session][limit]") {
  // --reply 'ping*=ping*' against an echoing peer: each answer comes back and matches again.
  session_config c;
  c.chat = true;
  c.chat_target = "h:1";
  c.replies = {rule("ping*=ping*")};
  session s(c);
  for (int i = 0; i < 20; ++i) {
    net_lines_event e;
    e.received = reply_limiter::clock::time_point{std::chrono::milliseconds{i}};
    e.lines.push_back({"ping", false});
    s.apply(std::move(e), 0);
  }
  CHECK(s.take_outgoing().size() == 5);
  const auto texts = testing::texts(s);
  CHECK(std::count(
            texts.begin(), texts.end(),
            "sys --reply 'ping*=ping*' answered more than 5 lines within a second (is it answering its own "
            "answers?): paused for 60 s") == 1);
  CHECK(std::count(texts.begin(), texts.end(), "net ping") == 20);  // every line is still shown
}
