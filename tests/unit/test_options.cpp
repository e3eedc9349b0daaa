// Options parsing: good values, and one clear line for each bad one.
#include "echochat/core/options.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
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
  CHECK(e.out == "echochat 1.0.0\n");
  CHECK(e.err.empty());
}

TEST_CASE("the help flag lists every flag and the keys", "[options]") {
  const parse_exit e = parse_fail({"--help"});
  CHECK(e.code == 0);
  for (const char* flag : {"--delay", "--connect", "--log", "--plain", "--version", "--help"}) {
    CHECK_THAT(e.out, Catch::Contains(flag));
  }
  CHECK_THAT(e.out, Catch::Contains("Keys:") && Catch::Contains("quit"));
}

TEST_CASE("the connect flag takes host:port, [v6]:port and names", "[options][connect]") {
  CHECK(parse_ok({"--connect", "127.0.0.1:9000"}).connect == host_port{"127.0.0.1", "9000"});
  CHECK(parse_ok({"--connect", "[::1]:6667"}).connect == host_port{"::1", "6667"});
  CHECK(parse_ok({"--connect", "chat.example:1"}).connect == host_port{"chat.example", "1"});
  CHECK(parse_ok({"--connect", "h:65535"}).connect == host_port{"h", "65535"});
}

TEST_CASE("an address is written back the way it was given, IPv6 in brackets", "[options][connect]") {
  for (const std::string text : {"127.0.0.1:9000", "[::1]:6667", "chat.example:1"}) {
    CHECK(to_string(*parse_ok({"--connect", text}).connect) == text);
  }
}

TEST_CASE("a bad --connect is one clear line", "[options][connect]") {
  const std::string bad =
      GENERATE(as<std::string>{}, "nohostport", "host:0", "host:65536", ":9000", "host:", "host:http", "::1:80", "[::1]80", "[::1");
  const parse_exit e = parse_fail({"--connect", bad});
  CHECK(e.code != 0);
  CHECK_THAT(e.err, Catch::Contains("--connect") && Catch::Contains(bad));
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
