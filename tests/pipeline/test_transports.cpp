// Chat mode over every transport, in process: TLS, WebSocket (ws and wss) and Unix sockets, each
// a front (test_front.hpp) before the in-process line server, with certificates made at test time.
#include "echochat/app/pipeline.hpp"
#include "echochat/core/status_line.hpp"
#include "echochat/edges/connectors.hpp"
#include "echochat/edges/ws_connection.hpp"
#include "pipeline/pipeline_util.hpp"
#include "support/session_util.hpp"
#include "support/silent_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"
#include "support/test_front.hpp"
#include "support/test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

using namespace echochat;
using echochat::testing::front_kind;
using echochat::testing::make_test_certs;
using echochat::testing::pipeline_rig;
using echochat::testing::silent_server;
using echochat::testing::temp_dir;
using echochat::testing::test_certs;
using echochat::testing::test_front;
using echochat::testing::test_server;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// TLS settings that trust the test CA in `ca` (as --ca does), or anyone (--insecure).
connect_settings trusting(const std::string& ca) {
  connect_settings s;
  s.tls.ca_file = ca;
  return s;
}
connect_settings trusting_anyone() {
  connect_settings s;
  s.tls.insecure = true;
  return s;
}

constexpr std::chrono::milliseconds deadline{10'000};

address parsed(const std::string& text) {
  auto r = parse_address(text);
  REQUIRE(std::holds_alternative<address>(r));
  return std::get<address>(r);
}

// The pipeline in chat mode through connector_for(), as app.cpp builds it.
struct harness : echochat::testing::net_rig {
  std::string target;

  harness(const std::string& address_text, connect_settings settings = {},
          std::vector<reply_rule> replies = {},
          std::chrono::milliseconds connect_timeout = default_connect_timeout)
      : net_rig(config_for(address_text, std::move(replies)), to_string(parsed(address_text)),
                connector_for(parsed(address_text), settings), connect_timeout),
        target(address_text) {
    scr.next_size = {40, 300};  // wide enough for the whole status bar, the reasons included
  }

  static session_config config_for(const std::string& target, std::vector<reply_rule> replies) {
    session_config c;
    c.chat = true;
    c.chat_target = target;
    c.replies = std::move(replies);
    return c;
  }
  std::string status() const { return status_line(s); }
};

// A CA file for --ca, written into a scratch directory.
struct ca_file {
  temp_dir dir{"echochat-tls"};
  std::string path;
  explicit ca_file(const test_certs& certs) : path((dir.path / "ca.pem").string()) {
    certs.write_to(dir.path);
  }
};

}  // namespace

// --- Unix sockets ----------------------------------------------------------------------------

TEST_CASE("over a Unix socket lines go both ways", "[chat][net][unix]") {
  test_server server;
  temp_dir dir("echochat-unix");
  test_front front(front_kind::unix_socket, server.port(), nullptr, dir.path / "chat.sock");
  harness h(front.address());
  h.start();
  h.wait_online(server);
  REQUIRE(h.run_until([&] { return h.count_starting("sys connected to " + front.address()) == 1; }));
  h.type("over unix\r");
  REQUIRE(h.run_until([&] { return server.count("over unix") == 1; }));
  server.send_line("back");
  REQUIRE(h.run_until([&] { return h.net_lines() == std::vector<std::string>{"back"}; }));
  h.quit();
}

TEST_CASE(
    "a missing Unix socket is a sys entry and a retry, and lines typed meanwhile arrive once it is there",
    "[chat][net][unix][reconnect][outbox]") {
  test_server server;
  temp_dir dir("echochat-unix");
  const auto path = dir.path / "later.sock";
  harness h("unix:" + path.string());
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until(
      [&] { return h.count_starting("sys cannot connect to unix:" + path.string() + ": ") >= 2; }));
  CHECK_THAT(h.texts().front(), Catch::Contains("no socket at " + path.string()));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  CHECK_THAT(h.status(), Catch::Contains("no socket at"));
  h.type("early\r");
  test_front front(front_kind::unix_socket, server.port(), nullptr, path);
  REQUIRE(h.run_until([&] { return server.count("early") == 1 && h.s.waiting() == 0; }));
  h.quit();
}

// --- what the byte streams share (TCP, Unix, TLS) ----------------------------------------------

TEST_CASE(
    "over a Unix socket and TLS a line of 200 KiB goes out whole, and one coming in is cut in 64 KiB pieces",
    "[chat][net][unix][tls][flood]") {
  const front_kind kind = GENERATE(front_kind::unix_socket, front_kind::tls);
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  temp_dir dir("echochat-unix");
  test_front front(kind, server.port(), &certs, dir.path / "chat.sock");
  harness h(front.address(), trusting(ca.path));
  // Sent at connect through write_line(), as the line and its "\n" in one gathered write.
  const std::string big(200 * 1024, 'y');
  h.net.on_connect({big, "after"});
  h.start();
  h.wait_online(server);
  REQUIRE(h.run_until([&] { return server.lines().size() == 2; }));
  CHECK(server.count(big) == 1);
  CHECK(server.lines().back() == "after");
  server.send_line(big);
  constexpr std::size_t piece = 64 * 1024;
  REQUIRE(h.run_until([&] { return h.net_lines().size() == 4; }));
  const auto lines = h.net_lines();
  for (std::size_t i = 0; i < 3; ++i) CHECK(lines[i] == std::string(piece, 'y') + " [cut]");
  CHECK(lines[3] == std::string(big.size() - 3 * piece, 'y'));
  h.quit();
}

// --- TLS -------------------------------------------------------------------------------------

TEST_CASE("TLS verified with --ca: online, the protocol on the status bar, the certificate in the transcript",
          "[chat][net][tls]") {
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  harness h(front.address(), trusting(ca.path));
  h.start();
  h.wait_online(server);
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.count_starting("sys TLS: tls1.") == 1; }));
  CHECK(h.count_starting("sys connected to " + front.address() + " (tls1.") == 1);
  CHECK_THAT(h.status(), Catch::Contains(" · online · tls1.") && !Catch::Contains("UNVERIFIED"));
  const auto texts = h.texts();
  const auto cert =
      std::find_if(texts.begin(), texts.end(), [](const auto& t) { return t.starts_with("sys TLS: "); });
  CHECK_THAT(*cert, Catch::Contains("CN=localhost") && Catch::Contains("SHA-256 ") &&
                        Catch::Contains("echochat test-only CA"));
  h.type("secret\r");
  server.send_line("answer");
  REQUIRE(h.run_until([&] { return server.count("secret") == 1 && h.net_lines().size() == 1; }));
  CHECK(h.net_lines() == std::vector<std::string>{"answer"});
  CHECK(h.count_starting("sys UNVERIFIED") == 0);
  h.quit();
  // q said goodbye with a close_notify.
  CHECK(server.wait_for([&] { return front.close_notifies() == 1; }, deadline));
}

TEST_CASE("TLS without --ca rejects a certificate the system does not trust, says why, and retries",
          "[chat][net][tls]") {
  const test_certs certs = make_test_certs();
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  harness h(front.address());
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] {
    return h.count_starting("sys cannot connect to " + front.address() +
                            ": unable to get local issuer certificate") >= 2;
  }));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  CHECK_THAT(h.status(),
             Catch::Contains("offline, retry in") && Catch::Contains("unable to get local issuer"));
  CHECK(server.lines().empty());
  CHECK(h.count_starting("sys connected") == 0);
  h.quit();
}

TEST_CASE("TLS rejects an expired certificate and one for another host, naming the reason",
          "[chat][net][tls]") {
  SECTION("expired") {
    echochat::testing::cert_options o;
    o.expired = true;
    const test_certs certs = make_test_certs(o);
    const ca_file ca(certs);
    test_server server;
    test_front front(front_kind::tls, server.port(), &certs);
    harness h(front.address(), trusting(ca.path));
    h.start();
    INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
    REQUIRE(h.run_until([&] {
      return h.count_starting("sys cannot connect to " + front.address() + ": certificate has expired") >= 1;
    }));
    h.quit();
  }
  SECTION("another host") {
    echochat::testing::cert_options o;
    o.host = "other.example";
    o.ip_san = false;
    const test_certs certs = make_test_certs(o);
    const ca_file ca(certs);
    test_server server;
    test_front front(front_kind::tls, server.port(), &certs);
    harness h(front.address(), trusting(ca.path));
    h.start();
    INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
    REQUIRE(h.run_until([&] {
      return h.count_starting("sys cannot connect to " + front.address() +
                              ": host name mismatch: cert is for other.example, not 127.0.0.1") >= 1;
    }));
    h.quit();
  }
}

TEST_CASE("TLS with --insecure connects to anything, marked UNVERIFIED on the status bar and at each connect",
          "[chat][net][tls]") {
  const test_certs certs = make_test_certs();
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  harness h(front.address(), trusting_anyone());
  CHECK_THAT(h.status(), !Catch::Contains("UNVERIFIED"));
  h.start();
  REQUIRE(h.run_until(
      [&] { return h.s.connection().state != net_state::connecting || h.s.connection().unverified; }));
  CHECK_THAT(h.status(), Catch::Contains("UNVERIFIED"));
  h.wait_online(server);
  REQUIRE(h.run_until([&] { return h.count_starting("sys UNVERIFIED: ") == 1; }));
  CHECK_THAT(h.status(), Catch::Contains(" · UNVERIFIED · online · tls1."));
  server.close_clients();
  REQUIRE(h.run_until([&] { return h.count_starting("sys UNVERIFIED: ") == 2; }));
  CHECK_THAT(h.status(), Catch::Contains("UNVERIFIED"));
  h.quit();
}

TEST_CASE("a TLS server that dies in the handshake is a sys entry saying so, and a retry",
          "[chat][net][tls]") {
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  front.die_in_handshake(true);
  harness h(front.address(), trusting(ca.path));
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] {
    return h.count_starting("sys cannot connect to " + front.address() +
                            ": the server closed the connection during the TLS handshake") >= 2;
  }));
  front.die_in_handshake(false);
  h.wait_online(server);
  h.quit();
}

TEST_CASE("over TLS, a dropped connection comes back and the lines typed meanwhile arrive once, in order",
          "[chat][net][tls][reconnect][outbox]") {
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  harness h(front.address(), trusting(ca.path));
  h.start();
  h.wait_online(server);
  h.type("before\r");
  REQUIRE(h.run_until([&] { return server.count("before") == 1; }));
  server.stop();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  h.type("one\rtwo\r");
  REQUIRE(h.run_until([&] { return h.s.waiting() == 2; }));
  server.start_listening();
  REQUIRE(h.run_until([&] { return h.s.waiting() == 0 && server.lines().size() == 3; }));
  h.type("three\r");
  REQUIRE(h.run_until([&] { return server.count("three") == 1; }));
  CHECK(server.lines() == std::vector<std::string>{"before", "one", "two", "three"});
  h.quit();
}

// --- WebSocket -------------------------------------------------------------------------------

TEST_CASE("over ws:// each line is a text message and each message line is an entry", "[chat][net][ws]") {
  test_server server;
  test_front front(front_kind::ws, server.port());
  harness h(front.address());
  h.start();
  h.wait_online(server);
  h.type("hello ws\r");
  REQUIRE(h.run_until([&] { return server.count("hello ws") == 1; }));
  front.send_text("one message\nof two lines");
  front.send_text("\x1b[2Jsafe");
  REQUIRE(h.run_until([&] { return h.net_lines().size() == 3; }));
  CHECK(h.net_lines() == std::vector<std::string>{"one message", "of two lines", "^[[2Jsafe"});
  h.quit();
  // q said goodbye with a close frame, code 1000.
  CHECK(server.wait_for([&] { return front.last_close_code() == 1000; }, deadline));
}

TEST_CASE("over ws:// a binary message shows its size and a hex preview", "[chat][net][ws]") {
  test_server server;
  test_front front(front_kind::ws, server.port());
  harness h(front.address());
  h.start();
  h.wait_online(server);
  front.send_binary(std::string("\x00\x01\xfe\xff", 4));
  front.send_binary(std::string(40, 'A'));
  REQUIRE(h.run_until([&] { return h.net_lines().size() == 2; }));
  CHECK(h.net_lines() == std::vector<std::string>{
                             "[binary 4 bytes] 00 01 fe ff",
                             "[binary 40 bytes] 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 ...",
                         });
  CHECK(binary_preview("x") == "[binary 1 byte] 78");
  CHECK(binary_preview("") == "[binary 0 bytes]");
  h.quit();
}

TEST_CASE("a close frame from the server shows its code and reason, then the client reconnects",
          "[chat][net][ws]") {
  test_server server;
  test_front front(front_kind::ws, server.port());
  harness h(front.address());
  h.start();
  h.wait_online(server);
  front.send_close(4000, "bye \x1b now");
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] {
    return h.count_starting("sys connection to " + front.address() +
                            " lost: closed by the server with code 4000 (bye ^[ now)") == 1;
  }));
  REQUIRE(h.run_until([&] { return h.count_starting("sys connected to ") == 2; }));
  h.quit();
}

TEST_CASE("a message over 16 MiB closes the connection with code 1009 and a sys entry, then a reconnect",
          "[chat][net][ws][flood]") {
  test_server server;
  test_front front(front_kind::ws, server.port());
  harness h(front.address());
  h.start();
  h.wait_online(server);
  front.send_text(std::string(ws_message_max + 1, 'x'));
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until(
      [&] {
        return h.count_starting("sys connection to " + front.address() +
                                " lost: a message was larger than 16 MiB") == 1;
      },
      30s));
  CHECK(server.wait_for([&] { return front.last_close_code() == 1009; }, deadline));
  CHECK(h.net_lines().empty());
  REQUIRE(h.run_until([&] { return h.count_starting("sys connected to ") == 2; }));
  h.quit();
}

TEST_CASE("a server that answers the upgrade with an HTTP error is a sys entry with its status line",
          "[chat][net][ws]") {
  test_server server;  // a line server, not a WebSocket one: the test answers for it
  harness h("ws://127.0.0.1:" + std::to_string(server.port()) + "/nowhere");
  h.start();
  // The request's head, line by line, up to the empty line that ends it.
  REQUIRE(h.run_until([&] { return server.lines().size() >= 2 && server.lines().back().empty(); }));
  const auto request = server.lines();
  CHECK(request.front() == "GET /nowhere HTTP/1.1");
  CHECK(std::count(request.begin(), request.end(), "Host: 127.0.0.1:" + std::to_string(server.port())) == 1);
  server.send_raw("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] {
    return h.count_starting("sys cannot connect to ws://127.0.0.1:" + std::to_string(server.port()) +
                            "/nowhere: the server answered HTTP 404 Not Found, not a WebSocket upgrade") == 1;
  }));
  h.quit();
}

TEST_CASE("over wss:// with --ca lines go both ways, the protocol shows, and a drop keeps the outbox",
          "[chat][net][wss][reconnect][outbox]") {
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  test_front front(front_kind::wss, server.port(), &certs);
  harness h(front.address(), trusting(ca.path));
  h.start();
  h.wait_online(server);
  CHECK_THAT(h.status(), Catch::Contains(" · online · tls1."));
  h.type("before\r");
  server.send_line("hi over wss");
  REQUIRE(h.run_until([&] { return server.count("before") == 1 && h.net_lines().size() == 1; }));
  server.stop();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  h.type("one\rtwo\r");
  REQUIRE(h.run_until([&] { return h.s.waiting() == 2; }));
  server.start_listening();
  REQUIRE(h.run_until([&] { return h.s.waiting() == 0 && server.lines().size() == 3; }));
  CHECK(server.lines() == std::vector<std::string>{"before", "one", "two"});
  h.quit();
  CHECK(server.wait_for([&] { return front.last_close_code() == 1000; }, deadline));
}

TEST_CASE("wss:// without --ca rejects the test certificate with the reason", "[chat][net][wss]") {
  const test_certs certs = make_test_certs();
  test_server server;
  test_front front(front_kind::wss, server.port(), &certs);
  harness h(front.address());
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] {
    return h.count_starting("sys cannot connect to " + front.address() +
                            ": unable to get local issuer certificate") >= 1;
  }));
  h.quit();
}

// --- lines sent at every connect ---------------------------------------------------------------

TEST_CASE("on-connect lines go first at every connect, before the lines waiting, and replies answer at once",
          "[chat][net][on-connect][reply][reconnect]") {
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  harness h(front.address(), trusting(ca.path), {reply_rule{"PING *", "PONG *"}});
  h.net.on_connect({"NICK me", "USER me 0 * :me"});
  h.start();
  h.wait_online(server);
  REQUIRE(h.run_until([&] { return server.lines().size() == 2; }));
  CHECK(server.lines() == std::vector<std::string>{"NICK me", "USER me 0 * :me"});
  CHECK(h.count_starting("you NICK me") == 1);
  server.send_line("PING :irc.example");
  REQUIRE(h.run_until([&] { return server.count("PONG :irc.example") == 1; }));
  CHECK(h.count_starting("reply PONG :irc.example") == 1);

  server.stop();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.s.connection().state == net_state::offline; }));
  h.type("typed while down\r");
  REQUIRE(h.run_until([&] { return h.s.waiting() == 1; }));
  server.start_listening();
  REQUIRE(h.run_until([&] { return h.s.waiting() == 0 && server.lines().size() == 6; }));
  CHECK(server.lines() == std::vector<std::string>{"NICK me", "USER me 0 * :me", "PONG :irc.example",
                                                   "NICK me", "USER me 0 * :me", "typed while down"});
  CHECK(h.count_starting("you NICK me") == 2);
  h.quit();
}

// --- the connect timeout ---------------------------------------------------------------------

TEST_CASE(
    "a server that accepts and never answers the handshake is given up after the connect timeout, naming the "
    "stage, and retried with the usual backoff",
    "[chat][net][timeout]") {
  const auto [scheme, path, stage] =
      GENERATE(table<std::string, std::string, std::string>({{"tls://", "", "during the TLS handshake"},
                                                             {"ws://", "/", "during the WebSocket upgrade"},
                                                             {"wss://", "/", "during the TLS handshake"}}));
  silent_server silent;
  const std::string target = scheme + "127.0.0.1:" + std::to_string(silent.port()) + path;
  // 50 ms instead of 10 s: the test waits for the timeouts, not for a length of time.
  harness h(target, trusting_anyone(), {}, 50ms);
  h.start();
  const std::string failed =
      "sys cannot connect to " + to_string(parsed(target)) + ": timed out after 0.05 s " + stage;
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.count_starting(failed) >= 3; }));
  // Each failure was an attempt of its own, on a connection of its own; none got anywhere.
  CHECK(silent.connections() >= 3);
  CHECK(h.count_starting("sys connected") == 0);
  CHECK(h.s.connection().state != net_state::online);
  h.quit();
}

TEST_CASE("the connect timeout bounds the attempt, not the connection: online stays online past it",
          "[chat][net][timeout]") {
  const test_certs certs = make_test_certs();
  const ca_file ca(certs);
  test_server server;
  test_front front(front_kind::tls, server.port(), &certs);
  harness h(front.address(), trusting(ca.path), {}, 50ms);
  h.start();
  h.wait_online(server);
  // Lines both ways, then the same again once the timeout has surely passed since the connect
  // (the wait is for the server's count, which the timer cannot make come sooner).
  const auto online_at = std::chrono::steady_clock::now();
  for (int round = 1; round <= 2; ++round) {
    h.type("line " + std::to_string(round) + "\r");
    server.send_line("answer " + std::to_string(round));
    REQUIRE(h.run_until([&] {
      return server.count("line " + std::to_string(round)) == 1 &&
             h.net_lines().size() == static_cast<std::size_t>(round);
    }));
    if (round == 1) {
      REQUIRE(h.run_until([&] { return std::chrono::steady_clock::now() - online_at > 100ms; }));
    }
  }
  CHECK(h.count_starting("sys connected to ") == 1);
  CHECK(h.count_starting("sys cannot connect") == 0);
  CHECK(h.count_starting("sys connection to") == 0);
  h.quit();
}
