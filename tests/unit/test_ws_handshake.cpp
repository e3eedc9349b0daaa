// The WebSocket upgrade's options as data: headers checked and masked, the server's subprotocol
// choice checked as RFC 6455 section 4.1 says.
#include "echochat/core/ws_handshake.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;

namespace {
http_header header_ok(std::string_view text) {
  auto r = parse_http_header(text);
  REQUIRE(std::holds_alternative<http_header>(r));
  return std::get<http_header>(r);
}
std::string header_refused(std::string_view text) {
  auto r = parse_http_header(text);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}
}  // namespace

TEST_CASE("a header is 'Name: value', the spaces around the value dropped", "[ws_handshake]") {
  CHECK(header_ok("Authorization: Bearer abc") == http_header{"Authorization", "Bearer abc"});
  CHECK(header_ok("X-Token:abc") == http_header{"X-Token", "abc"});
  CHECK(header_ok("X-Empty:") == http_header{"X-Empty", ""});
  CHECK(header_ok("X-Spaces: \t a b \t ") == http_header{"X-Spaces", "a b"});
  CHECK(header_ok("X-Colon: a:b:c") == http_header{"X-Colon", "a:b:c"});
  CHECK(header_ok("X-Tab: a\tb") == http_header{"X-Tab", "a\tb"});
  CHECK(header_ok("X-Utf8: café 日本") == http_header{"X-Utf8", "café 日本"});
  CHECK(header_ok("Host: example.org") == http_header{"Host", "example.org"});  // replaces the default
  CHECK(header_ok("User-Agent: mine/1") == http_header{"User-Agent", "mine/1"});
  CHECK(header_ok("!#$%&'*+-.^_`|~09az: x").name == "!#$%&'*+-.^_`|~09az");
}

TEST_CASE("a header that is not one, or would inject another, is refused with the reason",
          "[ws_handshake][hostile]") {
  CHECK(header_refused("no colon") == "a header is 'Name: value'");
  CHECK(header_refused(": value") == "'' is not a header name");
  CHECK(header_refused("Bad Name: value") == "'Bad Name' is not a header name");
  CHECK(header_refused("Bad(Name): value") == "'Bad(Name)' is not a header name");
  for (const std::string control : {"\r", "\n", "\r\n", "\x1b", "\x7f", "\x01"}) {
    CHECK(header_refused("X-Evil: a" + control + "Injected: b") ==
          "the value of X-Evil has a control character (CR, LF or another)");
  }
  CHECK(header_refused(std::string{"X-Nul: a\0b", 10}) ==
        "the value of X-Nul has a control character (CR, LF or another)");
  CHECK(header_refused("X\x1b[31m: v") == "'X^[[31m' is not a header name");  // shown escaped
}

TEST_CASE("the headers the upgrade sets itself are refused, and subprotocols are --protocol's",
          "[ws_handshake]") {
  CHECK(header_refused("Sec-WebSocket-Protocol: chat") == "offer subprotocols with --protocol");
  CHECK(header_refused("sec-websocket-protocol: chat") == "offer subprotocols with --protocol");
  for (const char* name :
       {"Upgrade", "connection", "SEC-WEBSOCKET-KEY", "Sec-WebSocket-Version", "Sec-WebSocket-Accept",
        "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"}) {
    CHECK_THAT(header_refused(std::string{name} + ": x"),
               Catch::EndsWith("is set by the WebSocket upgrade itself"));
  }
}

TEST_CASE("credentials are masked where the request is shown, keeping the scheme", "[ws_handshake]") {
  CHECK(shown_value({"Authorization", "Bearer s3cret"}) == "Bearer ***");
  CHECK(shown_value({"authorization", "Basic dXNlcjpwYXNz"}) == "Basic ***");
  CHECK(shown_value({"Authorization", "s3cret"}) == "***");
  CHECK(shown_value({"Proxy-Authorization", "Basic abc"}) == "Basic ***");
  CHECK(shown_value({"Cookie", "session=abc; other=def"}) == "***");
  CHECK(shown_value({"X-Api-Key", "visible"}) == "visible");  // only what HTTP names a credential
  CHECK(shown_value({"Origin", "https://chat.example"}) == "https://chat.example");
}

TEST_CASE("the server's subprotocol must be one offered, and one when some were", "[ws_handshake]") {
  const std::vector<std::string> offered{"chat.v1", "chat.v2"};
  CHECK_FALSE(refused_subprotocol(offered, "chat.v1"));
  CHECK_FALSE(refused_subprotocol(offered, "chat.v2"));
  CHECK_FALSE(refused_subprotocol({}, ""));
  CHECK(refused_subprotocol(offered, "") == "the server chose none of the subprotocols offered (--protocol)");
  CHECK(refused_subprotocol(offered, "rogue.v9") ==
        "the server chose subprotocol rogue.v9, which was not offered (--protocol)");
  CHECK(refused_subprotocol(offered, "chat.v1, chat.v2") ==
        "the server chose subprotocol chat.v1, chat.v2, which was not offered (--protocol)");
  CHECK(refused_subprotocol({}, "chat") == "the server chose subprotocol chat, and none was offered");
  CHECK(refused_subprotocol({}, "\x1b[2J") == "the server chose subprotocol ^[[2J, and none was offered");
  CHECK(refused_subprotocol(offered, "CHAT.V1").has_value());  // names are compared exactly (RFC 6455)
}

TEST_CASE("an HTTP token is one or more of the characters RFC 9110 allows", "[ws_handshake]") {
  CHECK(is_http_token("chat.v1"));
  CHECK(is_http_token("graphql-transport-ws"));
  CHECK_FALSE(is_http_token(""));
  CHECK_FALSE(is_http_token("a b"));
  CHECK_FALSE(is_http_token("a,b"));
  CHECK_FALSE(is_http_token("a/b"));
  CHECK_FALSE(is_http_token("é"));
}
