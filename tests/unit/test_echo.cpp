// Echo mode's pure parts: matching echoes to lines sent, losses, ping's arithmetic, and the
// mode's rules on a session (round trips on the entries, the status bar, probes, the exit code).
#include "echochat/core/echo_meter.hpp"
#include "echochat/core/echo_mode.hpp"
#include "echochat/core/options.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/status_line.hpp"
#include "support/session_util.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace echochat;
using echochat::testing::keys;
using echochat::testing::texts;
using namespace std::chrono_literals;

namespace {

const echo_clock::time_point t0{std::chrono::seconds(1000)};

echo_meter meter() { return echo_meter(5s); }

}  // namespace

TEST_CASE("echoes in order each match the oldest line sent, with their round trips", "[echo][meter]") {
  echo_meter m = meter();
  CHECK(m.sent("one") == 1);
  CHECK(m.sent("two") == 2);
  m.handed(t0);
  m.handed(t0 + 1ms);
  const auto a = m.received("one", t0 + 200us);
  const auto b = m.received("two", t0 + 1ms + 300us);
  CHECK(a.what == echo_result::kind::echoed);
  CHECK(a.seq == 1);
  CHECK(a.rtt == 200us);
  CHECK(b.seq == 2);
  CHECK(b.rtt == 300us);
  CHECK(m.pending() == 0);
  CHECK(m.stats().echoed == 2);
  CHECK(format_rtt(a.rtt) == "0.200 ms");
}

TEST_CASE("a changed echo says where it differs, and a trailing \\r is named as such", "[echo][meter]") {
  echo_meter m = meter();
  m.sent("hello");
  m.sent("world");
  m.handed(t0);
  m.handed(t0);
  const auto a = m.received("halla", t0 + 1ms);
  CHECK(a.what == echo_result::kind::differs);
  CHECK(a.differs_at == 2);
  CHECK(a.sent == "hello");
  CHECK_FALSE(a.trailing_cr);
  const auto b = m.received("world\r", t0 + 1ms);
  CHECK(b.what == echo_result::kind::differs);
  CHECK(b.trailing_cr);
  CHECK(b.differs_at == 6);
  CHECK(m.stats().differed == 2);
  CHECK(m.stats().rtt_ms.size() == 2);  // a changed echo still came back: it has a round trip
}

TEST_CASE("a line not echoed within the timeout is lost, and the next echo matches the line after it",
          "[echo][meter]") {
  echo_meter m = meter();
  m.sent("a");
  m.sent("b");
  m.handed(t0);
  m.handed(t0 + 2s);
  CHECK(m.next_deadline() == t0 + 5s);
  CHECK(m.expire(t0 + 4s).empty());
  const auto lost = m.expire(t0 + 5s);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].what == echo_result::kind::lost);
  CHECK(lost[0].seq == 1);
  CHECK(lost[0].sent == "a");
  CHECK(m.next_deadline() == t0 + 7s);
  CHECK(m.received("b", t0 + 6s).seq == 2);
  CHECK(m.stats().lost == 1);
}

TEST_CASE("a lost line in the middle: the next line's exact echo loses it at once", "[echo][meter]") {
  echo_meter m = meter();
  for (const char* l : {"1", "2", "3"}) m.sent(l);
  for (int i = 0; i < 3; ++i) m.handed(t0);
  CHECK(m.received("1", t0 + 1ms).what == echo_result::kind::echoed);
  // "2" never comes back; "3" does, exactly: a line server echoes in order, so "2" is lost.
  std::vector<echo_result> skipped;
  const auto r = m.received("3", t0 + 2ms, &skipped);
  CHECK(r.seq == 3);
  CHECK(r.what == echo_result::kind::echoed);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].seq == 2);
  CHECK(skipped[0].what == echo_result::kind::lost);
  CHECK(skipped[0].skipped);
  CHECK(m.stats().lost == 1);
  // An echo that is no waiting line's text is taken for the oldest one's, changed.
  m.sent("4");
  m.handed(t0);
  CHECK(m.received("5", t0 + 3ms).what == echo_result::kind::differs);
}

TEST_CASE("a line nobody waits for is unexpected", "[echo][meter]") {
  echo_meter m = meter();
  CHECK(m.received("hello", t0).what == echo_result::kind::unexpected);
  m.sent("not yet written");  // not handed to the socket: no echo can be its
  CHECK(m.received("early", t0).what == echo_result::kind::unexpected);
  CHECK(m.stats().unexpected == 2);
}

TEST_CASE("a dropped connection loses the lines it took; the ones not yet written wait, and numbers go on",
          "[echo][meter]") {
  echo_meter m = meter();
  m.sent("written");
  m.sent("queued");
  m.handed(t0);
  const auto lost = m.drop();
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].seq == 1);
  CHECK(m.pending() == 1);
  CHECK(m.sent("next") == 3);
  m.handed(t0 + 1s);
  CHECK(m.received("queued", t0 + 1s + 100us).seq == 2);
}

TEST_CASE("the summary is ping's: counts, loss, and min/avg/max/mdev with mdev as ping computes it",
          "[echo][summary]") {
  // ping's mdev (iputils): tsum = Σrtt, tsum2 = Σrtt², mdev = sqrt(tsum2/n − (tsum/n)²).
  // For 0.1, 0.2, 0.3, 0.4 ms: mean 0.25, mean of squares 0.075, mdev = sqrt(0.0125) = 0.1118.
  echo_stats s;
  s.sent = 5;
  s.echoed = 4;
  s.lost = 1;
  s.rtt_ms = {0.1, 0.2, 0.3, 0.4};
  CHECK(s.mdev_ms() == Approx(0.111803).epsilon(1e-5));
  CHECK(echo_summary(s, "127.0.0.1:7", 1003ms) ==
        "--- 127.0.0.1:7 echo statistics ---\n"
        "5 lines sent, 4 echoed, 0 differed, 20% lost, time 1003ms\n"
        "rtt min/avg/max/mdev = 0.100/0.250/0.400/0.112 ms\n");
  // With 20 or more round trips, p50 and p99 too (nearest rank).
  s.rtt_ms.clear();
  for (int i = 1; i <= 100; ++i) s.rtt_ms.push_back(i / 100.0);
  s.sent = s.echoed = 100;
  s.lost = 0;
  CHECK_THAT(echo_summary(s, "h:1", 0ms), Catch::EndsWith("rtt p50/p99 = 0.500/0.990 ms\n"));
  // A third lost: ping writes the fraction as %g.
  s.sent = 3;
  s.echoed = 2;
  s.lost = 1;
  CHECK_THAT(echo_summary(s, "h:1", 0ms), Catch::Contains(", 33.3333% lost,"));
}

TEST_CASE("a probe line is the sequence and the send time, padded to --size", "[echo][probe]") {
  CHECK(echo_mode::probe_text(17, 1701331200.123456, 0) == "echochat 17 1701331200.123456");
  const std::string padded = echo_mode::probe_text(3, 1.5, 40);
  CHECK(padded.size() == 40);
  CHECK(padded.starts_with("echochat 3 1.500000."));
}

namespace {

session_config echo_config(bool terminal = true, std::uint64_t count = 0) {
  session_config c;
  c.chat = true;
  c.chat_target = "127.0.0.1:7";
  c.terminal = terminal;
  c.keep_fresh = !terminal;
  echo_options eo;
  eo.count = count;
  eo.interval_seconds = 0.05;
  c.echo = eo;
  return c;
}

net_lines_event echo_of(std::string text, echo_clock::time_point at) {
  net_lines_event e;
  e.lines.push_back(net_line_event{std::move(text), false});
  e.received = at;
  return e;
}

net_state_event state(net_state st) {
  net_state_event e;
  e.state = st;
  return e;
}

timer_event tick(echo_clock::time_point at) {
  timer_event e;
  e.now = at;
  e.wall = std::chrono::system_clock::time_point{std::chrono::seconds(1701331200)};
  return e;
}

}  // namespace

TEST_CASE("in echo mode a typed line's echo shows its round trip, and the status bar keeps the figures",
          "[echo][session]") {
  session s(echo_config());
  s.resize(24, 200);
  s.apply(state(net_state::online), 0);
  s.apply(keys("hello\r"), 0);
  CHECK(s.take_outgoing() == std::vector<std::string>{"hello"});
  s.apply(net_writing_event{t0}, 0);
  s.apply(echo_of("hello", t0 + 210us), 0);
  CHECK(texts(s) == std::vector<std::string>{"you hello", "net hello  (0.210 ms)"});
  CHECK_THAT(status_line(s), Catch::Contains("rtt 0.210 ms · avg 0.21 · 0 lost"));
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in echo mode a lost line is said, counted, and makes the exit status 1", "[echo][session]") {
  session s(echo_config());
  s.apply(state(net_state::online), 0);
  s.apply(keys("gone\r"), 0);
  s.apply(net_writing_event{t0}, 0);
  REQUIRE(s.rules().wake_at() == t0 + 5s);
  s.apply(tick(t0 + 5s), 0);
  CHECK(texts(s).back() == "sys no echo for seq=1 (timeout 5 s): gone");
  CHECK_THAT(status_line(s), Catch::Contains("1 lost"));
  s.apply(echochat::testing::one(ctrl_key(U'c')), 0);  // Ctrl-C: a clean quit, but lines were lost
  CHECK(s.exit_code() == 1);
}

TEST_CASE("in echo mode the lines the connection took are lost when it drops, and nothing else wakes it",
          "[echo][session]") {
  session s(echo_config());
  CHECK_FALSE(s.rules().wake_at());  // idle: no timer at all
  s.apply(state(net_state::online), 0);
  s.apply(keys("one\r"), 0);
  s.apply(net_writing_event{t0}, 0);
  s.apply(state(net_state::offline), 0);
  CHECK(texts(s).back() == "sys no echo for seq=1 (the connection dropped): one");
  CHECK_FALSE(s.rules().wake_at());
  s.apply(state(net_state::online), 0);
  s.apply(keys("two\r"), 0);
  s.apply(net_writing_event{t0 + 1s}, 0);
  s.apply(echo_of("two", t0 + 1s + 100us), 0);
  CHECK(texts(s).back() == "net two  (0.100 ms)");
}

TEST_CASE("in plain echo mode --count sends its probes on schedule, prints ping's lines and ends by itself",
          "[echo][session][probe]") {
  session s(echo_config(false, 3));
  s.apply(input_closed_event{}, 0);  // stdin at its end: the probes still go
  CHECK_FALSE(s.rules().wake_at());  // not online yet
  s.apply(state(net_state::online), 0);
  REQUIRE(s.rules().wake_at());
  for (int i = 0; i < 3; ++i) {
    const auto at = t0 + i * 50ms;
    CHECK(s.rules().wake_at() <= at);
    s.apply(tick(at), 0);
    const auto out = s.take_outgoing();
    REQUIRE(out.size() == 1);
    CHECK(out[0].starts_with("echochat " + std::to_string(i + 1) + " 1701331200."));
    s.apply(net_writing_event{at}, 0);
    s.apply(echo_of(out[0], at + 120us), 0);
  }
  CHECK(s.done());
  CHECK(s.exit_code() == 0);
  std::vector<std::string> printed;
  for (const auto& e : s.take_fresh()) {
    if (e.src == source::echo) printed.push_back(e.text);
  }
  CHECK(printed == std::vector<std::string>{"line from 127.0.0.1:7: seq=1 time=0.120 ms",
                                            "line from 127.0.0.1:7: seq=2 time=0.120 ms",
                                            "line from 127.0.0.1:7: seq=3 time=0.120 ms"});
  CHECK_THAT(s.rules().report(), Catch::StartsWith("--- 127.0.0.1:7 echo statistics ---\n"
                                                   "3 lines sent, 3 echoed, 0 differed, 0% lost, time 100ms\n"));
}
