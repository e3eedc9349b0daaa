// The --connect address parser: every transport's forms, their defaults, and each bad address
// refused with its reason.
#include "echochat/core/address.hpp"
#include "echochat/core/happy_eyeballs.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;

namespace {

address ok(const std::string& text) {
  auto r = parse_address(text);
  INFO(text << ": " << (std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : ""));
  REQUIRE(std::holds_alternative<address>(r));
  return std::get<address>(r);
}

std::string why(const std::string& text) {
  auto r = parse_address(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

}  // namespace

TEST_CASE("plain TCP is HOST:PORT, [V6]:PORT or tcp://HOST:PORT", "[address]") {
  CHECK(ok("127.0.0.1:9000") == address{transport::tcp, {"127.0.0.1", "9000"}, {}});
  CHECK(ok("[::1]:6667") == address{transport::tcp, {"::1", "6667"}, {}});
  CHECK(ok("tcp://chat.example:1") == address{transport::tcp, {"chat.example", "1"}, {}});
  CHECK(ok("tcp://[fe80::1%eth0]:65535") == address{transport::tcp, {"fe80::1%eth0", "65535"}, {}});
  CHECK(ok("under_score-host.example:7") == address{transport::tcp, {"under_score-host.example", "7"}, {}});
}

TEST_CASE("tls:// takes HOST:PORT and needs the port", "[address]") {
  CHECK(ok("tls://irc.example:6697") == address{transport::tls, {"irc.example", "6697"}, {}});
  CHECK(ok("tls://[::1]:443") == address{transport::tls, {"::1", "443"}, {}});
  CHECK(why("tls://irc.example") == "tls:// needs a port: tls://HOST:PORT");
  CHECK(why("tcp://irc.example") == "tcp:// needs a port: tcp://HOST:PORT");
  CHECK(why("tls://h:1/path") == "a tls address has no path: HOST:PORT");
}

TEST_CASE("ws:// and wss:// take an optional port and path, with the scheme's default port", "[address]") {
  CHECK(ok("ws://echo.example") == address{transport::ws, {"echo.example", "80"}, "/"});
  CHECK(ok("wss://echo.example") == address{transport::wss, {"echo.example", "443"}, "/"});
  CHECK(ok("ws://127.0.0.1:8080/chat?room=1") ==
        address{transport::ws, {"127.0.0.1", "8080"}, "/chat?room=1"});
  CHECK(ok("wss://[::1]/") == address{transport::wss, {"::1", "443"}, "/"});
  CHECK(ok("wss://[::1]:9443/a/b") == address{transport::wss, {"::1", "9443"}, "/a/b"});
  CHECK(why("ws:///path") == "the host is empty");
  CHECK(why("ws://h/a b") == "the path may not hold a space or '#' (write a space as %20)");
  CHECK(why("ws://h/a#frag") == "the path may not hold a space or '#' (write a space as %20)");
  CHECK(why("wss://h:0/") == "the port must be a number from 1 to 65535");
  CHECK(why("wss://h:/") == "the port is empty");
}

TEST_CASE("unix: takes the socket's path, absolute or relative, within sun_path's size", "[address]") {
  CHECK(ok("unix:/run/chat.sock") == address{transport::unix_socket, {}, "/run/chat.sock"});
  CHECK(ok("unix:chat.sock") == address{transport::unix_socket, {}, "chat.sock"});
  CHECK(ok("unix:/" + std::string(106, 'a')).path.size() == max_unix_path);
  CHECK(why("unix:") == "unix: needs the socket's path, as in unix:/run/chat.sock");
  CHECK(why("unix:/" + std::string(107, 'a')) == "the socket's path is longer than 107 bytes");
}

TEST_CASE("an unknown scheme names itself and the forms there are", "[address]") {
  CHECK(why("http://h:80") == "'http' is not a transport (use tcp://, tls://, ws://, wss://, unix:)");
  CHECK(why("TLS://h:1") == "'TLS' is not a transport (use tcp://, tls://, ws://, wss://, unix:)");
  CHECK(why("://h:1") == "'' is not a transport (use tcp://, tls://, ws://, wss://, unix:)");
}

TEST_CASE("control characters anywhere are refused", "[address]") {
  for (const std::string& bad : std::vector<std::string>{"h:1\n", "\x1b[2Jh:1", "ws://h/\x7f",
                                                         "unix:/tmp/a\tb", std::string("h:1\0", 4)}) {
    CHECK(why(bad) == "control characters are not allowed");
  }
}

TEST_CASE("bad hosts and ports are refused with their reason", "[address]") {
  CHECK(why("") == "the address is empty");
  CHECK(why("nohostport") == "expected HOST:PORT");
  CHECK(why(":9000") == "the host is empty");
  CHECK(why("h:0") == "the port must be a number from 1 to 65535");
  CHECK(why("h:65536") == "the port must be a number from 1 to 65535");
  CHECK(why("h:+1") == "the port must be a number from 1 to 65535");
  CHECK(why("::1:80") == "write an IPv6 address as [ADDRESS]:PORT");
  CHECK(why("[::1") == "an IPv6 address needs its closing ']'");
  CHECK(why("[::1]80") == "expected HOST:PORT");
  CHECK(why("user@h:1") == "'user@h' is not a host name or address");
  CHECK(why("h h:1") == "'h h' is not a host name or address");
}

TEST_CASE("an address is written back in the form it was parsed from", "[address]") {
  for (const std::string text : {"127.0.0.1:9000", "[::1]:6667", "tls://irc.example:6697", "ws://h:8080/chat",
                                 "wss://[::1]:443/", "unix:/run/chat.sock"}) {
    CHECK(to_string(ok(text)) == text);
  }
  CHECK(to_string(ok("tcp://h:1")) == "h:1");
  CHECK(to_string(ok("ws://h")) == "ws://h:80/");
  CHECK(to_string(ok("tcp://unix:80")) == "tcp://unix:80");  // not the socket "80"
  CHECK(to_string(ok("[fe80%1]:1")) == "[fe80%1]:1");
}

TEST_CASE("TLS is on the way for tls and wss only", "[address]") {
  CHECK(uses_tls(transport::tls));
  CHECK(uses_tls(transport::wss));
  CHECK_FALSE(uses_tls(transport::tcp));
  CHECK_FALSE(uses_tls(transport::ws));
  CHECK_FALSE(uses_tls(transport::unix_socket));
}

TEST_CASE("Happy Eyeballs tries IPv6 first, then the families alternate, each in the resolver's order",
          "[happy_eyeballs]") {
  using v = std::vector<std::size_t>;
  CHECK(attempt_order({}) == v{});
  CHECK(attempt_order({false}) == v{0});
  CHECK(attempt_order({true}) == v{0});
  CHECK(attempt_order({true, false}) == v{0, 1});
  CHECK(attempt_order({false, true}) == v{1, 0});  // IPv6 first even when the resolver put it second
  CHECK(attempt_order({false, false, true, true}) == v{2, 0, 3, 1});
  CHECK(attempt_order({true, true, true, false}) == v{0, 3, 1, 2});
  CHECK(attempt_order({false, false, false}) == v{0, 1, 2});
  CHECK(attempt_order({true, false, false, false, true}) == v{0, 1, 4, 2, 3});
}
