// Options parsing: good values, and one clear line for each bad one.
#include "echochat/core/options.hpp"

#include "echochat/core/chat_mode.hpp"
#include "echochat/version.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <malloc.h>
#include <string>
#include <vector>

using namespace echochat;

namespace {
options parse_ok(std::vector<std::string> args) {
  auto r = parse_options(args);
  REQUIRE(std::holds_alternative<options>(r));
  return std::get<options>(r);
}
parse_exit parse_fail(std::vector<std::string> args) {
  auto r = parse_options(args);
  REQUIRE(std::holds_alternative<parse_exit>(r));
  return std::get<parse_exit>(r);
}
}  // namespace

TEST_CASE("no arguments give the defaults", "[options]") {
  const options o = parse_ok({});
  CHECK(o.delay_seconds == 10.0);
  CHECK_FALSE(o.plain);
  CHECK_FALSE(o.connect);
  CHECK_FALSE(o.log_file);
}

TEST_CASE("the delay flag takes fractional and zero seconds", "[options]") {
  CHECK(parse_ok({"--delay", "2.5"}).delay_seconds == 2.5);
  CHECK(parse_ok({"--delay=0"}).delay_seconds == 0.0);
  CHECK(parse_ok({"--delay", "1e-3"}).delay_seconds == 0.001);
  CHECK(parse_ok({"--plain"}).plain);
}

TEST_CASE("a bad --delay is one line on stderr naming the flag and the value", "[options]") {
  const std::string bad = GENERATE(as<std::string>{}, "-1", "abc", "inf", "nan", "", "1s", "-0.5");
  const parse_exit e = parse_fail({"--delay", bad});
  CHECK(e.code != 0);
  CHECK(e.out.empty());
  CHECK_THAT(e.err, Catch::StartsWith("echochat: ") && Catch::Contains("--delay") && Catch::EndsWith("\n"));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
  if (!bad.empty()) CHECK_THAT(e.err, Catch::Contains("'" + bad + "'"));
}

TEST_CASE("an unknown flag is an error", "[options]") {
  const parse_exit e = parse_fail({"--bogus"});
  CHECK(e.code != 0);
  CHECK_THAT(e.err, Catch::Contains("--bogus"));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
}

TEST_CASE("the version flag prints the project version", "[options]") {
  const parse_exit e = parse_fail({"--version"});
  CHECK(e.code == 0);
  CHECK(e.out == std::string{"echochat "} + echochat::version + "\n");
  CHECK(e.err.empty());
}

TEST_CASE("the help flag lists every flag and the keys", "[options]") {
  const parse_exit e = parse_fail({"--help"});
  CHECK(e.code == 0);
  for (const char* flag :
       {"--delay", "--connect", "--ca", "--insecure", "--log", "--plain", "--version", "--help"}) {
    CHECK_THAT(e.out, Catch::Contains(flag));
  }
  CHECK_THAT(e.out, Catch::Contains("Keys:") && Catch::Contains("quit"));
}

TEST_CASE("the help shows each flag's value name once", "[options]") {
  const std::string help = parse_fail({"--help"}).out;
  for (const flag_name& f : option_flags()) {
    if (f.value_name.empty()) continue;
    const std::string value{f.value_name};
    CAPTURE(f.name, value);
    CHECK_THAT(help, Catch::Contains(std::string{f.name} + " " + value));
    CHECK_THAT(help, !Catch::Contains(value + ":") && !Catch::Contains(":" + value));
  }
}

TEST_CASE("the help lists the chat commands chat mode knows", "[options]") {
  const std::string help = parse_fail({"--help"}).out;
  for (const chat_command& c : chat_commands())
    CHECK_THAT(help, Catch::Contains("\n  " + std::string{c.name} + " "));
}

TEST_CASE("history is on and the mouse off unless --no-history or --mouse says otherwise", "[options]") {
  const options plain = parse_ok({});
  CHECK(plain.history);
  CHECK_FALSE(plain.mouse);
  CHECK_FALSE(parse_ok({"--no-history"}).history);
  CHECK(parse_ok({"--mouse"}).mouse);
  const parse_exit e = parse_fail({"--help"});
  CHECK_THAT(e.out, Catch::Contains("--mouse") && Catch::Contains("text selection keeps working"));
  CHECK_THAT(e.out, Catch::Contains("/secret") && Catch::Contains("history file"));
}

TEST_CASE("the connect flag takes host:port, [v6]:port and names", "[options][connect]") {
  CHECK(parse_ok({"--connect", "127.0.0.1:9000"}).connect ==
        address{transport::tcp, {"127.0.0.1", "9000"}, {}});
  CHECK(parse_ok({"--connect", "[::1]:6667"}).connect == address{transport::tcp, {"::1", "6667"}, {}});
  CHECK(parse_ok({"--connect", "chat.example:1"}).connect ==
        address{transport::tcp, {"chat.example", "1"}, {}});
  CHECK(parse_ok({"--connect", "h:65535"}).connect == address{transport::tcp, {"h", "65535"}, {}});
}

TEST_CASE("the connect flag takes every transport's address", "[options][connect]") {
  CHECK(parse_ok({"--connect", "tls://irc.example:6697"}).connect ==
        address{transport::tls, {"irc.example", "6697"}, {}});
  CHECK(parse_ok({"--connect", "wss://echo.example/chat"}).connect ==
        address{transport::wss, {"echo.example", "443"}, "/chat"});
  CHECK(parse_ok({"--connect", "unix:/run/chat.sock"}).connect ==
        address{transport::unix_socket, {}, "/run/chat.sock"});
}

TEST_CASE("the ca flag takes an existing file, the insecure flag is a flag, and neither is on by default",
          "[options][tls]") {
  CHECK_FALSE(parse_ok({}).ca_file);
  CHECK_FALSE(parse_ok({}).insecure);
  CHECK(parse_ok({"--insecure"}).insecure);
  const std::string here = ECHOCHAT_SOURCE_DIR "/README.md";
  CHECK(parse_ok({"--ca", here}).ca_file == here);
  const parse_exit e = parse_fail({"--ca", "/nonexistent/ca.pem"});
  CHECK(e.code == 2);
  CHECK_THAT(e.err, Catch::Contains("--ca") && Catch::Contains("/nonexistent/ca.pem"));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
}

TEST_CASE("an address is written back the way it was given, IPv6 in brackets", "[options][connect]") {
  for (const std::string text : {"127.0.0.1:9000", "[::1]:6667", "chat.example:1"}) {
    CHECK(to_string(*parse_ok({"--connect", text}).connect) == text);
  }
}

TEST_CASE("a bad --connect is one clear line", "[options][connect]") {
  const std::string bad =
      GENERATE(as<std::string>{}, "nohostport", "host:0", "host:65536", ":9000", "host:", "host:http",
               "::1:80", "[::1]80", "[::1", "ftp://h:21", "tls://h", "tcp://h:1/x", "ws://h:99999/", "unix:");
  const parse_exit e = parse_fail({"--connect", bad});
  CHECK(e.code != 0);
  CHECK_THAT(e.err, Catch::Contains("--connect") && Catch::Contains(bad));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
}

TEST_CASE("a --connect with control characters is refused on one line that shows them escaped",
          "[options][connect]") {
  const parse_exit e = parse_fail({"--connect", "h:1\x1b[2J\nx"});
  CHECK(e.code == 2);
  CHECK_THAT(e.err,
             Catch::Contains("--connect") && Catch::Contains("h:1^[[2J^Jx") && Catch::Contains("control"));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
}

TEST_CASE("the log flag takes a file name", "[options]") {
  CHECK(parse_ok({"--log", "chat.log"}).log_file == "chat.log");
}

namespace {
// No control byte (C0, DEL) and no C1 control in UTF-8: nothing that could drive a terminal.
bool has_no_controls(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b < 0x20 && b != '\n') || b == 0x7F) return false;
    if (b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("a --connect with control characters is refused, the value shown escaped",
          "[options][connect][hostile]") {
  const auto [bad, shown] = GENERATE(table<std::string, std::string>({
      {"h\x1b]0;X\x07:80", "'h^[]0;X^G:80'"},
      {std::string(40, '\x01') + ":80", "'^A^A^A^A"},
      {"host\r\n:80", "'host^M^J:80'"},
      {"ho\xc2\x9bst:80", "'ho\\x9bst:80'"},
      {"evil\xe2\x80\xae:80", "'evil<U+202E>:80'"},
      {"bad\xff:80", "'bad\xEF\xBF\xBD:80'"},
  }));
  CAPTURE(bad);
  const parse_exit e = parse_fail({"--connect", bad});
  CHECK(e.code == 2);
  CHECK(e.out.empty());
  CHECK(has_no_controls(e.err));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
  CHECK_THAT(e.err, Catch::StartsWith("echochat: --connect: ") && Catch::Contains("no control characters"));
  CHECK_THAT(e.err, Catch::Contains(shown));
}

TEST_CASE("every flag error quotes what was given escaped, never raw", "[options][hostile]") {
  const auto [args, shown] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"--delay", "\x1b[2J"}, "'^[[2J'"},
      {{"--bogus\x1b]0;X\x07"}, "--bogus^[]0;X^G"},
      {{"stray\x07\x9b"}, "stray^G\xEF\xBF\xBD"},
      {{"--delay", "1\xc2\x9b"}, "'1\\x9b'"},
  }));
  CAPTURE(args);
  const parse_exit e = parse_fail(args);
  CHECK(e.code == 2);
  CHECK(has_no_controls(e.err));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
  CHECK_THAT(e.err, Catch::Contains(shown));
}

TEST_CASE("echo mode's flags: --echo with --connect takes --count, --interval, --size and --echo-timeout",
          "[options][echo]") {
  const options o = parse_ok({"--connect", "127.0.0.1:7", "--echo", "--count", "20", "--interval", "0.05",
                              "--size", "64", "--echo-timeout", "2.5"});
  REQUIRE(o.echo);
  CHECK(o.echo->count == 20);
  CHECK(o.echo->interval_seconds == 0.05);
  CHECK(o.echo->size == 64);
  CHECK(o.echo->timeout_seconds == 2.5);
  const options d = parse_ok({"--connect", "127.0.0.1:7", "--echo"});
  REQUIRE(d.echo);
  CHECK(d.echo->count == 0);
  CHECK(d.echo->interval_seconds == 1.0);
  CHECK(d.echo->timeout_seconds == 5.0);
  CHECK_FALSE(parse_ok({"--connect", "127.0.0.1:7"}).echo);
}

TEST_CASE("echo flags without what they need are one line naming the flag, exit 2", "[options][echo]") {
  const auto no_connect = parse_fail({"--echo"});
  CHECK(no_connect.code == 2);
  CHECK(no_connect.err == "echochat: --echo needs --connect (see --help)\n");
  for (const char* flag : {"--count", "--interval", "--size", "--echo-timeout"}) {
    const auto e = parse_fail({"--connect", "127.0.0.1:7", flag, "3"});
    CHECK(e.code == 2);
    CHECK(e.err == std::string{"echochat: "} + flag + " needs --echo (see --help)\n");
  }
}

TEST_CASE("bad echo values are one line naming the flag and the value", "[options][echo]") {
  const auto flag_value = GENERATE(table<std::string, std::string>({{"--count", "0"},
                                                                    {"--count", "-3"},
                                                                    {"--count", "x"},
                                                                    {"--interval", "0"},
                                                                    {"--interval", "0.0001"},
                                                                    {"--interval", "inf"},
                                                                    {"--size", "0"},
                                                                    {"--size", "1e9"},
                                                                    {"--echo-timeout", "-1"}}));
  const auto e =
      parse_fail({"--connect", "127.0.0.1:7", "--echo", std::get<0>(flag_value), std::get<1>(flag_value)});
  CHECK(e.code == 2);
  CHECK_THAT(e.err, Catch::Contains(std::get<0>(flag_value)) &&
                        Catch::Contains("'" + std::get<1>(flag_value) + "'"));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
}

TEST_CASE("each attempt has a timeout: --connect-timeout, 10 s by default, fractional, needs --connect",
          "[options]") {
  CHECK(parse_ok({"--connect", "127.0.0.1:7"}).connect_timeout_seconds == 10.0);
  CHECK(
      parse_ok({"--connect", "tls://example.org:6697", "--connect-timeout", "2.5"}).connect_timeout_seconds ==
      2.5);
  const auto alone = parse_fail({"--connect-timeout", "3"});
  CHECK(alone.code == 2);
  CHECK(alone.err == "echochat: --connect-timeout needs --connect (see --help)\n");
  for (const char* bad : {"0", "-1", "0.0001", "inf", "nan", "x", ""}) {
    const auto e = parse_fail({"--connect", "127.0.0.1:7", "--connect-timeout", bad});
    CHECK(e.code == 2);
    CHECK_THAT(e.err, Catch::Contains("--connect-timeout") && Catch::Contains(std::string{"'"} + bad + "'"));
    CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
  }
}

TEST_CASE("the --linger flag takes seconds (0 too), is unset by default, and needs --connect",
          "[options][linger]") {
  CHECK_FALSE(parse_ok({"--connect", "ws://127.0.0.1:7/"}).linger_seconds.has_value());
  CHECK(parse_ok({"--connect", "ws://127.0.0.1:7/", "--linger", "0.5"}).linger_seconds == 0.5);
  CHECK(parse_ok({"--connect", "127.0.0.1:7", "--linger", "0"}).linger_seconds == 0.0);
  const auto alone = parse_fail({"--linger", "3"});
  CHECK(alone.code == 2);
  CHECK(alone.err == "echochat: --linger needs --connect (see --help)\n");
  for (const char* bad : {"-1", "inf", "x", ""}) {
    const auto e = parse_fail({"--connect", "127.0.0.1:7", "--linger", bad});
    CHECK(e.code == 2);
    CHECK_THAT(e.err, Catch::Contains("--linger") && Catch::Contains(std::string{"'"} + bad + "'"));
  }
}

TEST_CASE("the --crlf flag is off by default, is a flag, and needs --connect", "[options][crlf]") {
  CHECK_FALSE(parse_ok({"--connect", "127.0.0.1:7"}).crlf);
  CHECK(parse_ok({"--connect", "127.0.0.1:7", "--crlf"}).crlf);
  const auto alone = parse_fail({"--crlf"});
  CHECK(alone.code == 2);
  CHECK(alone.err == "echochat: --crlf needs --connect (see --help)\n");
}

TEST_CASE("WebSocket upgrade flags: --header and --protocol repeat, --origin once, for ws and wss only",
          "[options][ws_handshake]") {
  const options o = parse_ok({"--connect", "wss://example.org/chat", "--header", "Authorization: Bearer t",
                              "--header", "X-A: 1", "--protocol", "chat.v2", "--protocol", "chat.v1",
                              "--origin", "https://chat.example"});
  CHECK(o.headers == std::vector<http_header>{{"Authorization", "Bearer t"}, {"X-A", "1"}});
  CHECK(o.protocols == std::vector<std::string>{"chat.v2", "chat.v1"});
  CHECK(o.origin == "https://chat.example");
  const options none = parse_ok({"--connect", "ws://example.org/"});
  CHECK(none.headers.empty());
  CHECK(none.protocols.empty());
  CHECK_FALSE(none.origin);
  for (const char* flag : {"--header", "--protocol", "--origin"}) {
    const std::string value = std::string{flag} == "--header" ? "X-A: 1" : "x";
    const auto alone = parse_fail({flag, value});
    CHECK(alone.code == 2);
    CHECK(alone.err == std::string{"echochat: "} + flag + " needs --connect (see --help)\n");
    for (const char* address : {"127.0.0.1:7", "tls://example.org:7", "unix:/tmp/s"}) {
      const auto e = parse_fail({"--connect", address, flag, value});
      CHECK(e.code == 2);
      CHECK(e.err == std::string{"echochat: "} + flag + " is for ws:// and wss:// addresses (see --help)\n");
    }
  }
}

TEST_CASE("a bad --header, --protocol or --origin is exit 2 naming the flag, the value shown escaped",
          "[options][ws_handshake][hostile]") {
  const auto flag_value = GENERATE(table<std::string, std::string>({{"--header", "X-A: a\r\nX-B: b"},
                                                                    {"--header", "X-A: a\nb"},
                                                                    {"--header", "no colon"},
                                                                    {"--header", "Upgrade: h2c"},
                                                                    {"--header", "Sec-WebSocket-Protocol: x"},
                                                                    {"--protocol", "a b"},
                                                                    {"--protocol", "a,b"},
                                                                    {"--protocol", ""},
                                                                    {"--origin", "https://x\r\nEvil: 1"},
                                                                    {"--origin", ""}}));
  const auto e =
      parse_fail({"--connect", "ws://127.0.0.1:7/", std::get<0>(flag_value), std::get<1>(flag_value)});
  CHECK(e.code == 2);
  CHECK_THAT(e.err, Catch::Contains(std::get<0>(flag_value)));
  CHECK(std::count(e.err.begin(), e.err.end(), '\n') == 1);
  CHECK(e.err.find('\r') == std::string::npos);
}

TEST_CASE("client certificate flags: --cert for tls and wss, --key and --key-passphrase-env with --cert",
          "[options][cert]") {
  const std::string file = ECHOCHAT_SOURCE_DIR "/README.md";  // a file that exists
  const options o = parse_ok({"--connect", "tls://example.org:7", "--cert", file, "--key", file,
                              "--key-passphrase-env", "MY_PASSPHRASE"});
  CHECK(o.cert_file == file);
  CHECK(o.key_file == file);
  CHECK(o.key_passphrase_env == "MY_PASSPHRASE");
  CHECK(parse_ok({"--connect", "wss://example.org/", "--cert", file}).cert_file == file);
  const auto no_cert = parse_fail({"--connect", "tls://example.org:7", "--key", file});
  CHECK(no_cert.code == 2);
  CHECK(no_cert.err == "echochat: --key needs --cert (see --help)\n");
  const auto env_alone = parse_fail({"--connect", "tls://example.org:7", "--key-passphrase-env", "X"});
  CHECK(env_alone.err == "echochat: --key-passphrase-env needs --cert (see --help)\n");
  for (const char* address : {"127.0.0.1:7", "ws://example.org/", "unix:/tmp/s"}) {
    const auto e = parse_fail({"--connect", address, "--cert", file});
    CHECK(e.code == 2);
    CHECK(e.err == "echochat: --cert is for tls:// and wss:// addresses (see --help)\n");
  }
  const auto missing = parse_fail({"--connect", "tls://example.org:7", "--cert", "/nonexistent/cert.pem"});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--cert") && Catch::Contains("/nonexistent/cert.pem"));
  for (const char* bad : {"", "1ABC", "A-B", "A B", "A=B"}) {
    const auto e =
        parse_fail({"--connect", "tls://example.org:7", "--cert", file, "--key-passphrase-env", bad});
    CHECK(e.code == 2);
    CHECK_THAT(e.err, Catch::Contains("--key-passphrase-env") && Catch::Contains("environment variable"));
  }
}

TEST_CASE("the --proxy flag takes a proxy URL, or '' for none, and needs --connect", "[options][proxy]") {
  CHECK_FALSE(parse_ok({"--connect", "h:1"}).proxy);
  CHECK(parse_ok({"--connect", "h:1", "--proxy", "socks5h://p:1080"}).proxy == "socks5h://p:1080");
  CHECK(parse_ok({"--connect", "wss://h/", "--proxy=http://u:pw@p"}).proxy == "http://u:pw@p");
  CHECK(parse_ok({"--connect", "h:1", "--proxy", ""}).proxy == "");
  CHECK(parse_ok({"--connect", "unix:/tmp/s", "--proxy", ""}).proxy == "");
  const parse_exit alone = parse_fail({"--proxy", "socks5://p"});
  CHECK(alone.code == 2);
  CHECK(alone.err == "echochat: --proxy needs --connect (see --help)\n");
  const parse_exit unix_socket = parse_fail({"--connect", "unix:/tmp/s", "--proxy", "socks5://p"});
  CHECK(unix_socket.code == 2);
  CHECK(unix_socket.err ==
        "echochat: --proxy is for tcp://, tls://, ws:// and wss:// addresses (see --help)\n");
}

TEST_CASE("a bad --proxy is one line that never shows the password", "[options][proxy]") {
  const parse_exit bad = parse_fail({"--connect", "h:1", "--proxy", "socks4://alice:hunter2@p"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("'socks4://alice:***@p'") &&
                          Catch::Contains("SOCKS4 is not supported") && !Catch::Contains("hunter2"));
  CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
  const parse_exit escaped = parse_fail({"--connect", "h:1", "--proxy", "http://a:b@p\x1b"});
  CHECK_THAT(escaped.err, Catch::Contains("^[") && !Catch::Contains("\x1b"));
}

TEST_CASE("the --dead-after flag takes whole seconds, 15 by default, 0 for never, and needs --connect",
          "[options][dead_after]") {
  CHECK(parse_ok({"--connect", "127.0.0.1:7"}).dead_after_seconds == 15);
  CHECK(parse_ok({"--connect", "127.0.0.1:7", "--dead-after", "3"}).dead_after_seconds == 3);
  CHECK(parse_ok({"--connect", "ws://h/", "--dead-after", "0"}).dead_after_seconds == 0);
  const auto alone = parse_fail({"--dead-after", "3"});
  CHECK(alone.code == 2);
  CHECK(alone.err == "echochat: --dead-after needs --connect (see --help)\n");
  for (const char* bad : {"-1", "1.5", "x", "", "86401"}) {
    const auto e = parse_fail({"--connect", "127.0.0.1:7", "--dead-after", bad});
    CHECK(e.code == 2);
    CHECK_THAT(e.err, Catch::Contains("--dead-after") && Catch::Contains(std::string{"'"} + bad + "'"));
  }
}

TEST_CASE("permessage-deflate is left out with --no-compress, for ws and wss only",
          "[options][ws_handshake]") {
  CHECK_FALSE(parse_ok({"--connect", "ws://example.org/"}).no_compress);
  CHECK(parse_ok({"--connect", "wss://example.org/", "--no-compress"}).no_compress);
  const auto alone = parse_fail({"--no-compress"});
  CHECK(alone.code == 2);
  CHECK(alone.err == "echochat: --no-compress needs --connect (see --help)\n");
  const auto tcp = parse_fail({"--connect", "127.0.0.1:7", "--no-compress"});
  CHECK(tcp.code == 2);
  CHECK(tcp.err == "echochat: --no-compress is for ws:// and wss:// addresses (see --help)\n");
}

TEST_CASE("a parser used again gives what a fresh parse gives, whatever came before", "[options]") {
  // Each vector sets what the next must not inherit: values, repeated flags, load mode, a parse
  // that stops half-way with an error, --help and --version.
  const std::vector<std::vector<std::string>> runs = {
      {"--delay", "3", "--plain", "--connect", "ws://h:1", "--header", "A: 1", "--header", "B: 2",
       "--protocol", "chat", "--no-compress"},
      {},
      {"--echo", "--connect", "tcp://h:7", "--rate", "100", "--connections", "4", "--duration", "2"},
      {"--connect", "tcp://h:7"},
      {"--delay", "2", "--bogus"},
      {"--delay", "2", "--delay"},
      {"--echo", "--count", "3", "--interval", "0.5", "--connect", "tcp://h:7"},
      {"--help"},
      {"--connect", "tcp://h:7", "--reply", "ping=pong", "--on-connect", "hi", "--on-connect", "there"},
      {"--version"},
      {"--echo", "--connect", "tcp://h:7", "--duration", "1", "--count", "5", "--rate", "10"},
      {"--proxy", "socks5://u:p@h:1080", "--connect", "tcp://h:7", "--dead-after", "0"},
      {"--connect", "unix:/tmp/s", "--header", "A: 1"},
      {"--no-history", "--mouse"},
      {},
  };
  option_parser reused;
  for (int round = 0; round < 2; ++round) {
    for (const auto& args : runs) {
      INFO("round " << round << ", " << args.size() << " arguments"
                    << (args.empty() ? "" : ", first " + args[0]));
      CHECK(reused.parse(args) == parse_options(args));
    }
  }
  // Backwards too: each vector after a different one.
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) CHECK(reused.parse(*it) == parse_options(*it));
}

TEST_CASE("a parser used twenty thousand times holds no more memory than after the first thousand",
          "[options]") {
  // What the fuzzer does. mallinfo2 counts glibc's heap (a sanitizer's allocator reports nothing,
  // so there the check holds trivially).
  const std::vector<std::vector<std::string>> runs = {
      {"--delay", "3", "--header", "A: 1", "--connect", "ws://h:1/"}, {"--bogus"}, {"--help"}, {}};
  option_parser reused;
  for (int i = 0; i < 1000; ++i) (void)reused.parse(runs[static_cast<std::size_t>(i) % runs.size()]);
  auto heap = [] {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;  // small blocks, and big ones mapped on their own
  };
  const std::size_t before = heap();
  for (int i = 0; i < 20'000; ++i) (void)reused.parse(runs[static_cast<std::size_t>(i) % runs.size()]);
  const std::size_t after = heap();
  CHECK(after <= before + 4096);
}
