// Echo mode's pure parts: matching echoes to lines sent, losses, ping's arithmetic, and the
// mode's rules on a session (round trips on the entries, the status bar, probes, the exit code).
#include "echochat/core/echo_meter.hpp"
#include "echochat/core/echo_observer.hpp"
#include "echochat/core/frame.hpp"
#include "echochat/core/options.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/status_line.hpp"
#include "support/session_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
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

TEST_CASE("a changed echo says where it differs, and a trailing CR is named as such", "[echo][meter]") {
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

TEST_CASE("a dropped connection loses the lines it took: the ones not yet written wait, and numbers go on",
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

TEST_CASE("a server that echoes every line twice, with lines in flight: duplicates, each line echoed once",
          "[echo][meter][duplicate]") {
  // What a server that sends each line twice does to 40 probes sent 1 ms apart: the second copy
  // of line k arrives while line k+1 waits. It is a duplicate, and pairs with nothing.
  echo_meter m = meter();
  for (int i = 1; i <= 40; ++i) {
    m.sent("probe " + std::to_string(i));
    m.handed(t0 + std::chrono::milliseconds(i));
  }
  for (int i = 1; i <= 40; ++i) {
    const std::string line = "probe " + std::to_string(i);
    const auto first = m.received(line, t0 + std::chrono::milliseconds(i) + 200us);
    CHECK(first.what == echo_result::kind::echoed);
    CHECK(first.seq == static_cast<std::uint64_t>(i));
    CHECK(first.rtt == 200us);
    const auto again = m.received(line, t0 + std::chrono::milliseconds(i) + 300us);
    CHECK(again.what == echo_result::kind::duplicate);
    CHECK(again.seq == static_cast<std::uint64_t>(i));
  }
  CHECK(m.stats().echoed == 40);
  CHECK(m.stats().duplicates == 40);
  CHECK(m.stats().differed == 0);
  CHECK(m.stats().lost == 0);
  CHECK(m.stats().unexpected == 0);
  CHECK(m.stats().rtt_ms.size() == 40);  // a duplicate's time is not a round trip
  CHECK_THAT(echo_summary(m.stats(), "h:1", 40ms),
             Catch::Contains("40 lines sent, 40 echoed, +40 duplicates, 0 differed, 0% lost, time 40ms\n"));
}

TEST_CASE("a duplicate with nothing in flight is a duplicate too, and the next line still pairs",
          "[echo][meter][duplicate]") {
  echo_meter m = meter();
  m.sent("same");
  m.handed(t0);
  CHECK(m.received("same", t0 + 1ms).what == echo_result::kind::echoed);
  CHECK(m.received("same", t0 + 2ms).what == echo_result::kind::duplicate);
  // A line sent again with the same text is that line's echo, not a duplicate.
  m.sent("same");
  m.handed(t0 + 3ms);
  const auto r = m.received("same", t0 + 4ms);
  CHECK(r.what == echo_result::kind::echoed);
  CHECK(r.seq == 2);
  // An unexpected line (nothing waiting, nothing echoed like it) is counted and shifts nothing.
  CHECK(m.received("hello from the server", t0 + 5ms).what == echo_result::kind::unexpected);
  m.sent("next");
  m.handed(t0 + 6ms);
  CHECK(m.received("next", t0 + 7ms).seq == 3);
  CHECK(m.stats().duplicates == 1);
  CHECK(m.stats().unexpected == 1);
  CHECK_THAT(echo_summary(m.stats(), "h:1", 7ms),
             Catch::Contains("3 lines sent, 3 echoed, +1 duplicates, +1 unexpected, 0 differed, 0% lost,"));
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
  CHECK(echo_observer::probe_text(17, 1701331200.123456, 0) == "echochat 17 1701331200.123456");
  const std::string padded = echo_observer::probe_text(3, 1.5, 40);
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
  e.lines.push_back(net_line{std::move(text), false});
  e.received = at;
  return e;
}

// The connection wrote the oldest waiting line, its write handed to the socket at `at`: what the
// chat client says for each line, before and after the write.
void wrote(session& s, echo_clock::time_point at) {
  s.apply(net_writing_event{at}, 0);
  s.apply(net_sent_event{}, 0);
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
  wrote(s, t0);
  s.apply(echo_of("hello", t0 + 210us), 0);
  CHECK(texts(s) == std::vector<std::string>{"you hello", "net hello  (0.210 ms)"});
  CHECK_THAT(status_line(s), Catch::Contains("rtt 0.210 ms · avg 0.21 · 0 lost"));
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in echo mode a line not echoed in time is marked lost on its own entry, counted, and exits 1",
          "[echo][session][lost]") {
  session s(echo_config());
  s.apply(state(net_state::online), 0);
  s.apply(keys("gone\r"), 0);
  wrote(s, t0);
  REQUIRE(s.wake_at() == t0 + 5s);
  s.apply(tick(t0 + 5s - 1ns), 0);
  CHECK(texts(s) == std::vector<std::string>{"you gone"});  // not yet
  s.apply(tick(t0 + 5s), 7);
  // Where an echo's round trip shows, on the line's own entry, and no entry of its own.
  CHECK(texts(s) == std::vector<std::string>{"you gone  (lost: no echo in 5 s)"});
  CHECK(s.entries().finished().back().time == 0);  // still the time it was sent
  CHECK_THAT(status_line(s), Catch::Contains("1 lost"));
  CHECK_FALSE(s.wake_at());
  s.apply(echochat::testing::one(ctrl_key(U'c')), 0);  // Ctrl-C: a clean quit, but lines were lost
  CHECK(s.exit_code() == 1);
}

TEST_CASE("in echo mode the lines a dropped connection took are marked lost on their entries, no timer left",
          "[echo][session][lost]") {
  session s(echo_config());
  CHECK_FALSE(s.wake_at());  // idle: no timer at all
  s.apply(state(net_state::online), 0);
  s.apply(keys("one\r"), 0);
  s.apply(keys("two\r"), 0);
  wrote(s, t0);  // only "one" was written when it dropped
  s.apply(state(net_state::offline), 0);
  CHECK(texts(s) == std::vector<std::string>{"you one  (lost: the connection dropped)", "you two"});
  CHECK_THAT(status_line(s), Catch::Contains("1 lost"));
  CHECK_FALSE(s.wake_at());
  s.apply(state(net_state::online), 0);
  wrote(s, t0 + 1s);  // "two" goes out on the next connection
  s.apply(keys("three\r"), 0);
  wrote(s, t0 + 1s);
  s.apply(echo_of("two", t0 + 1s + 100us), 0);
  CHECK(texts(s).back() == "net two  (0.100 ms)");
  s.apply(state(net_state::offline), 0);  // "three" was taken and not echoed
  CHECK(texts(s) == std::vector<std::string>{"you one  (lost: the connection dropped)", "you two",
                                             "you three  (lost: the connection dropped)",
                                             "net two  (0.100 ms)"});
}

TEST_CASE("in echo mode a line the server went on without is marked lost on its entry at once",
          "[echo][session][lost]") {
  session s(echo_config());
  s.apply(state(net_state::online), 0);
  for (const char* l : {"1\r", "2\r", "3\r"}) {
    s.apply(keys(l), 0);
    wrote(s, t0);
  }
  s.apply(echo_of("1", t0 + 100us), 0);
  s.apply(echo_of("3", t0 + 200us), 0);
  CHECK(texts(s) == std::vector<std::string>{"you 1", "you 2  (lost: the next line's echo came first)",
                                             "you 3", "net 1  (0.100 ms)", "net 3  (0.200 ms)"});
  CHECK_THAT(status_line(s), Catch::Contains("1 lost"));
}

TEST_CASE("in echo mode each loss is marked on its own line's entry, whatever came in between",
          "[echo][session][lost]") {
  session s(echo_config());
  s.resize(24, 200);
  s.apply(state(net_state::online), 0);
  s.apply(keys("a\r"), 0);
  s.apply(keys("/secret\r"), 0);  // a sys entry between the lines, and nothing sent
  s.apply(keys("b\r"), 0);
  // Several lines sent by one Enter (a paste): each has its own entry.
  keys_event paste;
  paste.keys.push_back(named_key(key_code::paste_end));
  paste.pastes.push_back("c\nd\ne");
  s.apply(paste, 0);
  s.apply(keys("\r"), 0);
  for (int i = 0; i < 5; ++i) wrote(s, t0 + i * 1s);
  s.apply(echo_of("a", t0 + 1ms), 0);
  s.apply(tick(t0 + 1s + 5s), 0);  // "b" times out
  s.apply(echo_of("c", t0 + 2s + 1ms), 0);
  s.apply(tick(t0 + 4s + 5s), 0);  // "d" and "e" time out
  CHECK(texts(s) == std::vector<std::string>{
                        "you a",
                        texts(s)[1],  // the /secret answer
                        "you b  (lost: no echo in 5 s)",
                        "you c",
                        "you d  (lost: no echo in 5 s)",
                        "you e  (lost: no echo in 5 s)",
                        "net a  (1.000 ms)",
                        "net c  (1.000 ms)",
                    });
  CHECK(texts(s)[1].starts_with("sys secret on"));
  CHECK_THAT(status_line(s), Catch::Contains("3 lost"));
}

TEST_CASE("in echo mode a probe not echoed is marked lost on its own entry", "[echo][session][probe][lost]") {
  session s(echo_config(true, 2));
  s.apply(state(net_state::online), 0);
  s.apply(tick(t0), 0);
  wrote(s, t0);
  s.apply(tick(t0 + 50ms), 0);
  wrote(s, t0 + 50ms);
  const auto out = s.take_outgoing();
  REQUIRE(out.size() == 2);
  s.apply(echo_of(out[1], t0 + 50ms + 100us), 0);  // the first never comes back
  REQUIRE(s.entries().finished().size() == 3);
  CHECK(s.entries().finished()[0].text == out[0] + "  (lost: the next line's echo came first)");
  CHECK(s.entries().finished()[1].text == out[1]);
  CHECK(s.done());  // the last probe is answered
  CHECK(s.exit_code() == 1);
}

TEST_CASE("in echo mode the log gets each loss as a line of its own, since a line written cannot change",
          "[echo][session][lost][log]") {
  session_config c = echo_config();
  c.keep_fresh = true;  // --log with a screen
  session s(c);
  s.apply(state(net_state::online), 0);
  s.apply(keys("gone\r"), 1);
  s.apply(keys("taken\r"), 2);
  wrote(s, t0);
  s.apply(tick(t0 + 5s), 6);
  wrote(s, t0 + 5s);
  s.apply(state(net_state::offline), 7);
  std::vector<std::string> logged;
  for (const entry& e : s.take_fresh()) {
    logged.push_back(std::to_string(e.time) + " " + std::string{source_tag(e.src)} + " " + e.text);
  }
  CHECK(logged == std::vector<std::string>{"1 you gone", "2 you taken",
                                           "6 sys no echo for seq=1 (timeout 5 s): gone",
                                           "7 sys no echo for seq=2 (the connection dropped): taken"});
  // The screen shows them on the lines' own entries.
  CHECK(texts(s) == std::vector<std::string>{"you gone  (lost: no echo in 5 s)",
                                             "you taken  (lost: the connection dropped)"});
}

TEST_CASE("in echo mode a lost line whose entry left the scrollback is said in an entry of its own",
          "[echo][session][lost]") {
  session_config c = echo_config();
  c.scrollback = 3;
  session s(c);
  s.apply(state(net_state::online), 0);
  s.apply(keys("old\r"), 0);
  wrote(s, t0);
  for (int i = 0; i < 3; ++i) s.apply(keys("/secret\r"), 0);  // three sys entries push it out
  s.apply(tick(t0 + 5s), 0);
  CHECK(texts(s).back() == "sys no echo for seq=1 (timeout 5 s): old");
  CHECK_THAT(status_line(s), Catch::Contains("1 lost"));
}

TEST_CASE("in plain echo mode a loss is ping's line of its own, and the line sent is printed once, unchanged",
          "[echo][session][lost]") {
  session s(echo_config(false));
  s.apply(state(net_state::online), 0);
  s.apply(input_lines_event{{"gone", "taken"}}, 0);
  wrote(s, t0);
  s.apply(tick(t0 + 5s), 0);
  wrote(s, t0 + 5s);
  s.apply(state(net_state::offline), 0);
  std::vector<std::string> printed;
  for (const entry& e : s.take_fresh()) printed.push_back(std::string{source_tag(e.src)} + " " + e.text);
  CHECK(printed == std::vector<std::string>{"you gone", "you taken", "echo no echo for seq=1 (timeout 5 s)",
                                            "echo no echo for seq=2 (the connection dropped)"});
  CHECK(texts(s) == printed);  // nothing amended where nothing could show it
}

TEST_CASE("in plain echo mode the end of input waits for exactly the echoes, then nothing more",
          "[echo][session][linger]") {
  // The connection is told the input ended only once every echo came (or was lost), and then
  // need not linger for replies: echo mode counted them.
  session s(echo_config(false));
  s.apply(state(net_state::online), 0);
  s.apply(input_lines_event{{"one"}}, 0);
  s.apply(input_closed_event{}, 0);
  wrote(s, t0);
  CHECK(s.sends_more());  // one echo awaited
  s.apply(echo_of("one", t0 + 3ms), 0);
  CHECK_FALSE(s.sends_more());
  CHECK_FALSE(s.lingers());
}

TEST_CASE("in echo mode a loss marked on an entry is on the next frame's row",
          "[echo][session][lost][frame]") {
  session s(echo_config());
  s.resize(10, 40);  // 25 cells of text: the mark wraps onto a second row
  s.apply(state(net_state::online), 0);
  s.apply(keys("gone\r"), 0);
  s.apply(keys("next\r"), 0);
  wrote(s, t0);
  frame_builder frames;
  auto rows = [&] {
    std::vector<std::string> out;
    for (const layout_row& r : frames.build(s, {}).transcript) {
      out.push_back(r.e->text.substr(r.begin, r.end - r.begin));
    }
    return out;
  };
  CHECK(rows() == std::vector<std::string>{"gone", "next"});
  s.apply(tick(t0 + 5s), 0);
  CHECK(rows() == std::vector<std::string>{"gone  (lost: no echo in 5", " s)", "next"});
}

TEST_CASE("in echo mode a loss marked while scrolled back leaves the rows in view where they are",
          "[echo][session][lost][scroll]") {
  session s(echo_config());
  s.resize(8, 40);  // 5 rows of transcript, 25 cells of text: the mark takes the entry a second row
  s.apply(state(net_state::online), 0);
  // "/secret" answers alternate: 4 rows ("secret on: ...") and 3 rows ("secret off: ...").
  for (int i = 0; i < 8; ++i) s.apply(keys("/secret\r"), 0);  // entries 0 to 7, 28 rows
  s.apply(keys("gone\r"), 0);                                 // entry 8, one row
  wrote(s, t0);
  for (int i = 0; i < 3; ++i) s.apply(keys("/secret\r"), 0);  // entries 9 to 11, 11 rows under it
  frame_builder frames;
  auto shown = [&] {
    std::vector<std::string> out;
    for (const layout_row& r : frames.build(s, {}).transcript) {
      std::size_t index = 0;  // the scrollback is a deque: found, not subtracted
      while (&s.entries().at(index) != r.e) ++index;
      out.push_back(std::to_string(index) + ":" + r.e->text.substr(r.begin, r.end - r.begin));
    }
    return out;
  };
  auto page_up = [&](int times) {
    for (int i = 0; i < times; ++i) s.apply(echochat::testing::one(named_key(key_code::page_up)), 0);
  };
  auto entries_shown = [&](const std::vector<std::string>& rows) {
    std::vector<int> out;
    for (const auto& r : rows) out.push_back(std::stoi(r.substr(0, r.find(':'))));
    return out;
  };
  SECTION("the entry below the view: the view moves up with the row it grew") {
    page_up(4);
    const int scroll = s.view().scroll();
    const auto before = shown();
    for (const int i : entries_shown(before)) REQUIRE(i < 8);
    s.apply(tick(t0 + 5s), 0);
    CHECK(s.view().scroll() == scroll + 1);
    CHECK(shown() == before);
  }
  SECTION("the entry in view: it grows where it is") {
    page_up(2);
    const int scroll = s.view().scroll();
    REQUIRE(std::ranges::count(shown(), std::string{"8:gone"}) == 1);
    s.apply(tick(t0 + 5s), 0);
    CHECK(s.view().scroll() == scroll);
    CHECK(std::ranges::count(shown(), std::string{"8:gone  (lost: no echo in 5"}) == 1);
  }
  SECTION("the entry above the view: nothing in view moves") {
    page_up(1);
    const int scroll = s.view().scroll();
    const auto before = shown();
    for (const int i : entries_shown(before)) REQUIRE(i > 8);
    s.apply(tick(t0 + 5s), 0);
    CHECK(s.view().scroll() == scroll);
    CHECK(shown() == before);
  }
  SECTION("at the live end it stays live") {
    s.apply(tick(t0 + 5s), 0);
    CHECK(s.view().scroll() == 0);
  }
  CHECK(s.entries().finished()[8].text == "gone  (lost: no echo in 5 s)");
}

TEST_CASE("in plain echo mode --count sends its probes on schedule, prints ping's lines and ends by itself",
          "[echo][session][probe]") {
  session s(echo_config(false, 3));
  s.apply(input_closed_event{}, 0);  // stdin at its end: the probes still go
  CHECK_FALSE(s.wake_at());          // not online yet
  s.apply(state(net_state::online), 0);
  REQUIRE(s.wake_at());
  for (int i = 0; i < 3; ++i) {
    const auto at = t0 + i * 50ms;
    CHECK(s.wake_at() <= at);
    s.apply(tick(at), 0);
    const auto out = s.take_outgoing();
    REQUIRE(out.size() == 1);
    CHECK(out[0].starts_with("echochat " + std::to_string(i + 1) + " 1701331200."));
    wrote(s, at);
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
  CHECK_THAT(s.report(), Catch::StartsWith("--- 127.0.0.1:7 echo statistics ---\n"
                                           "3 lines sent, 3 echoed, 0 differed, 0% lost, time 100ms\n"));
}

TEST_CASE("in echo mode Ctrl-R opens its search on the input row and finds a line sent",
          "[echo][session][search]") {
  session s(echo_config());
  s.resize(24, 100);
  s.apply(state(net_state::online), 0);
  s.apply(keys("hello there\r"), 0);
  s.apply(keys("other\r"), 0);
  s.apply(echochat::testing::one(ctrl_key(U'r')), 0);
  s.apply(keys("hel"), 0);
  const presentation p = s.present();
  REQUIRE(p.prompt);
  CHECK(p.prompt->text == "(reverse-i-search)'hel': hello there");
  frame_builder frames;
  const frame& f = frames.build(s, {});
  REQUIRE(f.input);
  CHECK(f.input->text == "(reverse-i-search)'hel': hello there");
  s.apply(keys("\r"), 0);  // Enter sends the match, measured as any line
  CHECK(s.take_outgoing() == std::vector<std::string>{"hello there", "other", "hello there"});
  const auto* echo = dynamic_cast<const echo_observer*>(s.state().watcher.get());
  REQUIRE(echo != nullptr);
  CHECK(echo->meter().stats().sent == 3);
}

TEST_CASE("in echo mode /find opens the find prompt and highlights the match", "[echo][session][search]") {
  session s(echo_config());
  s.resize(24, 100);
  s.apply(state(net_state::online), 0);
  s.apply(keys("needle\r"), 0);
  s.apply(keys("/find need\r"), 0);
  const presentation p = s.present();
  REQUIRE(p.prompt);
  CHECK(p.prompt->text == "find: need");
  REQUIRE(p.highlight.e != nullptr);
  CHECK(p.highlight.e->text == "needle");
  CHECK_THAT(status_line(s), Catch::Contains("match 1 of 1"));
}

TEST_CASE("in echo mode a --reply rule answers, and the answer is not measured", "[echo][session][reply]") {
  session_config c = echo_config();
  c.replies = {reply_rule{"PING *", "PONG *"}};
  session s(c);
  s.apply(state(net_state::online), 0);
  s.apply(echo_of("PING x", t0), 0);  // the server asks
  CHECK(s.take_outgoing() == std::vector<std::string>{"PONG x"});
  wrote(s, t0 + 10us);  // the answer goes out: no clock starts for it
  s.apply(keys("probe\r"), 0);
  wrote(s, t0 + 20us);
  s.apply(echo_of("probe", t0 + 120us), 0);
  CHECK(texts(s) == std::vector<std::string>{"net PING x  (unexpected: nothing was waiting for an echo)",
                                             "reply PONG x", "you probe", "net probe  (0.100 ms)"});
  const auto* echo = dynamic_cast<const echo_observer*>(s.state().watcher.get());
  REQUIRE(echo != nullptr);
  CHECK(echo->meter().stats().sent == 1);
  CHECK(echo->meter().stats().echoed == 1);
  CHECK(s.exit_code() == 0);
}

TEST_CASE("in echo mode a line written again after a drop starts no second clock", "[echo][session][lost]") {
  session s(echo_config());
  s.apply(state(net_state::online), 0);
  s.apply(keys("one\r"), 0);
  s.apply(keys("two\r"), 0);
  s.apply(net_writing_event{t0}, 0);  // "one" is being written when the connection drops
  s.apply(state(net_state::offline), 0);
  CHECK(texts(s).front() == "you one  (lost: the connection dropped)");
  s.apply(state(net_state::online), 0);
  wrote(s, t0 + 1s);  // "one" again: the chat client writes it first
  wrote(s, t0 + 2s);  // then "two", whose clock starts now
  s.apply(echo_of("two", t0 + 2s + 100us), 0);
  CHECK(texts(s).back() == "net two  (0.100 ms)");
}
