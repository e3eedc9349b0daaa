// Unit tests of permessage-deflate: the server's answer checked as RFC 7692 says, messages
// inflated whole, fragmented, with and without context takeover, and a zip bomb refused.
#include "echochat/core/ws_deflate.hpp"
#include "echochat/core/ws_frames.hpp"
#include "support/ws_test_frames.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

using namespace std::string_literals;
using echochat::ws_deflate_answer;
using echochat::ws_deflate_params;
using echochat::ws_deflater;
using echochat::ws_frame_parser;
using echochat::ws_message;
using echochat::testing::server_frame;

namespace {

std::optional<ws_deflate_params> agreed(std::string_view header) {
  auto r = ws_deflate_answer(header);
  REQUIRE(std::holds_alternative<std::optional<ws_deflate_params>>(r));
  return std::get<std::optional<ws_deflate_params>>(r);
}

std::string refused(std::string_view header) {
  auto r = ws_deflate_answer(header);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

// The server's side of the compression: its own context rules are the "client_" ones of a
// deflater (the deflater compresses what its owner sends).
ws_deflate_params server_side(bool no_context_takeover) {
  ws_deflate_params p;
  p.client_no_context_takeover = no_context_takeover;
  return p;
}

struct parsed {
  std::vector<std::string> texts;
  std::optional<echochat::ws_failure> failure;
};

parsed parse(const ws_deflate_params& params, std::string_view bytes,
             std::size_t limit = echochat::ws_message_limit, std::size_t piece = 0) {
  ws_frame_parser parser(limit);
  parser.use_deflate(params);
  parsed r;
  std::vector<ws_message> out;
  if (piece == 0) piece = std::max<std::size_t>(bytes.size(), 1);
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    out.clear();
    r.failure = parser.feed(bytes.substr(i, piece), out);
    for (const ws_message& m : out) r.texts.emplace_back(m.payload);
    if (r.failure) break;
  }
  return r;
}

}  // namespace

TEST_CASE("the server's answer: none, the extension with its parameters, or a reason to fail",
          "[ws_deflate]") {
  CHECK_FALSE(agreed(""));
  CHECK(agreed("permessage-deflate") == ws_deflate_params{});
  CHECK(agreed("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
               "server_max_window_bits=10; client_max_window_bits=\"9\"") ==
        ws_deflate_params{true, true, 10, 9});
  CHECK(agreed("permessage-deflate;client_max_window_bits") == ws_deflate_params{});
  CHECK_THAT(refused("x-webkit-deflate-frame"), Catch::Contains("not offered"));
  CHECK_THAT(refused("permessage-deflate, permessage-deflate"), Catch::Contains("more than one"));
  CHECK_THAT(refused("permessage-deflate; mystery"), Catch::Contains("mystery"));
  CHECK_THAT(refused("permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
             Catch::Contains("twice"));
  const std::string bad =
      GENERATE(as<std::string>{}, "server_max_window_bits", "server_max_window_bits=7",
               "server_max_window_bits=16", "client_max_window_bits=x", "server_no_context_takeover=1");
  CHECK_THAT(refused("permessage-deflate; " + bad), Catch::Contains("may not"));
}

TEST_CASE("compressed messages inflate, with and without context takeover, whole or fragmented",
          "[ws_deflate]") {
  const bool no_takeover = GENERATE(false, true);
  ws_deflate_params params;
  params.server_no_context_takeover = no_takeover;
  ws_deflater server(server_side(no_takeover));
  std::vector<std::string> sent;
  std::string bytes;
  for (int i = 0; i < 50; ++i) {
    sent.push_back(R"({"user":"ada","text":"hello number )" + std::to_string(i) + R"("})");
    const auto packed = server.deflate(sent.back());
    REQUIRE(packed);
    if (i % 5 == 4 && packed->size() >= 3) {
      // In three fragments: RSV1 on the first only.
      const std::size_t third = packed->size() / 3;
      bytes += server_frame(0x41, packed->substr(0, third)) + server_frame(0x89, "ping") +
               server_frame(0x00, packed->substr(third, third)) +
               server_frame(0x80, packed->substr(2 * third));
      sent.push_back("ping");
      std::swap(sent[sent.size() - 1], sent[sent.size() - 2]);
    } else {
      bytes += server_frame(0xC1, *packed);
    }
  }
  bytes += server_frame(0x81, "not compressed");  // a message may go uncompressed
  sent.push_back("not compressed");
  for (const std::size_t piece : {0U, 1U, 7U}) {
    const parsed p = parse(params, bytes, echochat::ws_message_limit, piece);
    CHECK_FALSE(p.failure);
    CHECK(p.texts == sent);
  }
}

TEST_CASE("what the client deflates, the server's side inflates", "[ws_deflate]") {
  const bool no_takeover = GENERATE(false, true);
  ws_deflate_params params;
  params.client_no_context_takeover = no_takeover;
  ws_deflater client(params);
  ws_deflate_params server;
  server.server_no_context_takeover = no_takeover;  // the parser inflates by the sender's rules
  std::string bytes;
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back("line " + std::to_string(i) + " of a chat that repeats itself, line after line");
    const auto packed = client.deflate(sent.back());
    REQUIRE(packed);
    bytes += server_frame(0xC1, *packed);
  }
  CHECK(parse(server, bytes).texts == sent);
  CHECK_FALSE(client.deflate(""));
  ws_deflate_params narrow;
  narrow.client_max_window_bits = 8;
  CHECK_FALSE(ws_deflater(narrow).deflate("zlib cannot keep to 256 bytes"));
}

TEST_CASE("repeated JSON lines shrink at least fourfold", "[ws_deflate]") {
  ws_deflater client(ws_deflate_params{});
  std::size_t plain = 0;
  std::size_t packed = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string line = R"({"type":"message","room":"general","user":"ada","text":"line )" +
                             std::to_string(i) + R"(","ts":1700000000})";
    plain += line.size();
    packed += client.deflate(line)->size();
  }
  CHECK(packed * 4 <= plain);
}

TEST_CASE("a read of ten thousand small compressed messages holds about their size, not a buffer each",
          "[ws_deflate]") {
  ws_deflater server(server_side(false));
  std::string bytes;
  std::vector<std::string> sent;
  std::size_t plain = 0;
  for (int i = 0; i < 10'000; ++i) {
    sent.push_back(R"({"type":"message","room":"general","from":"alice","text":"line )" + std::to_string(i) +
                   R"("})");
    plain += sent.back().size();
    bytes += server_frame(0xC1, *server.deflate(sent.back()));
  }
  ws_frame_parser parser;
  parser.use_deflate(ws_deflate_params{});
  std::vector<ws_message> out;
  REQUIRE_FALSE(parser.feed(bytes, out));
  REQUIRE(out.size() == sent.size());
  for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i].payload == sent[i]);
  // 740 KB of text: a flood of such messages must not take a 16 KiB buffer each (160 MB).
  CHECK(parser.message_bytes_held() < 4 * plain);
}

TEST_CASE(
    "a message that inflates past the limit is refused with 1009, and one that does not inflate with 1007",
    "[ws_deflate]") {
  ws_deflater server(server_side(false));
  SECTION("a zip bomb: 10 MiB of zeros in a few KiB") {
    const auto packed = server.deflate(std::string(10 * 1024 * 1024, '\0'));
    REQUIRE(packed);
    CHECK(packed->size() < 64 * 1024);
    const parsed p = parse(ws_deflate_params{}, server_frame(0xC2, *packed), 1024 * 1024);
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1009);
  }
  SECTION("exactly the limit inflates") {
    const auto packed = server.deflate(std::string(1000, 'a'));
    CHECK(parse(ws_deflate_params{}, server_frame(0xC1, *packed), 1000).texts ==
          std::vector<std::string>{std::string(1000, 'a')});
  }
  SECTION("bytes that are no deflate stream") {
    const parsed p = parse(ws_deflate_params{}, server_frame(0xC1, "\xff\xff\xff\xff"s));
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1007);
  }
  SECTION("inflated text that is not UTF-8") {
    const auto packed = server.deflate("caf\xc3");
    const parsed p = parse(ws_deflate_params{}, server_frame(0xC1, *packed));
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1007);
  }
}

TEST_CASE("RSV1 is refused with 1002 where permessage-deflate does not allow it", "[ws_deflate]") {
  ws_deflater server(server_side(false));
  const auto packed = *server.deflate("x");
  SECTION("on a continuation frame") {
    const parsed p = parse(ws_deflate_params{}, server_frame(0x01, "a") + server_frame(0xC0, "b"));
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1002);
  }
  SECTION("on a ping") {
    const parsed p = parse(ws_deflate_params{}, server_frame(0xC9, ""));
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1002);
  }
  SECTION("without the extension agreed") {
    ws_frame_parser parser;
    std::vector<ws_message> out;
    const auto failure = parser.feed(server_frame(0xC1, packed), out);
    REQUIRE(failure);
    CHECK(failure->code == 1002);
  }
}
