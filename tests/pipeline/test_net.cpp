// Chat mode's network coroutines, for real: run_pipeline with config.connect pointing at the
// in-process test server, scripted terminal input and a recording screen, on a real io_context.
#include "echochat/app/pipeline.hpp"
#include "echochat/core/status_line.hpp"
#include "echochat/edges/tcp_connection.hpp"
#include "pipeline/pipeline_util.hpp"
#include "support/session_util.hpp"
#include "support/test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace echochat;
using echochat::testing::pipeline_rig;
using echochat::testing::test_server;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds deadline{10'000};

session_config chat_config(const std::string& target, bool terminal = true) {
  session_config c;
  c.chat = true;
  c.chat_target = target;
  c.terminal = terminal;
  c.keep_fresh = !terminal;
  return c;
}

host_port local(const test_server& server) {
  host_port hp;
  hp.host = "127.0.0.1";
  hp.port = std::to_string(server.port());
  return hp;
}

// The pipeline in chat mode against the test server over TCP.
struct net_harness : echochat::testing::net_rig {
  net_harness(host_port target, session_config sc)
      : net_rig(std::move(sc), to_string(target), tcp_connector(target)) {}

  // How many net entries there are, without copying them (the flood's are large).
  std::size_t net_count() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.entries().size(); ++i)
      if (s.entries().at(i).src == source::net) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("chat mode connects to the server, says so, and the status bar says online", "[chat][net]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address()));
  CHECK_THAT(status_line(h.s), Catch::Contains(" · connecting · "));
  h.start();
  h.wait_online(server);
  CHECK_THAT(status_line(h.s), Catch::Contains(" · online · "));
  REQUIRE(h.run_until([&] { return !h.texts().empty(); }));
  CHECK(h.texts() == std::vector<std::string>{"sys connected to " + server.address()});
  h.quit();
  CHECK(h.scr.finished);
}

TEST_CASE("a line typed in chat mode reaches the server once, as UTF-8 with a newline", "[chat][net]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address()));
  h.start();
  h.wait_online(server);
  h.type("hello w\xc3\xb6rld \xe6\x97\xa5\xe6\x9c\xac\r");
  h.type("second\r");
  REQUIRE(h.run_until([&] { return server.lines().size() == 2; }));
  CHECK(server.lines() == std::vector<std::string>{"hello wörld 日本", "second"});
  CHECK(h.count_starting("you hello wörld 日本") == 1);
  REQUIRE(h.run_until([&] { return h.s.waiting() == 0; }));
  h.quit();
}

TEST_CASE("server lines arrive as net entries with every control shown as a visible escape",
          "[chat][net][sanitize]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address()));
  h.start();
  h.wait_online(server);
  server.send_raw("plain text\r\n");
  server.send_raw("\x1b[31mred\x1b[0m \x1b]0;pwned\x07\n");
  server.send_raw(
      "\xc2\x9b"
      "C1 and raw \x9b\n");
  server.send_raw(
      "\xe2\x80\xae"
      "reversed\n");
  server.send_raw("bad \xff\xfe bytes\n");
  server.send_raw("日本語 café 🎉\n");
  server.send_raw("tab\there, del\x7f\n");
  const std::vector<std::string> expected{
      "plain text",       "^[[31mred^[[0m ^[]0;pwned^G",        "\\x9bC1 and raw \xef\xbf\xbd",
      "<U+202E>reversed", "bad \xef\xbf\xbd\xef\xbf\xbd bytes", "日本語 café 🎉",
      "tab here, del^?",
  };
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.net_count() >= expected.size(); }));
  CHECK(h.net_lines() == expected);
  h.quit();
}

TEST_CASE("a line split across many TCP segments arrives whole", "[chat][net]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address()));
  h.start();
  h.wait_online(server);
  const std::string line = "caf\xc3\xa9 \xf0\x9f\x8e\x89 end";
  // One write a byte (TCP_NODELAY on the server): UTF-8 characters and the "\r\n" split
  // wherever the client's reads happen to fall.
  for (char c : line) server.send_raw(std::string(1, c));
  server.send_raw("\r");
  server.send_raw("\n");
  REQUIRE(h.run_until([&] { return h.net_count() > 0; }));
  CHECK(h.net_lines() == std::vector<std::string>{line});
  h.quit();
}

TEST_CASE("when the server closes the connection the client says it was lost and connects again",
          "[chat][net][reconnect]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address()));
  h.start();
  h.wait_online(server);
  server.close_clients();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] {
    return h.count_starting("sys connection to " + server.address() + " lost: closed by the server") == 1;
  }));
  REQUIRE(h.run_until([&] { return h.count_starting("sys connected to ") == 2; }));
  h.wait_online(server);
  CHECK(server.accepted() == 2);
  CHECK_FALSE(h.s.done());
  // The new connection works both ways.
  h.type("after\r");
  server.send_line("welcome back");
  REQUIRE(h.run_until([&] { return server.count("after") == 1 && h.net_count() == 1; }));
  CHECK(h.net_lines() == std::vector<std::string>{"welcome back"});
  h.quit();
}

TEST_CASE(
    "lines typed while the server is down wait in the outbox and arrive in order, once each, after it is "
    "back",
    "[chat][net][reconnect][outbox]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address()));
  h.start();
  h.wait_online(server);
  h.type("before\r");
  REQUIRE(h.run_until([&] { return server.count("before") == 1; }));

  server.stop();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  h.type("one\rtwo\r");
  h.type("three\r");
  REQUIRE(h.run_until([&] { return h.s.waiting() == 3; }));
  CHECK_THAT(status_line(h.s), Catch::Contains(" · 3 waiting · "));
  CHECK(h.count_starting("you ") == 4);  // shown at once, sent later
  // A few refused attempts while it is down; the lines stay.
  REQUIRE(h.run_until([&] { return h.count_starting("sys cannot connect to " + server.address()) >= 2; }));
  CHECK(h.net.unsent() == 3);  // the client still holds every one
  CHECK(server.lines() == std::vector<std::string>{"before"});

  server.start_listening();
  REQUIRE(h.run_until([&] { return h.s.waiting() == 0 && server.lines().size() == 4; }));
  // A line typed now goes out behind them: anything sent twice would have come before it.
  h.type("four\r");
  REQUIRE(h.run_until([&] { return server.count("four") == 1 && h.s.waiting() == 0; }));
  CHECK(server.lines() == std::vector<std::string>{"before", "one", "two", "three", "four"});
  CHECK(server.accepted() == 2);
  CHECK_THAT(status_line(h.s), Catch::Contains(" · online · ") && !Catch::Contains("waiting"));
  h.quit();
}

TEST_CASE(
    "a refused connection is a sys entry and a retry, not an exit, and it connects once the server listens",
    "[chat][net][reconnect]") {
  test_server server;
  server.stop_listening();
  net_harness h(local(server), chat_config(server.address()));
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(
      h.run_until([&] { return h.count_starting("sys cannot connect to " + server.address() + ": ") >= 3; }));
  CHECK_FALSE(h.exit_code.has_value());
  CHECK_FALSE(h.s.done());
  CHECK_THAT(h.texts().front(), Catch::Contains("refused"));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  CHECK_THAT(status_line(h.s), Catch::Contains(" · offline, retry in "));
  server.start_listening();
  h.wait_online(server);
  h.quit();
}

TEST_CASE("a host name is resolved: localhost reaches the server", "[chat][net]") {
  test_server server;
  host_port byname;
  byname.host = "localhost";
  byname.port = std::to_string(server.port());
  net_harness h(byname, chat_config("localhost:" + byname.port));
  h.start();
  h.wait_online(server);
  h.type("by name\r");
  REQUIRE(h.run_until([&] { return server.count("by name") == 1; }));
  h.quit();
}

TEST_CASE("an unknown host is a sys entry and a retry, not an exit", "[chat][net][reconnect]") {
  host_port nowhere;
  nowhere.host = "no-such-host.invalid";
  nowhere.port = "6667";
  net_harness h(nowhere, chat_config("no-such-host.invalid:6667"));
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until(
      [&] { return h.count_starting("sys cannot connect to no-such-host.invalid:6667: ") >= 2; }));
  CHECK_FALSE(h.s.done());
  // Typing goes on meanwhile, into the outbox.
  h.type("hello\r");
  REQUIRE(h.run_until([&] { return h.s.waiting() == 1; }));
  h.quit();
}

TEST_CASE("an 8 MiB line without a newline arrives as 64 KiB pieces marked cut", "[chat][net][flood]") {
  test_server server;
  // Every entry as it arrives (the scrollback keeps only the newest 4 MiB of them).
  session_config config = chat_config(server.address());
  config.keep_fresh = true;
  net_harness h(local(server), config);
  h.start();
  h.wait_online(server);
  const auto arrived = [&] {
    std::vector<std::string> out;
    for (const auto& l : h.scr.fresh_lines) {
      if (l.starts_with("net ")) out.push_back(l.substr(4));
    }
    return out;
  };
  const auto arrived_count = [&] {
    return static_cast<std::size_t>(
        std::count_if(h.scr.fresh_lines.begin(), h.scr.fresh_lines.end(),
                      [](const std::string& l) { return l.starts_with("net "); }));
  };
  constexpr std::size_t piece = 64 * 1024;
  constexpr std::size_t total = 8 * 1024 * 1024;
  server.send_raw(std::string(total, 'x'));
  // The framer holds one piece at most: every piece it let go is full, and it lets go of a piece
  // as soon as the next byte shows the line goes on, so all but the last arrive without an end.
  const std::size_t cut_pieces = total / piece - 1;
  REQUIRE(h.run_until([&] { return arrived_count() == cut_pieces; }, 30s));
  const std::string full_cut = std::string(piece, 'x') + " [cut]";
  const auto lines = arrived();
  CHECK(std::all_of(lines.begin(), lines.end(), [&](const std::string& l) { return l == full_cut; }));
  CHECK(h.s.entries().finished_bytes() <= transcript::default_byte_capacity);
  // The newline ends the last piece, and the next line is whole.
  server.send_raw("\nafter the flood\n");
  REQUIRE(h.run_until([&] { return arrived_count() == cut_pieces + 2; }));
  const auto all = arrived();
  CHECK(all[cut_pieces] == std::string(piece, 'x'));
  CHECK(all[cut_pieces + 1] == "after the flood");
  CHECK(h.s.connection().state == net_state::online);
  h.quit();
}

TEST_CASE(
    "in plain mode the end of input sends the outbox, shuts the sending side, and ends when the server "
    "closes",
    "[chat][net][plain]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address(), false));
  h.config.slow_delay = 0ms;
  h.config.countdown = false;
  h.start();
  h.type("first\rsecond\r");
  h.end_input();
  INFO("the output: " << Catch::Detail::stringify(h.scr.fresh_lines));
  REQUIRE(h.run_until([&] { return server.ended() == 1; }));
  CHECK(server.lines() == std::vector<std::string>{"first", "second"});
  CHECK_FALSE(h.exit_code.has_value());  // the server may still speak
  server.send_line("bye \x1b[2J");
  REQUIRE(h.run_until([&] { return h.net_count() > 0; }));
  server.close_clients();
  REQUIRE(h.run_until([&] { return h.exit_code.has_value(); }));
  CHECK(*h.exit_code == 0);
  CHECK(h.s.why() == quit_reason::finished);
  CHECK(h.scr.finished);
  const auto& out = h.scr.fresh_lines;
  CHECK(std::count(out.begin(), out.end(), "you first") == 1);
  CHECK(std::count(out.begin(), out.end(), "you second") == 1);
  CHECK(std::count(out.begin(), out.end(), "net bye ^[[2J") == 1);
  CHECK(server.accepted() == 1);  // no reconnecting after the end of input
}

TEST_CASE("in plain mode lines that cannot be sent after the end of input give exit 1 and say so",
          "[chat][net][plain]") {
  test_server server;
  server.stop_listening();
  net_harness h(local(server), chat_config(server.address(), false));
  h.config.slow_delay = 0ms;
  h.config.countdown = false;
  h.start();
  h.type("lost line\r");
  h.end_input();
  INFO("the output: " << Catch::Detail::stringify(h.scr.fresh_lines));
  REQUIRE(h.run_until([&] { return h.exit_code.has_value(); }));
  CHECK(*h.exit_code == 1);
  CHECK(h.s.why() == quit_reason::unsent);
  CHECK(h.scr.fresh_lines.back() == "sys 1 line was not sent: the connection is closed");
}

TEST_CASE(
    "while the output is backed up nothing more is read from the server, then every line comes in order",
    "[net][backpressure]") {
  test_server server;
  net_harness h(local(server), chat_config(server.address(), false));
  async_flag may_read(h.io.get_executor(), false);  // as the output writer leaves it when full
  h.net.pause_reads_on(may_read);
  h.start();
  h.wait_online(server);
  server.send_line("held back");
  server.send_line("and this");
  // Nothing announces "not read": the pipeline gets 300 ms to read the lines, which it must not.
  CHECK_FALSE(h.run_until([&] { return h.net_count() > 0; }, 300ms));
  may_read.set();
  REQUIRE(h.run_until([&] { return h.net_count() == 2; }));
  CHECK(h.net_lines() == std::vector<std::string>{"held back", "and this"});
}
