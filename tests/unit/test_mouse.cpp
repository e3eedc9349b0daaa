// Mouse reports (SGR 1006 and X10) in the key decoder: the wheel is a key, clicks and the rest are dropped,
// never shown as junk, whatever the chunking.
#include "echochat/core/key_decoder.hpp"
#include "unit/decoder_util.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;
using echochat::testing::decode;

TEST_CASE("a wheel report is WheelUp or WheelDown, with or without modifiers", "[decoder][mouse]") {
  CHECK(decode("\x1b[<64;10;5M") == std::vector<key>{named_key(key_code::wheel_up)});
  CHECK(decode("\x1b[<65;1;1M") == std::vector<key>{named_key(key_code::wheel_down)});
  CHECK(decode("\x1b[<68;200;80M") == std::vector<key>{named_key(key_code::wheel_up)});  // Shift
  CHECK(decode("\x1b[<81;3;3M") == std::vector<key>{named_key(key_code::wheel_down)});   // Ctrl
  CHECK(key_name(named_key(key_code::wheel_up)) == "<WheelUp>");
}

TEST_CASE("clicks, releases, drags and the sideways wheel are no keys and leave no junk",
          "[decoder][mouse]") {
  for (const char* report :
       {"\x1b[<0;10;5M", "\x1b[<0;10;5m", "\x1b[<2;1;1M", "\x1b[<32;4;4M", "\x1b[<35;4;4M", "\x1b[<66;1;1M",
        "\x1b[<67;1;1M", "\x1b[<64;10;5m", "\x1b[<128;1;1M", "\x1b[<;;M"}) {
    INFO(std::string{report}.substr(1));
    CHECK(decode(report).empty());
  }
  CHECK(decode("a\x1b[<0;10;5Mb") == std::vector<key>{char_key(U'a'), char_key(U'b')});
}

TEST_CASE("a wheel report, SGR 1006 or X10, split at every byte decodes the same", "[decoder][mouse]") {
  const std::string report = GENERATE(as<std::string>{}, "x\x1b[<65;123;45My", "x\x1b[Ma+/y");
  for (std::size_t cut = 0; cut <= report.size(); ++cut) {
    key_decoder d;
    std::vector<key> out;
    d.feed(report.substr(0, cut), out);
    d.feed(report.substr(cut), out);
    INFO(report.substr(2) << " cut at " << cut);
    CHECK(out == std::vector<key>{char_key(U'x'), named_key(key_code::wheel_down), char_key(U'y')});
  }
}

TEST_CASE("mouse_wheel reads the button from the report's parameters", "[decoder][mouse]") {
  CHECK(mouse_wheel("64;1;1", true) == named_key(key_code::wheel_up));
  CHECK_FALSE(mouse_wheel("64;1;1", false));
  CHECK_FALSE(mouse_wheel("1;1;1", true));
  CHECK_FALSE(mouse_wheel("", true));
}

// Old-style X10 reports, ESC [ M and three bytes (button, column, row, each + 32), come from a
// terminal without SGR 1006; they were typed as text (" ..", "`!!").
TEST_CASE("an X10 mouse report: the wheel is a key, clicks are dropped, none of its bytes is typed",
          "[decoder][mouse]") {
  CHECK(decode("\x1b[M`!!") == std::vector<key>{named_key(key_code::wheel_up)});        // 64 + 32
  CHECK(decode("\x1b[Ma*5") == std::vector<key>{named_key(key_code::wheel_down)});      // 65 + 32
  CHECK(decode("\x1b[Mh!!") == std::vector<key>{named_key(key_code::wheel_up)});        // with Shift
  CHECK(decode("\x1b[M`\xa1\xff") == std::vector<key>{named_key(key_code::wheel_up)});  // far columns
  for (const char* report : {"\x1b[M !!", "\x1b[M#!!", "\x1b[M@!!", "\x1b[Mb!!", "\x1b[M\x01!!"}) {
    INFO(std::string{report}.substr(1));
    CHECK(decode(report).empty());
  }
  CHECK(decode("a\x1b[M !!b") == std::vector<key>{char_key(U'a'), char_key(U'b')});
}
