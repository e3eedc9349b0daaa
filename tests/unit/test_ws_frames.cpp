// Unit tests of the WebSocket frame parser and encoder: whatever pieces the bytes come in, the same
// messages, and every protocol error refused with the RFC's code.
#include "echochat/core/ws_frames.hpp"
#include "support/ws_test_frames.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using echochat::append_ws_frame;
using echochat::utf8_checker;
using echochat::ws_failure;
using echochat::ws_frame_parser;
using echochat::ws_message;
using echochat::ws_opcode;
using echochat::testing::server_frame;

namespace {

std::string text(std::string_view payload) { return server_frame(0x81, payload); }
std::string binary(std::string_view payload) { return server_frame(0x82, payload); }
std::string first_text(std::string_view payload) { return server_frame(0x01, payload); }
std::string more(std::string_view payload) { return server_frame(0x00, payload); }
std::string last(std::string_view payload) { return server_frame(0x80, payload); }
std::string ping(std::string_view payload) { return server_frame(0x89, payload); }
std::string pong(std::string_view payload) { return server_frame(0x8A, payload); }
std::string close_frame(std::uint16_t code, std::string_view reason = {}) {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return server_frame(0x88, p + std::string{reason});
}

// What a message is, as a comparable string: "text:hi", "ping:", "close:1000:bye".
std::string describe(const ws_message& m) {
  switch (m.type) {
    case ws_message::kind::text: return "text:" + std::string{m.payload};
    case ws_message::kind::binary: return "binary:" + std::string{m.payload};
    case ws_message::kind::ping: return "ping:" + std::string{m.payload};
    case ws_message::kind::pong: return "pong:" + std::string{m.payload};
    case ws_message::kind::close: return "close:" + std::to_string(m.code) + ":" + std::string{m.payload};
  }
  return "?";
}

struct parsed {
  std::vector<std::string> messages;
  std::optional<ws_failure> failure;
};

// Feeds `bytes` in pieces of `piece` bytes (all at once for 0), describing each message before
// the next piece moves the buffer.
parsed parse(std::string_view bytes, std::size_t piece = 0, std::size_t limit = echochat::ws_message_limit) {
  ws_frame_parser parser(limit);
  parsed result;
  std::vector<ws_message> out;
  if (piece == 0) piece = std::max<std::size_t>(bytes.size(), 1);
  for (std::size_t i = 0; i < bytes.size() || i == 0; i += piece) {
    out.clear();
    result.failure = parser.feed(bytes.substr(std::min(i, bytes.size()), piece), out);
    for (const ws_message& m : out) result.messages.push_back(describe(m));
    if (result.failure) break;
  }
  return result;
}

// The code a stream of frames fails with, fed whole and a byte at a time (the same either way).
std::uint16_t failure_code(std::string_view bytes, std::size_t limit = echochat::ws_message_limit) {
  const parsed whole = parse(bytes, 0, limit);
  const parsed bytewise = parse(bytes, 1, limit);
  REQUIRE(whole.failure.has_value());
  REQUIRE(bytewise.failure.has_value());
  CHECK(whole.failure == bytewise.failure);
  CHECK(whole.messages == bytewise.messages);
  return whole.failure->code;
}

}  // namespace

TEST_CASE("one read holding a thousand messages yields them all, in order", "[ws_frames]") {
  std::string bytes;
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string line = "line " + std::to_string(i);
    bytes += text(line);
    expected.push_back("text:" + line);
  }
  const parsed p = parse(bytes);
  CHECK_FALSE(p.failure);
  CHECK(p.messages == expected);
}

TEST_CASE("every split of a stream of frames between two reads gives the same messages", "[ws_frames]") {
  const std::string bytes = text("hello") + binary("\x00\x01\xff"s) + ping("p") + first_text("frag") +
                            pong("") + more("men") + last("ted") + text(std::string(300, 'x')) + text("") +
                            close_frame(1000, "bye");
  const parsed whole = parse(bytes);
  REQUIRE_FALSE(whole.failure);
  CHECK(whole.messages ==
        std::vector<std::string>{"text:hello", "binary:\x00\x01\xff"s, "ping:p", "pong:", "text:fragmented",
                                 "text:" + std::string(300, 'x'), "text:", "close:1000:bye"});
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    ws_frame_parser parser;
    std::vector<std::string> got;
    std::vector<ws_message> out;
    CHECK_FALSE(parser.feed(std::string_view{bytes}.substr(0, cut), out));
    for (const ws_message& m : out) got.push_back(describe(m));
    out.clear();
    CHECK_FALSE(parser.feed(std::string_view{bytes}.substr(cut), out));
    for (const ws_message& m : out) got.push_back(describe(m));
    INFO("cut at " << cut);
    CHECK(got == whole.messages);
  }
  for (const std::size_t piece : {1U, 2U, 3U, 7U, 64U}) CHECK(parse(bytes, piece).messages == whole.messages);
}

TEST_CASE("lengths in each of the three forms, at their edges", "[ws_frames]") {
  const std::size_t size = GENERATE(0U, 1U, 125U, 126U, 127U, 65535U, 65536U, 70000U);
  const std::string payload(size, 'a');
  CHECK(parse(text(payload)).messages == std::vector<std::string>{"text:" + payload});
  CHECK(parse(text(payload), 1000).messages == std::vector<std::string>{"text:" + payload});
  // The 64-bit form for a short payload is not the shortest, and is accepted all the same.
  CHECK(parse(server_frame(0x81, payload, false, true)).messages ==
        std::vector<std::string>{"text:" + payload});
}

TEST_CASE("a fragmented message is joined, with control frames between its fragments answered first",
          "[ws_frames]") {
  SECTION("text") {
    const parsed p = parse(first_text("a") + ping("1") + more("b") + pong("2") + more("") + last("c"), 1);
    CHECK(p.messages == std::vector<std::string>{"ping:1", "pong:2", "text:abc"});
  }
  SECTION("binary") {
    const parsed p = parse(server_frame(0x02, "\xff"s) + last("\xfe"s));
    CHECK(p.messages == std::vector<std::string>{"binary:\xff\xfe"s});
  }
  SECTION("two fragmented messages completed in one read both stay readable") {
    const parsed p = parse(first_text("one ") + last("message") + first_text("two ") + last("messages"));
    CHECK(p.messages == std::vector<std::string>{"text:one message", "text:two messages"});
  }
}

TEST_CASE("UTF-8 is checked across fragments: a character split anywhere is accepted", "[ws_frames]") {
  const std::string greek = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xf0\x9f\x98\x80";  // κόσμε 😀
  for (std::size_t cut = 0; cut <= greek.size(); ++cut) {
    const parsed p = parse(first_text(greek.substr(0, cut)) + last(greek.substr(cut)));
    INFO("cut at " << cut);
    CHECK_FALSE(p.failure);
    CHECK(p.messages == std::vector<std::string>{"text:" + greek});
  }
}

TEST_CASE("a text message that is not UTF-8 fails with 1007, as soon as the bad byte arrives",
          "[ws_frames]") {
  SECTION("in one frame") { CHECK(failure_code(text("ok \xff")) == 1007); }
  SECTION("a surrogate") { CHECK(failure_code(text("\xed\xa0\x80")) == 1007); }
  SECTION("an overlong form") { CHECK(failure_code(text("\xc0\xaf")) == 1007); }
  SECTION("above U+10FFFF") { CHECK(failure_code(text("\xf4\x90\x80\x80")) == 1007); }
  SECTION("cut short at the end of the message") { CHECK(failure_code(text("\xce")) == 1007); }
  SECTION("cut short at the end of the last fragment") {
    CHECK(failure_code(first_text("a") + last("\xf0\x9f\x98")) == 1007);
  }
  SECTION("in a first fragment: the message's end is not waited for") {
    const parsed p = parse(first_text("\xce\xba\xff"));
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1007);
  }
  SECTION("in a middle fragment, a character's second byte") {
    const parsed p = parse(first_text("\xce") + more("A"));
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1007);
  }
  SECTION("in a frame still arriving: the frame's end is not waited for (Autobahn 6.4)") {
    const std::string f = text("\xce\xba\xe2\x82\xac ok \xf4\x90" + std::string(200, 'x'));
    const std::string arrived = f.substr(0, 4 + 9 + 2);     // the header, then up to the bad bytes
    CHECK_FALSE(parse(f.substr(0, 4 + 9 + 1), 1).failure);  // \xf4 may still begin a character
    const parsed p = parse(arrived, 3);
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1007);
  }
  SECTION("in a continuation frame still arriving, a character begun in the fragment before") {
    const std::string f = first_text("ab\xe2\x82") + more(
                                                         "\xac\xce"
                                                         "A" +
                                                         std::string(300, 'x'));
    CHECK_FALSE(parse(f.substr(0, f.size() - 301), 1).failure);  // up to \xce: it may go on
    const parsed p = parse(f.substr(0, f.size() - 300), 2);      // then "A", the frame not done
    REQUIRE(p.failure);
    CHECK(p.failure->code == 1007);
  }
  SECTION("a binary message may hold any bytes") {
    CHECK(parse(binary("\xff\xfe")).messages == std::vector<std::string>{"binary:\xff\xfe"s});
  }
}

TEST_CASE("a protocol error fails with 1002", "[ws_frames]") {
  SECTION("each reserved bit") {
    const auto bit = GENERATE(as<std::uint8_t>{}, 0x40, 0x20, 0x10);
    CHECK(failure_code(server_frame(static_cast<std::uint8_t>(0x81 | bit), "x")) == 1002);
  }
  SECTION("each reserved opcode") {
    const auto op = GENERATE(as<std::uint8_t>{}, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15);
    CHECK(failure_code(server_frame(static_cast<std::uint8_t>(0x80 | op), "")) == 1002);
  }
  SECTION("a masked frame") { CHECK(failure_code(server_frame(0x81, "hi", true)) == 1002); }
  SECTION("a fragmented ping") { CHECK(failure_code(server_frame(0x09, "p")) == 1002); }
  SECTION("a ping over 125 bytes") { CHECK(failure_code(ping(std::string(126, 'p'))) == 1002); }
  SECTION("a close frame over 125 bytes") {
    CHECK(failure_code(close_frame(1000, std::string(124, 'r'))) == 1002);
  }
  SECTION("a continuation with no message begun") { CHECK(failure_code(last("x")) == 1002); }
  SECTION("a new message inside a fragmented one") {
    CHECK(failure_code(first_text("a") + text("b")) == 1002);
    CHECK(failure_code(first_text("a") + server_frame(0x02, "b")) == 1002);
  }
  SECTION("a 64-bit length with its top bit set") {
    CHECK(failure_code("\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x01"s) == 1002);
  }
  SECTION("a close frame with a 1-byte payload") { CHECK(failure_code(server_frame(0x88, "\x03")) == 1002); }
  SECTION("a close frame with a code no one may send") {
    const auto code =
        GENERATE(as<std::uint16_t>{}, 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535);
    CHECK(failure_code(close_frame(code)) == 1002);
  }
}

TEST_CASE("a message over the limit fails with 1009 from its header, before its payload", "[ws_frames]") {
  SECTION("one frame, the default 16 MiB limit") {
    // Only the header is fed: the 16 MiB + 1 are never held.
    std::string header = "\x81\x7f"s;
    const std::uint64_t n = echochat::ws_message_limit + 1;
    for (int shift = 56; shift >= 0; shift -= 8) header += static_cast<char>((n >> shift) & 0xFF);
    CHECK(failure_code(header) == 1009);
  }
  SECTION("fragments that add up to more") {
    CHECK(failure_code(first_text(std::string(600, 'a')) + last(std::string(401, 'b')), 1000) == 1009);
  }
  SECTION("exactly the limit is accepted, whole or in fragments") {
    CHECK(parse(text(std::string(1000, 'a')), 0, 1000).messages.size() == 1);
    CHECK(parse(first_text(std::string(600, 'a')) + last(std::string(400, 'b')), 0, 1000).messages.size() ==
          1);
  }
  SECTION("a control frame does not count toward the message") {
    const parsed p =
        parse(first_text(std::string(600, 'a')) + ping(std::string(125, 'p')) + last(std::string(400, 'b')),
              0, 1000);
    CHECK_FALSE(p.failure);
    CHECK(p.messages.size() == 2);
  }
}

TEST_CASE("the messages before a failure are kept, and the failure stays", "[ws_frames]") {
  ws_frame_parser parser;
  std::vector<ws_message> out;
  const auto failure = parser.feed(text("before") + server_frame(0xC1, "x") + text("after"), out);
  REQUIRE(failure);
  CHECK(failure->code == 1002);
  REQUIRE(out.size() == 1);
  CHECK(describe(out[0]) == "text:before");
  out.clear();
  CHECK(parser.feed(text("later"), out) == failure);
  CHECK(out.empty());
}

TEST_CASE("a close frame gives its code and reason, or 1005 without one, and ends the parse", "[ws_frames]") {
  SECTION("with a code and a reason") {
    CHECK(parse(close_frame(4000, "going away")).messages ==
          std::vector<std::string>{"close:4000:going away"});
  }
  SECTION("empty") {
    CHECK(parse(server_frame(0x88, "")).messages == std::vector<std::string>{"close:1005:"});
  }
  SECTION("every code one may send") {
    const auto code = GENERATE(as<std::uint16_t>{}, 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                               1012, 1013, 1014, 3000, 3999, 4000, 4999);
    CHECK(parse(close_frame(code)).messages ==
          std::vector<std::string>{"close:" + std::to_string(code) + ":"});
  }
  SECTION("a reason that is not UTF-8 fails with 1007") {
    CHECK(failure_code(close_frame(1000, "\xff")) == 1007);
  }
  SECTION("nothing after it is parsed") {
    ws_frame_parser parser;
    std::vector<ws_message> out;
    CHECK_FALSE(parser.feed(close_frame(1000) + text("late") + "\xff\xff"s, out));
    CHECK(out.size() == 1);
    CHECK(parser.closed());
    out.clear();
    CHECK_FALSE(parser.feed(text("later"), out));
    CHECK(out.empty());
  }
}

TEST_CASE("the parser holds only what is unparsed: a frame's remainder, a message's fragments",
          "[ws_frames]") {
  ws_frame_parser parser;
  std::vector<ws_message> out;
  const std::string bytes = text("whole") + text("partial");
  CHECK_FALSE(parser.feed(std::string_view{bytes}.substr(0, bytes.size() - 3), out));
  CHECK(out.size() == 1);
  CHECK(parser.buffered() == text("partial").size() - 3);
  out.clear();
  CHECK_FALSE(parser.feed(std::string_view{bytes}.substr(bytes.size() - 3), out));
  CHECK(parser.buffered() == 0);
  CHECK_FALSE(parser.feed(first_text("abc"), out));
  CHECK(parser.buffered() == 3);
}

TEST_CASE("a read straight into the parser's buffer is parsed like bytes fed", "[ws_frames]") {
  ws_frame_parser parser;
  std::vector<ws_message> out;
  const std::string bytes = text("one") + text("two");
  const auto space = parser.prepare(64 * 1024);
  REQUIRE(space.size() >= 64 * 1024);
  std::copy(bytes.begin(), bytes.end(), space.begin());
  CHECK_FALSE(parser.commit(bytes.size(), out));
  REQUIRE(out.size() == 2);
  CHECK(describe(out[1]) == "text:two");
}

TEST_CASE("a client's frame is masked, its length in the shortest form, and unmasks to the payload",
          "[ws_frames]") {
  const std::size_t size = GENERATE(0U, 5U, 125U, 126U, 65535U, 65536U);
  const std::string payload(size, 'q');
  const std::array<std::uint8_t, 4> mask{0x12, 0x34, 0x56, 0x78};
  std::string f;
  append_ws_frame(f, ws_opcode::text, payload, mask);
  const std::size_t length_bytes = size < 126 ? 0 : size < 65536 ? 2 : 8;
  REQUIRE(f.size() == 2 + length_bytes + 4 + size);
  CHECK(static_cast<unsigned char>(f[0]) == 0x81);
  CHECK((static_cast<unsigned char>(f[1]) & 0x80) == 0x80);
  CHECK(std::size_t{static_cast<unsigned char>(f[1]) & 0x7FU} == (size < 126     ? size
                                                                  : size < 65536 ? 126U
                                                                                 : 127U));
  const std::size_t start = 2 + length_bytes + 4;
  for (std::size_t i = 0; i < 4; ++i) CHECK(static_cast<unsigned char>(f[start - 4 + i]) == mask[i]);
  std::string unmasked;
  for (std::size_t i = 0; i < size; ++i) {
    unmasked += static_cast<char>(static_cast<unsigned char>(f[start + i]) ^ mask[i % 4]);
  }
  CHECK(unmasked == payload);
  // Unmasked, the same bytes are the frame a server would send: the parser reads it back.
  std::string server = f.substr(0, start - 4) + unmasked;
  server[1] = static_cast<char>(static_cast<unsigned char>(server[1]) & 0x7F);
  CHECK(parse(server).messages == std::vector<std::string>{"text:" + payload});
}

TEST_CASE("a close frame's payload is the code, big-endian, then the reason", "[ws_frames]") {
  CHECK(echochat::ws_close_payload(1009, "too big") == "\x03\xf1too big"s);
  CHECK(echochat::ws_close_payload(1000, std::string(200, 'r')).size() == 125);
}

TEST_CASE("the UTF-8 checker takes text in pieces split anywhere", "[ws_frames][utf8]") {
  const std::string valid = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";  // aé€😀z
  for (std::size_t a = 0; a <= valid.size(); ++a) {
    for (std::size_t b = a; b <= valid.size(); ++b) {
      utf8_checker check;
      CHECK(check.feed(valid.substr(0, a)));
      CHECK(check.feed(valid.substr(a, b - a)));
      CHECK(check.feed(valid.substr(b)));
      CHECK(check.complete());
    }
  }
  utf8_checker check;
  CHECK(check.feed("\xf0\x9f"));
  CHECK_FALSE(check.complete());
  CHECK_FALSE(check.feed("A"));
}
