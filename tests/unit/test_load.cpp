// Load mode's pure parts: the histogram's arithmetic and encoding (HdrHistogram's), the messages,
// the open-loop schedule, matching echoes to messages, the meter, and what the views say.
#include "echochat/core/latency_histogram.hpp"
#include "echochat/core/load.hpp"
#include "echochat/core/options.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <string>
#include <variant>
#include <vector>

using namespace echochat;

namespace {

std::variant<options, parse_exit> parse(std::vector<std::string> args) { return parse_options(args); }

}  // namespace

TEST_CASE("histogram: HdrHistogram's buckets at 3 significant digits, 1 us to 1 hour", "[load][histogram]") {
  // Exact up to 2047, then each bucket doubles its step: 2048..4095 in steps of 2, and so on.
  CHECK(latency_histogram::index_of(0) == 0);
  CHECK(latency_histogram::index_of(1) == 1);
  CHECK(latency_histogram::index_of(2047) == 2047);
  CHECK(latency_histogram::index_of(2048) == 2048);
  CHECK(latency_histogram::index_of(2049) == 2048);
  CHECK(latency_histogram::index_of(4096) == 3072);
  CHECK(latency_histogram::index_of(latency_histogram::highest) < latency_histogram::counts_length);
  CHECK(latency_histogram::highest_equivalent(2048) == 2049);
  CHECK(latency_histogram::highest_equivalent(100) == 100);
  for (std::int64_t v = 0; v < latency_histogram::highest; v = v * 3 / 2 + 1) {
    const std::size_t i = latency_histogram::index_of(v);
    const std::int64_t low = latency_histogram::value_of(i);
    const std::int64_t high = latency_histogram::highest_equivalent(v);
    INFO("value " << v);
    REQUIRE(low <= v);
    REQUIRE(v <= high);
    // Three significant digits: a bucket is at most 1/1000 of its values wide.
    REQUIRE(static_cast<double>(high - low) <= static_cast<double>(v) / 1000.0 + 1);
    REQUIRE(latency_histogram::index_of(high) == i);
    REQUIRE(latency_histogram::index_of(high + 1) == i + 1);
  }
}

TEST_CASE("histogram: percentiles, min, max and mean as HdrHistogram reports them", "[load][histogram]") {
  latency_histogram h;
  CHECK(h.count() == 0);
  CHECK(h.at_percentile(50) == 0);
  CHECK(h.max() == 0);
  for (std::int64_t v = 1; v <= 10'000; ++v) h.record(v);
  CHECK(h.count() == 10'000);
  CHECK(h.min() == 1);
  CHECK(h.at_percentile(50) == 5'003);  // 5,000 is in the bucket 5,000..5,003 (steps of 4 from 4,096)
  CHECK(h.at_percentile(99) == latency_histogram::highest_equivalent(9'900));
  CHECK(h.at_percentile(100) == latency_histogram::highest_equivalent(10'000));
  CHECK(h.max() == latency_histogram::highest_equivalent(10'000));
  CHECK(h.mean() == Approx(5'000.5).epsilon(0.001));
  h.record(-5);
  CHECK(h.min() == 0);
  h.record(latency_histogram::highest * 2);  // counted as the highest
  CHECK(h.max() == latency_histogram::highest_equivalent(latency_histogram::highest));
  h.reset();
  CHECK(h.count() == 0);
}

TEST_CASE("histogram: memory does not grow with the values recorded", "[load][histogram]") {
  latency_histogram h;
  for (int i = 0; i < 1'000'000; ++i) h.record(i % 5'000'000 * 7 + 1);
  CHECK(h.buckets().size() <= latency_histogram::counts_length);
  CHECK(h.count() == 1'000'000);
}

TEST_CASE("histogram: histograms add up", "[load][histogram]") {
  latency_histogram a, b;
  a.record(100, 3);
  b.record(300'000);
  a.add(b);
  CHECK(a.count() == 4);
  CHECK(a.at_percentile(50) == 100);
  CHECK(a.max() == latency_histogram::highest_equivalent(300'000));
}

TEST_CASE("histogram: the V2 encoding and its compressed form read back the same", "[load][histogram]") {
  latency_histogram h;
  for (const std::int64_t v :
       std::vector<std::int64_t>{1, 2, 2, 90, 1'500, 70'000, 70'000, 3'000'000, 3'599'000'000}) {
    h.record(v);
  }
  const std::string raw = h.encode();
  // The V2 cookie, big-endian, and the header's 40 bytes; then the counts.
  REQUIRE(raw.size() > 40);
  CHECK(static_cast<unsigned char>(raw[0]) == 0x1c);
  CHECK(static_cast<unsigned char>(raw[1]) == 0x84);
  CHECK(static_cast<unsigned char>(raw[2]) == 0x93);
  CHECK(static_cast<unsigned char>(raw[3]) == 0x13);
  const std::string text = h.encode_compressed_base64();
  CHECK(text.rfind("HISTF", 0) == 0);  // what every HdrHistogram log line's histogram starts with
  latency_histogram back;
  REQUIRE(back.add_compressed_base64(text));
  CHECK(back.count() == h.count());
  CHECK(back.buckets() == h.buckets());
  CHECK(back.max() == h.max());
  // An empty histogram encodes too.
  latency_histogram empty;
  latency_histogram none;
  REQUIRE(none.add_compressed_base64(empty.encode_compressed_base64()));
  CHECK(none.count() == 0);
  CHECK_FALSE(none.add_compressed_base64("HISTFAAAA"));
  CHECK_FALSE(none.add_compressed_base64("not base64 at all!"));
}

TEST_CASE("base64 as RFC 4648 has it", "[load][histogram]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  std::string back;
  REQUIRE(base64_decode("Zm9vYmE=", back));
  CHECK(back == "fooba");
}

TEST_CASE("load messages carry their connection and sequence numbers", "[load]") {
  const std::string m = load_message(7, 42, 64);
  CHECK(m.size() == 64);
  CHECK(m.rfind("7.42 ", 0) == 0);
  CHECK(m.find('\n') == std::string::npos);
  CHECK(parse_load_message(m) == std::pair<std::uint32_t, std::uint64_t>{7, 42});
  CHECK(load_message(123, 4567, 4) == "123.4567 ");  // never shorter than its numbers
  CHECK_FALSE(parse_load_message("hello"));
  CHECK_FALSE(parse_load_message("1 .2"));
  CHECK_FALSE(parse_load_message("x.2 "));
  CHECK_FALSE(parse_load_message("1.y "));
}

TEST_CASE("the open-loop schedule spreads the connections' messages evenly", "[load]") {
  // 4 connections at 1,000/s: 250/s each, one message every 1 ms over all of them.
  CHECK(load_due(1000, 4, 0, 0) == 0);
  CHECK(load_due(1000, 4, 1, 0) == 1'000'000);
  CHECK(load_due(1000, 4, 3, 0) == 3'000'000);
  CHECK(load_due(1000, 4, 0, 1) == 4'000'000);
  CHECK(load_due(50'000, 100, 99, 499) == 999'980'000);
}

TEST_CASE("a connection's echoes are matched to its messages", "[load]") {
  load_matcher m(3, 32);
  const auto a = m.send(1'000);
  const auto b = m.send(2'000);
  const auto c = m.send(3'000);
  CHECK(a == 1);
  CHECK(c == 3);
  CHECK(m.unwritten() == 3);
  CHECK(m.next_unwritten() == std::pair<std::uint64_t, load_ns>{1, 1'000});
  SECTION("a message not yet written cannot be echoed") {
    CHECK(m.echo(load_message(3, a, 32)).what == load_echo::kind::unexpected);
    CHECK(m.in_flight() == 3);
  }
  m.written(1'100);
  m.written(2'100);
  SECTION("in order, exact") {
    const auto e = m.echo(load_message(3, a, 32));
    CHECK(e.what == load_echo::kind::echoed);
    CHECK(e.planned == 1'000);
    CHECK(e.written == 1'100);
    CHECK(e.lost == 0);
    CHECK(m.in_flight() == 2);
  }
  SECTION("a later echo first: the ones before it are lost") {
    const auto e = m.echo(load_message(3, b, 32));
    CHECK(e.what == load_echo::kind::echoed);
    CHECK(e.lost == 1);
    CHECK(e.lost_planned == std::vector<load_ns>{1'000});
    CHECK(m.in_flight() == 1);
  }
  SECTION("changed on the way: differed, with its latency") {
    std::string changed = load_message(3, a, 32);
    changed.back() = '!';
    const auto e = m.echo(changed);
    CHECK(e.what == load_echo::kind::differed);
    CHECK(e.planned == 1'000);
  }
  SECTION("another connection's, garbage, a message echoed already: unexpected, nothing consumed") {
    CHECK(m.echo(load_message(4, a, 32)).what == load_echo::kind::unexpected);
    CHECK(m.echo("garbage").what == load_echo::kind::unexpected);
    CHECK(m.echo(load_message(3, a, 32)).what == load_echo::kind::echoed);
    CHECK(m.echo(load_message(3, a, 32)).what == load_echo::kind::unexpected);
    CHECK(m.in_flight() == 2);
  }
  SECTION("past their time: lost, the unwritten ones kept") {
    std::vector<load_ns> planned;
    CHECK(m.expire(1'500, planned) == 1);
    CHECK(planned == std::vector<load_ns>{1'000});
    CHECK(m.expire(10'000, planned) == 1);  // the written one; the unwritten stays
    CHECK(m.in_flight() == 1);
    CHECK(m.unwritten() == 1);
  }
  SECTION("the connection died: all lost, the sequence goes on") {
    std::vector<load_ns> planned;
    CHECK(m.drop(planned) == 3);
    CHECK(m.in_flight() == 0);
    CHECK(m.unwritten() == 0);
    CHECK(m.send(5'000) == 4);
  }
}

TEST_CASE("the meter counts after the warm-up and shows every second", "[load]") {
  load_meter m(1'000'000'000);  // a 1 s warm-up
  load_matcher c(0, 16);
  c.send(500'000'000);    // in the warm-up
  c.send(1'500'000'000);  // counted
  c.written(500'000'000);
  c.written(1'530'000'000);  // 30 ms late
  m.written(500'000'000, 500'000'000, false);
  m.written(1'500'000'000, 1'530'000'000, true);
  m.echoed(c.echo(load_message(0, 1, 16)), 501'000'000);
  m.echoed(c.echo(load_message(0, 2, 16)), 1'532'000'000);
  CHECK(m.total().sent == 1);
  CHECK(m.total().echoed == 1);
  CHECK(m.total().late == 1);
  CHECK(m.total().late_full == 1);
  CHECK(m.from_schedule().count() == 1);
  CHECK(m.from_schedule().max() == latency_histogram::highest_equivalent(32'000));  // from the plan
  CHECK(m.from_write().max() == latency_histogram::highest_equivalent(2'000));      // from the write
  CHECK(m.current().counts.sent == 2);  // the second counts the warm-up too
  const auto& s = m.roll();
  CHECK(s.counts.echoed == 2);
  CHECK(s.p.max == latency_histogram::highest_equivalent(32'000));
  CHECK(m.current().counts.sent == 0);
  CHECK(m.p99_by_second().size() == 1);
  m.lost(2'000'000'000, 3);
  m.lost(10, 1);  // in the warm-up: not counted
  m.not_sent(2'000'000'000);
  m.unexpected();
  CHECK(m.total().lost == 3);
  CHECK(m.total().not_sent == 1);
  CHECK(m.total().unexpected == 1);
}

TEST_CASE("the meter keeps the last hour's p99s, and drops the oldest second first", "[load]") {
  load_meter m(0);
  load_matcher c(0, 16);
  c.send(0);
  c.written(0);
  m.written(0, 0, false);
  m.echoed(c.echo(load_message(0, 1, 16)), 5'000'000);  // 5 ms
  m.roll();
  REQUIRE(m.p99_by_second().size() == 1);
  CHECK(m.p99_by_second().front() > 0);
  for (int i = 1; i < 3600; ++i) m.roll();  // idle seconds: no figure
  REQUIRE(m.p99_by_second().size() == 3600);
  CHECK(m.p99_by_second().front() > 0);
  m.roll();
  CHECK(m.p99_by_second().size() == 3600);
  CHECK(m.p99_by_second().front() == -1);  // the first second is gone
  CHECK(m.p99_by_second().back() == -1);
}

TEST_CASE("the summary, the JSON, the plain line and the live view say the figures", "[load]") {
  load_meter m(0);
  load_matcher c(0, 16);
  for (int i = 0; i < 100; ++i) {
    const load_ns t = i * 10'000'000LL;
    c.send(t);
    c.written(t);
    m.written(t, t, false);
    m.echoed(c.echo(load_message(0, static_cast<std::uint64_t>(i) + 1, 16)), t + 200'000);
  }
  m.lost(5, 2);
  m.error("closed by the server");
  m.connected(1'000'000);
  m.roll();
  load_status st;
  st.target = "tcp://localhost:7";
  st.settings.rate = 100;
  st.settings.duration = 1;
  st.elapsed = 1;
  st.open = 1;
  const std::string summary = load_summary(st, m);
  CHECK(summary.find("--- tcp://localhost:7 load statistics ---") != std::string::npos);
  CHECK(summary.find("100 sent, 100 echoed, 0 differed, 2 lost") != std::string::npos);
  CHECK(summary.find("rate 100/s achieved of 100/s requested (open loop)") != std::string::npos);
  CHECK(summary.find("latency from schedule min/p50/p90/p99/p99.9/max = 0.200/0.200") != std::string::npos);
  CHECK(summary.find("errors: 1 closed by the server") != std::string::npos);
  const std::string json = load_json(st, m);
  CHECK(json.front() == '{');
  CHECK(json.find("\"sent\":100,\"echoed\":100,\"differed\":0,\"lost\":2") != std::string::npos);
  CHECK(json.find("\"latency_ms\":{\"count\":100,\"min\":0.200") != std::string::npos);
  CHECK(json.find("\"errors\":{\"closed by the server\":1}") != std::string::npos);
  CHECK(load_plain_line(st, m).find("sent 100/s, echoed 100/s, p50 0.200 ms") != std::string::npos);
  const auto rows = load_view(st, m, 24, 80);
  CHECK(rows.size() <= 24);
  REQUIRE(rows.size() > 8);
  CHECK(rows[0].find("rate 100/s") != std::string::npos);
  CHECK(std::any_of(rows.begin(), rows.end(), [](const std::string& r) { return r.find("whole run") == 0; }));
  CHECK(std::any_of(rows.begin(), rows.end(),
                    [](const std::string& r) { return r.find("100.0%") != std::string::npos; }));
  CHECK(load_view(st, m, 3, 80).size() == 3);
  SECTION("behind the schedule: said, with why") {
    m.written(0, 50'000'000, true);
    CHECK(load_summary(st, m).find(
              "behind: 1 message went out 10 ms or more late (max 50.000 ms): the sockets were full") !=
          std::string::npos);
  }
}

TEST_CASE("HdrHistogram's interval log: its header and a line per interval", "[load][histogram]") {
  const std::string head = hdr_log_header(1'700'000'000.25);
  CHECK(head.find("#[StartTime: 1700000000.250 (seconds since epoch)]") != std::string::npos);
  CHECK(head.find(
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n") !=
        std::string::npos);
  latency_histogram h;
  h.record(1'500);
  const std::string line = hdr_log_line(3, 1, h);
  CHECK(line.rfind("3.000,1.000,1.500,HISTF", 0) == 0);
}

TEST_CASE("load mode's flags", "[load][options]") {
  auto r = parse(
      {"--connect", "localhost:7", "--echo", "--rate", "50000", "--connections", "100", "--duration", "10"});
  REQUIRE(std::holds_alternative<options>(r));
  const auto& o = std::get<options>(r);
  REQUIRE(o.load);
  CHECK(o.echo);
  CHECK(o.load->connections == 100);
  CHECK(o.load->rate == 50'000);
  CHECK(o.load->duration == 10);
  CHECK(o.load->size == 64);
  SECTION("echo mode stays echo mode without them") {
    auto e = parse({"--connect", "localhost:7", "--echo", "--count", "3"});
    REQUIRE(std::holds_alternative<options>(e));
    CHECK_FALSE(std::get<options>(e).load);
  }
  SECTION("--count and --size carry over") {
    auto c =
        parse({"--connect", "localhost:7", "--echo", "--connections", "2", "--count", "500", "--size", "16"});
    REQUIRE(std::holds_alternative<options>(c));
    CHECK(std::get<options>(c).load->count == 500);
    CHECK(std::get<options>(c).load->size == 16);
  }
  SECTION("refused: without --echo, with echo mode's --interval, two ends, bad numbers") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--connect", "localhost:7", "--rate", "5"},
             {"--connect", "localhost:7", "--echo", "--rate", "5", "--interval", "1"},
             {"--connect", "localhost:7", "--echo", "--rate", "5", "--on-connect", "hi"},
             {"--connect", "localhost:7", "--echo", "--duration", "5", "--count", "5"},
             {"--connect", "localhost:7", "--echo", "--rate", "0"},
             {"--connect", "localhost:7", "--echo", "--connections", "0"},
             {"--connect", "localhost:7", "--echo", "--connect-rate", "-1"}}) {
      auto bad = parse(args);
      REQUIRE(std::holds_alternative<parse_exit>(bad));
      CHECK(std::get<parse_exit>(bad).code == 2);
      CHECK_FALSE(std::get<parse_exit>(bad).err.empty());
    }
  }
}
