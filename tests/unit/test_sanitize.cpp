// Unit tests of sanitize(): what of the peer's bytes reaches the screen, and how.
#include "echochat/core/sanitize.hpp"
#include "echochat/core/utf8.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using echochat::decode_utf8;
using echochat::is_safe_text;
using echochat::sanitize;
using echochat::utf8_char;
using echochat::utf8_status;

namespace {

std::string utf8(char32_t c) {
  std::string out;
  echochat::append_utf8(out, c);
  return out;
}

const std::string fffd = "\xEF\xBF\xBD";

std::string fffds(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += fffd;
  return out;
}

const char32_t bidi_controls[] = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                                  0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069};

bool is_bidi(char32_t c) {
  for (char32_t b : bidi_controls) {
    if (b == c) return true;
  }
  return false;
}

// The invisible and layout characters shown as <U+XXXX>: Unicode 15's format characters (Cf)
// besides the bidi controls and ZWJ, the line and paragraph separators, the noncharacters.
struct code_range {
  char32_t first;
  char32_t last;
};
const code_range invisible_ranges[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},
    {0x08E2, 0x08E2},   {0x180E, 0x180E},   {0x200B, 0x200C},   {0x2028, 0x2029},   {0x2060, 0x2064},
    {0x206A, 0x206F},   {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0xFFFE, 0xFFFF},
    {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

bool is_invisible(char32_t c) {
  if ((c & 0xFFFEU) == 0xFFFEU) return true;  // the last two of every plane
  for (const code_range& r : invisible_ranges) {
    if (c >= r.first && c <= r.last) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("plain ASCII text passes unchanged", "[sanitize]") {
  const std::string text = "Hello, world! 0123456789 ~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/";
  CHECK(sanitize(text) == text);
  CHECK(is_safe_text(text));
}

TEST_CASE("empty input gives empty output", "[sanitize]") {
  CHECK(sanitize("").empty());
  CHECK(is_safe_text(""));
}

TEST_CASE("valid UTF-8 text of every sequence length passes unchanged", "[sanitize]") {
  const std::string text =
      GENERATE(as<std::string>{},
               "caf\xC3\xA9 na\xC3\xAFve \xC3\x85ngstr\xC3\xB6m",                // 2-byte accents
               "e\xCC\x81",                                                      // e + combining acute
               "\xE4\xB8\xAD\xE6\x96\x87 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",  // CJK
               "\xE2\x82\xAC 100",                                               // euro sign
               "\xF0\x9F\x98\x80",                                               // emoji
               "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",  // ZWJ family
               "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",          // thumbs up + skin tone
               "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7",          // flag (regional indicators)
               "\xE2\x9D\xA4\xEF\xB8\x8F",                  // heart + VS16
               "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",          // Hebrew (RTL, no controls)
               "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",  // Arabic
               "\xC2\xA0x\xE2\x80\xAFy");                   // NBSP, narrow NBSP
  // (The line and paragraph separators and the soft hyphen are shown escaped: see [invisible].)
  CAPTURE(text);
  CHECK(sanitize(text) == text);
  CHECK(is_safe_text(text));
}

TEST_CASE("every scalar value that is not a control passes unchanged", "[sanitize]") {
  // Exhaustive over U+00A0..U+10FFFF: the decoder agrees with the encoder on every value.
  std::size_t checked = 0;
  std::size_t invisible = 0;
  for (char32_t c = 0xA0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    if (is_bidi(c)) continue;
    if (is_invisible(c)) {
      ++invisible;
      continue;
    }
    const std::string bytes = utf8(c);
    const utf8_char decoded = decode_utf8(bytes);
    if (decoded.status != utf8_status::ok || decoded.value != c || decoded.length != bytes.size() ||
        sanitize(bytes) != bytes) {
      FAIL("U+" << std::hex << static_cast<std::uint32_t>(c) << " is not passed unchanged");
    }
    ++checked;
  }
  CHECK(checked == 0x10FFFF + 1 - 0xA0 - 0x800 - 12 - invisible);
  // The printable ASCII range too.
  for (char32_t c = 0x20; c < 0x7F; ++c) CHECK(sanitize(utf8(c)) == utf8(c));
}

TEST_CASE("each C0 control is shown in caret notation", "[sanitize]") {
  for (char c = 0; c < 0x20; ++c) {
    if (c == '\t') continue;
    const std::string expected{'^', static_cast<char>(c + 0x40)};
    CAPTURE(static_cast<int>(c));
    CHECK(sanitize(std::string(1, c)) == expected);
    CHECK(sanitize("a"s + c + "b") == "a" + expected + "b");
    CHECK_FALSE(is_safe_text(std::string(1, c)));
  }
  CHECK(sanitize("\x1b"s) == "^[");
  CHECK(sanitize("\x01"s) == "^A");
  CHECK(sanitize("\0"s) == "^@");
  CHECK(sanitize("\r"s) == "^M");
  CHECK(sanitize("\n"s) == "^J");
  CHECK(sanitize("\a"s) == "^G");
  CHECK(sanitize("\b"s) == "^H");
  CHECK(sanitize("\x1f"s) == "^_");
}

TEST_CASE("a NUL byte inside the text is shown, not taken as its end", "[sanitize]") {
  CHECK(sanitize("a\0b"s) == "a^@b");
}

TEST_CASE("a TAB is shown as one space", "[sanitize]") {
  CHECK(sanitize("a\tb") == "a b");
  CHECK(sanitize("\t\t") == "  ");
  CHECK_FALSE(is_safe_text("\t"));
}

TEST_CASE("DEL is shown as ^?", "[sanitize]") {
  CHECK(sanitize("\x7f") == "^?");
  CHECK(sanitize("x\x7fy") == "x^?y");
}

TEST_CASE("a C1 control sent as UTF-8 is shown as an escape", "[sanitize]") {
  const char* hex = "0123456789abcdef";
  for (char32_t c = 0x80; c <= 0x9F; ++c) {
    const std::string bytes = utf8(c);
    REQUIRE(bytes.size() == 2);
    const std::string expected = "\\x"s + hex[c >> 4] + hex[c & 0xF];
    CAPTURE(expected);
    CHECK(sanitize(bytes) == expected);
    CHECK_FALSE(is_safe_text(bytes));
  }
  CHECK(sanitize("\xC2\x9B"
                 "31m") == "\\x9b31m");
  CHECK(sanitize("\xC2\x9D"
                 "0;title\xC2\x9C") == "\\x9d0;title\\x9c");
}

TEST_CASE("a raw 8-bit C1 byte is invalid UTF-8 and shown as U+FFFD", "[sanitize]") {
  for (int b = 0x80; b <= 0x9F; ++b) {
    CHECK(sanitize(std::string(1, static_cast<char>(b))) == fffd);
  }
  CHECK(sanitize("\x9b"
                 "2J") == fffd + "2J");
}

TEST_CASE("each bidi control is shown as <U+XXXX>", "[sanitize]") {
  const std::vector<std::string> names = {"<U+061C>", "<U+200E>", "<U+200F>", "<U+202A>",
                                          "<U+202B>", "<U+202C>", "<U+202D>", "<U+202E>",
                                          "<U+2066>", "<U+2067>", "<U+2068>", "<U+2069>"};
  REQUIRE(names.size() == std::size(bidi_controls));
  for (std::size_t i = 0; i < names.size(); ++i) {
    CAPTURE(names[i]);
    CHECK(sanitize(utf8(bidi_controls[i])) == names[i]);
    CHECK(sanitize("abc" + utf8(bidi_controls[i]) + "def") == "abc" + names[i] + "def");
    CHECK_FALSE(is_safe_text(utf8(bidi_controls[i])));
  }
}

TEST_CASE("the neighbours of the bidi controls are not escaped", "[sanitize]") {
  const char32_t neighbours[] = {0x061B, 0x061D, 0x200D, 0x202F, 0x2065};
  for (char32_t c : neighbours) {
    CAPTURE(static_cast<std::uint32_t>(c));
    CHECK(sanitize(utf8(c)) == utf8(c));
  }
  // Neighbours that are invisible format characters or separators are escaped in their own right.
  for (char32_t c : {U'\u200B', U'\u200C', U'\u2029', U'\u206A'}) {
    CAPTURE(static_cast<std::uint32_t>(c));
    CHECK(sanitize(utf8(c)).starts_with("<U+"));
  }
}

TEST_CASE("a terminal escape sequence from the peer is shown, not obeyed", "[sanitize]") {
  CHECK(sanitize("\x1b[31mred\x1b[0m") == "^[[31mred^[[0m");
  CHECK(sanitize("\x1b]52;c;aGVsbG8=\x07") == "^[]52;c;aGVsbG8=^G");
  CHECK(sanitize("\x1b[2J\x1b[H") == "^[[2J^[[H");
  CHECK(sanitize("evil\r\x1b[Kgood") == "evil^M^[[Kgood");
}

TEST_CASE("ill-formed UTF-8 becomes one U+FFFD per maximal subpart", "[sanitize]") {
  struct sample {
    std::string bytes;
    std::string expected;
  };
  const std::vector<sample> samples = {
      // The example of the Unicode standard (section 3.9, "U+FFFD Substitution of Maximal
      // Subparts"): F1 80 80 is one subpart, E1 80 another, C2 a third.
      {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       std::string("a").append(fffds(3)).append("b").append(fffds(1)).append("c").append(fffds(2)).append(
           "d")},
      // lone continuation bytes
      {"\x80", fffds(1)},
      {"\xBF", fffds(1)},
      {"\x80\xBF\x80", fffds(3)},
      // bytes that never occur in UTF-8
      {"\xC0", fffds(1)},
      {"\xC1", fffds(1)},
      {"\xF5", fffds(1)},
      {"\xFE", fffds(1)},
      {"\xFF", fffds(1)},
      // overlong forms: the lead byte alone is the subpart, each following byte another
      {"\xC0\x80", fffds(2)},
      {"\xC1\xBF", fffds(2)},
      {"\xE0\x80\x80", fffds(3)},
      {"\xE0\x9F\xBF", fffds(3)},
      {"\xF0\x80\x80\x80", fffds(4)},
      {"\xF0\x8F\xBF\xBF", fffds(4)},
      // UTF-16 surrogates
      {"\xED\xA0\x80", fffds(3)},
      {"\xED\xBF\xBF", fffds(3)},
      {"\xED\xA0\xBD\xED\xB8\x80", fffds(6)},  // a surrogate pair, CESU-8 style
      // beyond U+10FFFF
      {"\xF4\x90\x80\x80", fffds(4)},
      {"\xF5\x80\x80\x80", fffds(4)},
      {"\xF7\xBF\xBF\xBF", fffds(4)},
      {"\xF8\x88\x80\x80\x80", fffds(5)},
      {"\xFC\x84\x80\x80\x80\x80", fffds(6)},
      // truncated sequences: the well-formed prefix is one subpart
      {"\xC3", fffds(1)},
      {"\xE2\x82", fffds(1)},
      {"\xF0\x9F\x98", fffds(1)},
      {"\xE2\x82"
       "x",
       fffd + "x"},
      {"\xF0\x9F"
       "\xF0\x9F\x98\x80",
       fffd + "\xF0\x9F\x98\x80"},
      {"\xE2\x82\xE2\x82\xAC", fffd + "\xE2\x82\xAC"},
      {"\xC3\xC3\xA9", fffd + "\xC3\xA9"},
      // a control right after a truncated sequence is still escaped
      {"\xE2\x82\x1b", fffd + "^["},
  };
  for (const auto& s : samples) {
    CAPTURE(s.bytes);
    CHECK(sanitize(s.bytes) == s.expected);
    CHECK_FALSE(is_safe_text(s.bytes));
  }
}

TEST_CASE("every truncation of every sequence length is one U+FFFD", "[sanitize]") {
  for (char32_t c : {U'\u00E9', U'\u20AC', U'\U0001F600', U'\u0800', U'\U00010000', U'\U0010FFFF'}) {
    const std::string bytes = utf8(c);
    for (std::size_t keep = 1; keep < bytes.size(); ++keep) {
      const std::string cut = bytes.substr(0, keep);
      CAPTURE(cut);
      CHECK(decode_utf8(cut) == utf8_char{0xFFFD, keep, utf8_status::truncated});
      CHECK(sanitize(cut) == fffd);
      CHECK(sanitize(cut + "x") == fffd + "x");
      CHECK(decode_utf8(cut + "x") == utf8_char{0xFFFD, keep, utf8_status::invalid});
    }
  }
}

TEST_CASE("sanitized output is always safe, and sanitizing it again changes nothing", "[sanitize]") {
  std::mt19937 rng(20240607);
  // Bytes biased towards the interesting ones: controls, lead and continuation bytes.
  const std::string alphabet =
      "\x00\x01\x07\x09\x0a\x0d\x1b\x1f\x7f\x80\x8f\x9b\xa0\xbf\xc0\xc2\xd7\xe0\xe2\xed\xef"
      "\xf0\xf4\xf5\xff azAZ09"s;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);
  for (int round = 0; round < 20000; ++round) {
    std::string bytes;
    const int n = length(rng);
    for (int i = 0; i < n; ++i) bytes.push_back(alphabet[pick(rng)]);
    const std::string shown = sanitize(bytes);
    if (!is_safe_text(shown) || sanitize(shown) != shown) {
      CAPTURE(bytes, shown);
      FAIL("unsafe or unstable output");
    }
    for (char ch : shown) {
      const auto b = static_cast<unsigned char>(ch);
      if (b < 0x20 || b == 0x7F) FAIL("raw control byte in output");
    }
    CHECK(is_safe_text(bytes) == (shown == bytes));
  }
}

TEST_CASE("each invisible or layout character is shown as <U+XXXX>", "[sanitize][invisible]") {
  std::size_t checked = 0;
  for (char32_t c = 0xA0; c <= 0x10FFFF; ++c) {
    if (!is_invisible(c)) continue;
    char hex[16];
    std::snprintf(hex, sizeof hex, "<U+%04X>", static_cast<unsigned>(c));
    if (sanitize("a" + utf8(c) + "b") != "a"s + hex + "b" || echochat::is_safe_text(utf8(c))) {
      FAIL("U+" << std::hex << static_cast<std::uint32_t>(c) << " is not shown as " << hex);
    }
    ++checked;
  }
  CHECK(checked > 200);
}

TEST_CASE("the invisible characters the hardening named are shown as escapes", "[sanitize][invisible]") {
  const auto [c, shown] = GENERATE(table<char32_t, std::string>({
      {0x2028, "<U+2028>"},
      {0x2029, "<U+2029>"},
      {0xFEFF, "<U+FEFF>"},
      {0x00AD, "<U+00AD>"},
      {0x200B, "<U+200B>"},
      {0xFFFE, "<U+FFFE>"},
      {0xFFFF, "<U+FFFF>"},
      {0xFDD0, "<U+FDD0>"},
      {0x1FFFE, "<U+1FFFE>"},
      {0x10FFFF, "<U+10FFFF>"},
      {0xE0001, "<U+E0001>"},
      {0xE0041, "<U+E0041>"},
      {0xE007F, "<U+E007F>"},
  }));
  CAPTURE(static_cast<std::uint32_t>(c));
  CHECK(sanitize("x" + utf8(c) + "y") == "x" + shown + "y");
}

TEST_CASE("ZWJ passes, so an emoji family stays one picture", "[sanitize][invisible]") {
  // Man, ZWJ, woman, ZWJ, girl; and a heart on fire (VS16 before the ZWJ).
  const std::string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";
  const std::string heart_on_fire = "\u2764\uFE0F\u200D\U0001F525";
  CHECK(sanitize(family) == family);
  CHECK(sanitize(heart_on_fire) == heart_on_fire);
  CHECK(is_safe_text(family));
}

TEST_CASE("tag characters pass only inside a subdivision flag", "[sanitize][invisible]") {
  // The flag of Scotland: black flag, the tags g b s c t, cancel tag.
  const std::string scotland = "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F";
  CHECK(sanitize(scotland) == scotland);
  CHECK(sanitize("a" + scotland + "b") == "a" + scotland + "b");
  CHECK(is_safe_text(scotland));
  // Tags without the flag, or without the cancel tag, are hidden text: shown.
  CHECK(sanitize("hi\U000E0068\U000E0069") == "hi<U+E0068><U+E0069>");
  CHECK(sanitize("\U0001F3F4\U000E0067\U000E0062") == "\U0001F3F4<U+E0067><U+E0062>");
  CHECK(sanitize("\U0001F3F4\U000E007F") == "\U0001F3F4<U+E007F>");
}

TEST_CASE("a black flag and tags cut off at the end of the text are read no further",
          "[sanitize][invisible]") {
  // Found by fuzz_sanitize (fuzz/corpus/sanitize/regression-flag-at-end): the look-ahead for the
  // cancel tag read past the end of the text.
  // Each text in a heap block of exactly its size, so that under AddressSanitizer a read past
  // its end fails the test (a std::string has a NUL behind its end to read).
  auto exact = [](std::string_view text) {
    auto block = std::make_unique<char[]>(text.size());
    std::copy(text.begin(), text.end(), block.get());
    return sanitize(std::string_view{block.get(), text.size()});
  };
  CHECK(exact("\U0001F3F4") == "\U0001F3F4");
  CHECK(exact("\U0001F3F4\U000E0067") == "\U0001F3F4<U+E0067>");
  CHECK(exact("x\U0001F3F4\U000E0067\U000E0062") == "x\U0001F3F4<U+E0067><U+E0062>");
}
