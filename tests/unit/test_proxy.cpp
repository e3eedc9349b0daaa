// Proxies as data: the URL and its masking, the environment's choice as curl makes it (NO_PROXY
// included), and the bytes of SOCKS5 and HTTP CONNECT with every answer in words.
#include "echochat/core/options.hpp"
#include "echochat/core/proxy.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;
using namespace std::string_literals;

namespace {

proxy_url ok(const std::string& text) {
  auto r = parse_proxy_url(text);
  INFO(text << ": " << (std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : ""));
  REQUIRE(std::holds_alternative<proxy_url>(r));
  return std::get<proxy_url>(r);
}

std::string why(const std::string& text) {
  auto r = parse_proxy_url(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

address target(const std::string& text) {
  auto r = parse_address(text);
  REQUIRE(std::holds_alternative<address>(r));
  return std::get<address>(r);
}

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (const int b : list) out += static_cast<char>(b);
  return out;
}

}  // namespace

TEST_CASE("a proxy URL: the scheme, the host, the port (1080 unless given)", "[proxy]") {
  CHECK(ok("socks5://127.0.0.1:9050") == proxy_url{proxy_kind::socks5, {"127.0.0.1", "9050"}, {}, ""});
  CHECK(ok("socks5h://proxy.example") == proxy_url{proxy_kind::socks5h, {"proxy.example", "1080"}, {}, ""});
  CHECK(ok("http://proxy:3128/") == proxy_url{proxy_kind::http, {"proxy", "3128"}, {}, ""});
  CHECK(ok("HTTP://proxy").kind == proxy_kind::http);
  CHECK(ok("SOCKS5H://proxy").kind == proxy_kind::socks5h);
  CHECK(ok("[::1]:1081").endpoint == host_port{"::1", "1081"});
  CHECK(ok("socks5://[::1]").endpoint == host_port{"::1", "1080"});
  // Without a scheme, as curl takes it: HTTP.
  CHECK(ok("proxy:8080") == proxy_url{proxy_kind::http, {"proxy", "8080"}, {}, ""});
}

TEST_CASE("a proxy URL's user and password, %-decoded, a '@' in the password kept", "[proxy]") {
  const proxy_url p = ok("socks5://alice:s%3Acr%40t@proxy:1080");
  CHECK(p.user == "alice");
  CHECK(p.password == "s:cr@t");
  CHECK(ok("http://bob@proxy").user == "bob");
  CHECK(ok("http://bob@proxy").password.empty());
  CHECK(ok("http://bob:p@ss@proxy").password == "p@ss");
  CHECK(ok("http://b%20b:x@proxy").user == "b b");
}

TEST_CASE("a bad proxy URL is refused with the reason, never quoting the password", "[proxy]") {
  CHECK(why("") == "the proxy URL is empty");
  CHECK_THAT(why("https://proxy"), Catch::Contains("over TLS (https://) is not supported"));
  CHECK_THAT(why("socks4://proxy"), Catch::Contains("SOCKS4 is not supported"));
  CHECK_THAT(why("socks://proxy"), Catch::Contains("SOCKS4 is not supported"));
  CHECK_THAT(why("ftp://proxy"), Catch::Contains("unknown proxy scheme 'ftp'"));
  CHECK_THAT(why("socks5://"), Catch::Contains("names no host"));
  CHECK_THAT(why("socks5://u:p@:1080"), Catch::Contains("names no host"));
  CHECK_THAT(why("socks5://proxy:0"), Catch::Contains("port must be a number from 1 to 65535"));
  CHECK_THAT(why("socks5://proxy:99999"), Catch::Contains("port"));
  CHECK_THAT(why("socks5://proxy/path"), Catch::Contains("without a path"));
  CHECK_THAT(why("http://proxy?x"), Catch::Contains("without a path"));
  CHECK_THAT(why("http://a:b%zz@proxy"), Catch::Contains("%-escape"));
  CHECK_THAT(why("http://a:b%4@proxy"), Catch::Contains("%-escape"));
  CHECK_THAT(why("http://:secret@proxy"), Catch::Contains("no user name"));
  CHECK_THAT(why("http://pro\x1bxy"), Catch::Contains("control characters"));
  CHECK_THAT(why("socks5://" + std::string(256, 'u') + ":p@proxy"), Catch::Contains("255 bytes"));
  CHECK_THAT(why("socks5h://u:" + std::string(256, 'p') + "@proxy"), Catch::Contains("255 bytes"));
  CHECK(ok("http://u:" + std::string(256, 'p') + "@proxy").password.size() == 256);
  CHECK_THAT(why("socks5://[::1"), Catch::Contains("']'"));
  for (const auto& bad : {"http://a:hunter2@:1", "socks5://a:hunter2@proxy/x", "http://a:hunter2%zz@proxy"}) {
    CHECK_THAT(why(bad), !Catch::Contains("hunter2"));
  }
}

TEST_CASE("a proxy URL is shown with its password masked", "[proxy]") {
  CHECK(to_string(ok("socks5://user:pass@host")) == "socks5://user:***@host:1080");
  CHECK(to_string(ok("socks5h://host:9050")) == "socks5h://host:9050");
  CHECK(to_string(ok("http://user@[::1]:3128")) == "http://user@[::1]:3128");
  CHECK(to_string(ok("proxy")) == "http://proxy:1080");
  // The user as a URL carries it, so that nothing in it can pass for the host or a control.
  CHECK(to_string(ok("http://a%40b%1b:x@h:1")) == "http://a%40b%1B:***@h:1");
  CHECK(proxy_host_text(ok("socks5://u:p@[::1]:1081")) == "[::1]:1081");
  CHECK(masked_proxy_text("socks5://user:pass@host:1080") == "socks5://user:***@host:1080");
  CHECK(masked_proxy_text("user:p@ss@host") == "user:***@host");
  CHECK(masked_proxy_text("http://user@host") == "http://user@host");
  CHECK(masked_proxy_text("http://host:1080") == "http://host:1080");
  CHECK(masked_proxy_text("http://u:@host") == "http://u:@host");
  CHECK(masked_proxy_text("") == "");
}

TEST_CASE("the password's place in an argument, to overwrite it", "[proxy]") {
  using span = std::pair<std::size_t, std::size_t>;
  CHECK(proxy_password_span("socks5://user:pass@host") == span{14, 4});
  CHECK(proxy_password_span("u:p@h") == span{2, 1});
  CHECK(proxy_password_span("http://u@h") == std::nullopt);
  CHECK(proxy_password_span("http://h:1080") == std::nullopt);
  CHECK(argument_secrets({"--connect", "h:1", "--proxy", "socks5://u:pw@p"}) ==
        std::vector<argument_secret>{{3, 11, 2}});
  CHECK(argument_secrets({"--proxy=http://u:secret@p", "--proxy", "http://x:yz@q"}) ==
        std::vector<argument_secret>{{0, 8 + 9, 6}, {2, 9, 2}});
  CHECK(argument_secrets({"--proxy", "socks5://p:1080", "--proxy"}).empty());
  CHECK(argument_secrets({"--on-connect", "u:p@h"}).empty());
}

TEST_CASE("the environment's proxy: the variable for each transport, as curl reads them", "[proxy]") {
  proxy_environment env;
  CHECK(proxy_from_environment(target("h:1"), env) == std::nullopt);
  env.ALL_PROXY = "socks5://all";
  CHECK(proxy_from_environment(target("h:1"), env) == proxy_choice{"ALL_PROXY", "socks5://all"});
  CHECK(proxy_from_environment(target("wss://h/"), env) == proxy_choice{"ALL_PROXY", "socks5://all"});
  env.all_proxy = "socks5://lower";
  CHECK(proxy_from_environment(target("ws://h/"), env) == proxy_choice{"all_proxy", "socks5://lower"});
  env.http_proxy = "http://plain";
  env.HTTPS_PROXY = "http://secure-upper";
  for (const auto* t : {"h:1", "tcp://h:1", "ws://h/"}) {
    CHECK(proxy_from_environment(target(t), env) == proxy_choice{"http_proxy", "http://plain"});
  }
  for (const auto* t : {"tls://h:1", "wss://h/"}) {
    CHECK(proxy_from_environment(target(t), env) == proxy_choice{"HTTPS_PROXY", "http://secure-upper"});
  }
  env.https_proxy = "http://secure";
  CHECK(proxy_from_environment(target("tls://h:1"), env) == proxy_choice{"https_proxy", "http://secure"});
  // A Unix socket never goes through a proxy.
  CHECK(proxy_from_environment(target("unix:/tmp/s"), env) == std::nullopt);
}

TEST_CASE("an empty variable counts as unset, and HTTP_PROXY is not read (curl's rule)", "[proxy]") {
  proxy_environment env;
  env.http_proxy = "";
  env.ALL_PROXY = "socks5://all";
  CHECK(proxy_from_environment(target("h:1"), env) == proxy_choice{"ALL_PROXY", "socks5://all"});
  env.https_proxy = "";
  env.HTTPS_PROXY = "http://upper";
  CHECK(proxy_from_environment(target("tls://h:1"), env) == proxy_choice{"HTTPS_PROXY", "http://upper"});
  // https_proxy never applies to tcp or ws, http_proxy never to tls or wss.
  proxy_environment only_https;
  only_https.https_proxy = "http://s";
  CHECK(proxy_from_environment(target("ws://h/"), only_https) == std::nullopt);
  proxy_environment only_http;
  only_http.http_proxy = "http://p";
  CHECK(proxy_from_environment(target("wss://h/"), only_http) == std::nullopt);
}

TEST_CASE("NO_PROXY exempts hosts from the environment's proxy, no_proxy first", "[proxy]") {
  proxy_environment env;
  env.ALL_PROXY = "socks5://all";
  env.NO_PROXY = "localhost,.internal";
  CHECK(proxy_from_environment(target("localhost:1"), env) == std::nullopt);
  CHECK(proxy_from_environment(target("wss://chat.internal/"), env) == std::nullopt);
  CHECK(proxy_from_environment(target("example.com:1"), env).has_value());
  env.no_proxy = "example.com";  // the lower-case one wins, as in curl
  CHECK(proxy_from_environment(target("example.com:1"), env) == std::nullopt);
  CHECK(proxy_from_environment(target("localhost:1"), env).has_value());
  env.no_proxy = "";  // empty: unset, so NO_PROXY applies again
  CHECK(proxy_from_environment(target("localhost:1"), env) == std::nullopt);
}

TEST_CASE("NO_PROXY's entries: names and their subdomains, IP addresses and networks, *", "[proxy]") {
  CHECK(no_proxy_exempts("*", "anything.example"));
  CHECK(no_proxy_exempts("a, *", "anything.example"));
  CHECK_FALSE(no_proxy_exempts("", "example.com"));
  CHECK_FALSE(no_proxy_exempts(",,", "example.com"));
  // A name exempts itself and every name under it; a leading dot changes nothing.
  for (const auto* list :
       {"example.com", ".example.com", "EXAMPLE.com.", "x, example.com", "x example.com"}) {
    INFO(list);
    CHECK(no_proxy_exempts(list, "example.com"));
    CHECK(no_proxy_exempts(list, "chat.Example.COM"));
    CHECK(no_proxy_exempts(list, "a.b.example.com."));
    CHECK_FALSE(no_proxy_exempts(list, "badexample.com"));
    CHECK_FALSE(no_proxy_exempts(list, "example.com.evil"));
    CHECK_FALSE(no_proxy_exempts(list, "com"));
  }
  CHECK_FALSE(no_proxy_exempts(".", "example.com"));
  // IP addresses, compared as addresses; with /BITS, networks.
  CHECK(no_proxy_exempts("127.0.0.1", "127.0.0.1"));
  CHECK_FALSE(no_proxy_exempts("127.0.0.1", "127.0.0.2"));
  CHECK(no_proxy_exempts("10.0.0.0/8", "10.20.30.40"));
  CHECK_FALSE(no_proxy_exempts("10.0.0.0/8", "11.0.0.1"));
  CHECK(no_proxy_exempts("192.168.1.0/24", "192.168.1.200"));
  CHECK_FALSE(no_proxy_exempts("192.168.1.0/24", "192.168.2.1"));
  CHECK(no_proxy_exempts("0.0.0.0/0", "8.8.8.8"));
  CHECK_FALSE(no_proxy_exempts("10.0.0.0/33", "10.0.0.1"));
  CHECK_FALSE(no_proxy_exempts("10.0.0.0/", "10.0.0.1"));
  CHECK(no_proxy_exempts("::1", "::1"));
  CHECK(no_proxy_exempts("0:0::1", "[::1]"));
  CHECK(no_proxy_exempts("[::1]", "::1"));
  CHECK(no_proxy_exempts("fd00::/8", "fd12:3456::1"));
  CHECK_FALSE(no_proxy_exempts("fd00::/8", "fe80::1"));
  CHECK_FALSE(no_proxy_exempts("::1", "127.0.0.1"));
  // A name entry does not exempt an address, nor an address entry a name.
  CHECK_FALSE(no_proxy_exempts("localhost", "127.0.0.1"));
  CHECK_FALSE(no_proxy_exempts("127.0.0.1", "localhost"));
  // The part of an address entry that matches names: "0.1" is a name suffix of nothing numeric.
  CHECK_FALSE(no_proxy_exempts("0.0.1", "127.0.0.1"));
}

TEST_CASE("IPv4 and IPv6 literals as bytes", "[proxy]") {
  using v4 = std::array<std::uint8_t, 4>;
  CHECK(ipv4_bytes("127.0.0.1") == v4{127, 0, 0, 1});
  CHECK(ipv4_bytes("255.255.255.255") == v4{255, 255, 255, 255});
  for (const auto* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.", ".1.2.3", "a.b.c.d", "1.2.3.-4",
                          "1234.1.1.1", "1..2.3"}) {
    INFO(bad);
    CHECK(ipv4_bytes(bad) == std::nullopt);
  }
  using v6 = std::array<std::uint8_t, 16>;
  CHECK(ipv6_bytes("::1") == v6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(ipv6_bytes("::") == v6{});
  CHECK(ipv6_bytes("[2001:db8::ff00:42:8329]") ==
        v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29});
  CHECK(ipv6_bytes("1:2:3:4:5:6:7:8") == v6{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8});
  CHECK(ipv6_bytes("::ffff:10.0.0.1") == v6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1});
  CHECK(ipv6_bytes("fe80::1%eth0") == v6{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(ipv6_bytes("1::") == v6{0, 1});
  for (const auto* bad : {"", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", ":::", "1::2::3", "12345::", "g::1",
                          ":1::", "1:2:3:4:5:6:7::8", "1.2.3.4::", "example.com", "127.0.0.1"}) {
    INFO(bad);
    CHECK(ipv6_bytes(bad) == std::nullopt);
  }
}

TEST_CASE("SOCKS5: the greeting offers a user name and password only when there is one", "[proxy][socks5]") {
  CHECK(socks5_greeting(false) == bytes({5, 1, 0}));
  CHECK(socks5_greeting(true) == bytes({5, 2, 0, 2}));
}

TEST_CASE("SOCKS5: the proxy's choice of method, and each refusal in words", "[proxy][socks5]") {
  CHECK(read_socks5_choice(bytes({5, 0}), false).refusal == std::nullopt);
  CHECK_FALSE(read_socks5_choice(bytes({5, 0}), true).password);
  const auto with = read_socks5_choice(bytes({5, 2}), true);
  CHECK(with.password);
  CHECK(with.refusal == std::nullopt);
  CHECK_THAT(read_socks5_choice(bytes({5, 2}), false).refusal.value_or(""),
             Catch::Contains("wants a user name and password"));
  CHECK_THAT(read_socks5_choice(bytes({5, 0xff}), false).refusal.value_or(""),
             Catch::Contains("refuses to work without authentication"));
  CHECK_THAT(read_socks5_choice(bytes({5, 0xff}), true).refusal.value_or(""),
             Catch::Contains("accepts neither"));
  CHECK_THAT(read_socks5_choice(bytes({5, 1}), true).refusal.value_or(""),
             Catch::Contains("method 1, which was not offered"));
  // An HTTP proxy answering a SOCKS greeting: "HTTP/1.1 400".
  CHECK(read_socks5_choice("HT", false).refusal ==
        "the proxy does not answer as a SOCKS5 proxy (version byte 0x48, not 0x05)");
  CHECK(read_socks5_choice("", false).refusal.has_value());
}

TEST_CASE("SOCKS5: the user name and password (RFC 1929) and the answer", "[proxy][socks5]") {
  CHECK(socks5_password_request("user", "pw") == bytes({1, 4, 'u', 's', 'e', 'r', 2, 'p', 'w'}));
  CHECK(socks5_password_request("u", "") == bytes({1, 1, 'u', 0}));
  CHECK(read_socks5_password_answer(bytes({1, 0})) == std::nullopt);
  CHECK(read_socks5_password_answer(bytes({5, 0})) == std::nullopt);
  CHECK(read_socks5_password_answer(bytes({1, 1})) == "the proxy refused the user name or password");
  CHECK(read_socks5_password_answer(bytes({1, 0xff})) == "the proxy refused the user name or password");
}

TEST_CASE("SOCKS5: CONNECT to an IPv4 address, an IPv6 address or a name", "[proxy][socks5]") {
  CHECK(socks5_connect_request("127.0.0.1", 9000) == bytes({5, 1, 0, 1, 127, 0, 0, 1, 0x23, 0x28}));
  CHECK(socks5_connect_request("::1", 80) ==
        bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}));
  CHECK(socks5_connect_request("[::1]", 443)->size() == 22);
  CHECK(socks5_connect_request("chat.example", 65535) ==
        bytes({5, 1, 0, 3, 12, 'c', 'h', 'a', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0xff, 0xff}));
  CHECK(socks5_connect_request(std::string(255, 'a'), 1)->size() == 4 + 1 + 255 + 2);
  CHECK(socks5_connect_request(std::string(256, 'a'), 1) == std::nullopt);
  CHECK(socks5_connect_request("", 1) == std::nullopt);
}

TEST_CASE("SOCKS5: the reply's length by address type, and every reply code in words", "[proxy][socks5]") {
  CHECK(read_socks5_reply(bytes({5, 0, 0, 1, 127})) ==
        std::variant<std::size_t, std::string>{std::size_t{5}});
  CHECK(read_socks5_reply(bytes({5, 0, 0, 4, 0})) == std::variant<std::size_t, std::string>{std::size_t{17}});
  CHECK(read_socks5_reply(bytes({5, 0, 0, 3, 9})) == std::variant<std::size_t, std::string>{std::size_t{11}});
  CHECK(read_socks5_reply(bytes({5, 5, 0, 1, 0})) ==
        std::variant<std::size_t, std::string>{
            "the proxy says: connection refused by the destination (SOCKS5 reply 5)"s});
  const std::vector<std::string> words{"",
                                       "general SOCKS server failure",
                                       "connection not allowed by its rules",
                                       "network unreachable",
                                       "host unreachable",
                                       "connection refused by the destination",
                                       "TTL expired",
                                       "command not supported",
                                       "address type not supported"};
  for (std::uint8_t code = 1; code <= 8; ++code) {
    CHECK(socks5_reply_words(code) == words[code]);
    const auto r = read_socks5_reply(bytes({5, code, 0, 1, 0}));
    CHECK(std::get<std::string>(r) ==
          "the proxy says: " + words[code] + " (SOCKS5 reply " + std::to_string(code) + ")");
  }
  CHECK(socks5_reply_words(9) == "unknown failure");
  CHECK_THAT(std::get<std::string>(read_socks5_reply(bytes({5, 0, 0, 7, 0}))),
             Catch::Contains("unknown address type (7)"));
  CHECK_THAT(std::get<std::string>(read_socks5_reply(bytes({4, 0, 0, 1, 0}))),
             Catch::Contains("does not answer as a SOCKS5 proxy"));
  CHECK(std::holds_alternative<std::string>(read_socks5_reply("abc")));
}

TEST_CASE("HTTP CONNECT: the request, with Basic credentials when there is a user", "[proxy][http]") {
  CHECK(http_connect_request({"chat.example", "6697"}, ok("http://proxy")) ==
        "CONNECT chat.example:6697 HTTP/1.1\r\nHost: chat.example:6697\r\nUser-Agent: echochat\r\n\r\n");
  CHECK(http_connect_request({"::1", "80"}, ok("http://proxy")).starts_with("CONNECT [::1]:80 HTTP/1.1\r\n"));
  CHECK(http_connect_request({"h", "1"}, ok("http://Aladdin:open%20sesame@proxy")) ==
        "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\nUser-Agent: echochat\r\n"
        "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
}

TEST_CASE("base64 as RFC 4648's test vectors have it", "[proxy][http]") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foob") == "Zm9vYg==");
  CHECK(base64("fooba") == "Zm9vYmE=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64("\xff\xfe") == "//4=");
}

TEST_CASE("HTTP CONNECT: where the answer's head ends, and what it says", "[proxy][http]") {
  CHECK(http_head_end("HTTP/1.1 200 OK\r\n") == std::nullopt);
  CHECK(http_head_end("HTTP/1.1 200 OK\r\n\r\n") == std::size_t{19});
  CHECK(http_head_end("HTTP/1.1 200 OK\r\n\r\nhello") == std::size_t{19});
  CHECK(http_head_end("HTTP/1.0 200 OK\n\nx") == std::size_t{17});
  CHECK(http_head_end("HTTP/1.0 200 OK\r\nA: b\r\n\r\n\n\n") == std::size_t{25});

  CHECK(read_http_connect_answer("HTTP/1.1 200 Connection established\r\n\r\n", false) == std::nullopt);
  CHECK(read_http_connect_answer("HTTP/1.0 200\r\n\r\n", false) == std::nullopt);
  CHECK(read_http_connect_answer("HTTP/1.1 204 No Content\r\n\r\n", false) == std::nullopt);
  CHECK(read_http_connect_answer("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", false) ==
        "the proxy answered 407 Proxy Authentication Required (give a user name and password in the proxy "
        "URL: http://USER:PASSWORD@HOST:PORT)");
  CHECK(read_http_connect_answer("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", true) ==
        "the proxy answered 407 Proxy Authentication Required (the proxy refused the user name or password)");
  CHECK(read_http_connect_answer("HTTP/1.1 401 Unauthorized\r\n\r\n", true) ==
        "the proxy answered 401 Unauthorized (the proxy refused the user name or password)");
  CHECK(read_http_connect_answer("HTTP/1.1 403 Access violation\r\nX: y\r\n\r\n", false) ==
        "the proxy answered 403 Access violation");
  CHECK(read_http_connect_answer("HTTP/1.1 502 Bad\x1b[2J Gateway\r\n\r\n", false) ==
        "the proxy answered 502 Bad^[[2J Gateway");
  CHECK(read_http_connect_answer("HTTP/1.1 500\r\n\r\n", false) == "the proxy answered 500");
  CHECK(read_http_connect_answer(bytes({5, 0}), false) == "the proxy's answer is not HTTP: '^E^@'");
  for (const auto* bad :
       {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000\r\n\r\n", "SSH-2.0\r\n\r\n", ""}) {
    INFO(bad);
    CHECK_THAT(read_http_connect_answer(bad, false).value_or(""),
               Catch::StartsWith("the proxy's answer is not HTTP"));
  }
}
