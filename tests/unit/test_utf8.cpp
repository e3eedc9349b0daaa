// Unit tests of utf8.hpp: decoding by Table 3-7, encoding, and stepping forward and back through text.
#include "echochat/core/utf8.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using namespace echochat;

namespace {

std::string utf8(char32_t c) {
  std::string out;
  append_utf8(out, c);
  return out;
}

// The bytes of `c` in exactly `n` bytes, by the bit pattern alone: overlong when `c` needs fewer,
// a surrogate's "encoding" when `c` is one. This makes the ill-formed input that append_utf8
// never produces.
std::string force_bytes(char32_t c, std::size_t n) {
  if (n == 1) return std::string(1, static_cast<char>(c));
  static constexpr unsigned lead_marks[] = {0, 0, 0xC0, 0xE0, 0xF0};
  std::string out(n, '\0');
  for (std::size_t i = n - 1; i > 0; --i) {
    out[i] = static_cast<char>(0x80U | (c & 0x3FU));
    c >>= 6;
  }
  out[0] = static_cast<char>(lead_marks[n] | c);
  return out;
}

std::string hex(char32_t c) {
  constexpr char digits[] = "0123456789ABCDEF";
  std::string out = "U+";
  for (int shift = 20; shift >= 0; shift -= 4) out.push_back(digits[(c >> shift) & 0xFU]);
  return out;
}

}  // namespace

TEST_CASE("every scalar value boundary encodes to its length and decodes back", "[utf8]") {
  struct sample {
    char32_t value;
    std::string bytes;
  };
  const std::vector<sample> samples = {
      {0x0000, "\0"s},  // 1 byte
      {0x007F, "\x7F"},
      {0x0080, "\xC2\x80"},  // 2 bytes
      {0x07FF, "\xDF\xBF"},
      {0x0800, "\xE0\xA0\x80"},  // 3 bytes
      {0xD7FF, "\xED\x9F\xBF"},  // the last before the surrogates
      {0xE000, "\xEE\x80\x80"},  // the first after them
      {0xFFFD, "\xEF\xBF\xBD"},
      {0xFFFF, "\xEF\xBF\xBF"},
      {0x10000, "\xF0\x90\x80\x80"},  // 4 bytes
      {0x10FFFF, "\xF4\x8F\xBF\xBF"},
  };
  for (const auto& s : samples) {
    CAPTURE(hex(s.value));
    CHECK(utf8(s.value) == s.bytes);
    CHECK(decode_utf8(s.bytes) == utf8_char{s.value, s.bytes.size(), utf8_status::ok});
    CHECK(decode_utf8(s.bytes + "x") == utf8_char{s.value, s.bytes.size(), utf8_status::ok});
  }
}

TEST_CASE("the boundaries of each UTF-8 sequence length decode", "[utf8]") {
  struct sample {
    std::string bytes;
    char32_t value;
  };
  const std::vector<sample> samples = {
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xED\x9F\xBF", 0xD7FF},
      {"\xEE\x80\x80", 0xE000},
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
  };
  for (const auto& s : samples) {
    CAPTURE(s.bytes);
    const utf8_char c = decode_utf8(s.bytes);
    CHECK(c.status == utf8_status::ok);
    CHECK(c.value == s.value);
    CHECK(c.length == s.bytes.size());
  }
  CHECK(decode_utf8("\0"s) == utf8_char{0, 1, utf8_status::ok});
}

TEST_CASE("every scalar value round-trips, and steps as one character", "[utf8]") {
  std::size_t checked = 0;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const std::string bytes = utf8(c);
    const std::size_t expected_length = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    const std::string text = "a" + bytes + "b";
    char32_t stepped = 0;
    const bool ok = bytes.size() == expected_length &&
                    decode_utf8(bytes) == utf8_char{c, expected_length, utf8_status::ok} &&
                    decode_utf8_multibyte(bytes) == decode_utf8(bytes) &&
                    next_char(text, 1, stepped) == expected_length && stepped == c &&
                    prev_char_start(text, 1 + expected_length) == 1 && !is_utf8_continuation(bytes[0]) &&
                    is_ascii(bytes[0]) == (expected_length == 1);
    if (!ok) FAIL(hex(c) << " does not round-trip");
    for (std::size_t i = 1; i < bytes.size(); ++i) {
      if (!is_utf8_continuation(bytes[i])) FAIL(hex(c) << ": byte " << i << " is not a continuation");
    }
    ++checked;
  }
  CHECK(checked == 0x110000 - 0x800);
}

TEST_CASE("append_utf8 encodes every length and replaces non-scalars", "[utf8]") {
  std::string s;
  append_utf8(s, U'a');
  append_utf8(s, U'é');
  append_utf8(s, U'日');
  append_utf8(s, U'😀');
  CHECK(s == "aé日😀");
  std::string bad;
  append_utf8(bad, 0xD800);
  append_utf8(bad, 0x110000);
  CHECK(bad == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("surrogates are neither encoded nor decoded", "[utf8]") {
  const std::string fffd = "\xEF\xBF\xBD";
  for (char32_t c = 0xD800; c <= 0xDFFF; ++c) {
    CAPTURE(hex(c));
    REQUIRE(utf8(c) == fffd);
    // ED A0..BF xx: the lead byte alone is the maximal ill-formed subpart.
    REQUIRE(decode_utf8(force_bytes(c, 3)) == utf8_char{0xFFFD, 1, utf8_status::invalid});
  }
  // A surrogate cut short is just as ill-formed: not a prefix waiting for more.
  CHECK(decode_utf8("\xED\xA0") == utf8_char{0xFFFD, 1, utf8_status::invalid});
  CHECK(decode_utf8("\xED\xBF") == utf8_char{0xFFFD, 1, utf8_status::invalid});
}

TEST_CASE("overlong forms are rejected at every length", "[utf8]") {
  // Every value that fits in fewer bytes, forced into 2, 3 and 4: C0 and C1 never lead, E0 needs
  // A0..BF after it, F0 needs 90..BF. So the lead byte alone is the maximal ill-formed subpart.
  for (char32_t c = 0; c < 0x10000; ++c) {
    for (std::size_t n = 2; n <= 4; ++n) {
      const std::size_t needed = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      if (needed >= n) continue;
      const std::string bytes = force_bytes(c, n);
      if (decode_utf8(bytes) != utf8_char{0xFFFD, 1, utf8_status::invalid}) {
        FAIL(hex(c) << " in " << n << " bytes is accepted");
      }
    }
  }
  // The same bit pattern at its proper length is fine: force_bytes agrees with append_utf8.
  CHECK(force_bytes(0x7FF, 2) == utf8(0x7FF));
  CHECK(force_bytes(0x800, 3) == utf8(0x800));
  CHECK(force_bytes(0x10000, 4) == utf8(0x10000));
  // Beyond U+10FFFF: never encoded, never decoded.
  CHECK(utf8(0x110000) == "\xEF\xBF\xBD");
  CHECK(utf8(0xFFFFFFFF) == "\xEF\xBF\xBD");
  CHECK(decode_utf8(force_bytes(0x110000, 4)) == utf8_char{0xFFFD, 1, utf8_status::invalid});
  CHECK(decode_utf8(force_bytes(0x1FFFFF, 4)) == utf8_char{0xFFFD, 1, utf8_status::invalid});
}

TEST_CASE("decode_utf8 tells truncated from invalid", "[utf8]") {
  CHECK(decode_utf8("\xE2\x82").status == utf8_status::truncated);
  CHECK(decode_utf8("\xE0\x80").status == utf8_status::invalid);  // overlong, even though short
  CHECK(decode_utf8("\xED\xA0").status == utf8_status::invalid);  // surrogate, even though short
  CHECK(decode_utf8("\xF4\x90").status == utf8_status::invalid);  // too big, even though short
  CHECK(decode_utf8("\xF0\x90").status == utf8_status::truncated);
  CHECK(decode_utf8("\x80").length == 1);
  CHECK(decode_utf8("\xF1\x80\x80"
                    "x")
            .length == 3);
}

TEST_CASE("the inline ASCII case and the multibyte decoder agree on every one- and two-byte input",
          "[utf8]") {
  for (unsigned b0 = 0; b0 < 0x100; ++b0) {
    const std::string one(1, static_cast<char>(b0));
    if (decode_utf8(one) != decode_utf8_multibyte(one)) FAIL("byte " << b0);
    if (b0 < 0x80 && decode_utf8(one) != utf8_char{b0, 1, utf8_status::ok}) FAIL("ASCII byte " << b0);
    CHECK(is_ascii(one[0]) == (b0 < 0x80));
    CHECK(is_utf8_continuation(one[0]) == (b0 >= 0x80 && b0 <= 0xBF));
    for (unsigned b1 = 0; b1 < 0x100; ++b1) {
      const std::string two{static_cast<char>(b0), static_cast<char>(b1)};
      if (decode_utf8(two) != decode_utf8_multibyte(two)) FAIL("bytes " << b0 << " " << b1);
    }
  }
}

TEST_CASE("stepping forward and back through mixed text agree", "[utf8]") {
  // ASCII, 2-byte (ü), 3-byte (CJK) and 4-byte (emoji) characters, next to each other and at
  // both ends.
  const std::u32string chars = U"😀a ü日😀b üü 日本語 😀😀 z\u00E9\u0301ü";
  const std::string text = [&] {
    std::string out;
    for (char32_t c : chars) append_utf8(out, c);
    return out;
  }();
  REQUIRE(text == "😀a ü日😀b üü 日本語 😀😀 zé\u0301ü");

  std::vector<std::size_t> forward;
  std::u32string decoded;
  for (std::size_t i = 0; i < text.size();) {
    forward.push_back(i);
    char32_t c = 0;
    const std::size_t n = next_char(text, i, c);
    REQUIRE(n >= 1);
    REQUIRE(n <= 4);
    CHECK(decode_utf8(std::string_view(text).substr(i)) == utf8_char{c, n, utf8_status::ok});
    decoded.push_back(c);
    i += n;
  }
  CHECK(decoded == chars);

  std::vector<std::size_t> backward;
  for (std::size_t i = text.size(); i > 0;) {
    i = prev_char_start(text, i);
    CHECK_FALSE(is_utf8_continuation(text[i]));
    backward.insert(backward.begin(), i);
  }
  CHECK(backward == forward);

  // And each step back from the end of a character lands where stepping forward started it.
  for (std::size_t k = 0; k < forward.size(); ++k) {
    const std::size_t end = k + 1 < forward.size() ? forward[k + 1] : text.size();
    CHECK(prev_char_start(text, end) == forward[k]);
  }
}

TEST_CASE("next_char on bytes that are not UTF-8 gives what decode_utf8 gives", "[utf8]") {
  char32_t c = 0;
  CHECK(next_char("a\xE2\x82", 1, c) == 2);  // cut short by the end: one U+FFFD
  CHECK(c == 0xFFFD);
  CHECK(next_char("\xE2"
                  "ab",
                  0, c) == 1);  // a lead byte without continuations: ASCII follows
  CHECK(c == 0xFFFD);
  CHECK(next_char("\x80", 0, c) == 1);
  CHECK(c == 0xFFFD);
}
