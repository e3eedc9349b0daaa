// Unit tests of line_framer: lines out of arbitrarily chunked socket bytes, with bounded memory.
#include "echochat/core/line_framer.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/core/utf8.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace Catch {
// Failures show the pieces, not "{?}".
template <>
struct StringMaker<echochat::framed_line> {
  static std::string convert(const echochat::framed_line& line) {
    return (line.cut ? "cut(" : "whole(") + StringMaker<std::string>::convert(line.text) + ")";
  }
};
}  // namespace Catch

using namespace std::string_literals;
using echochat::framed_line;
using echochat::line_framer;
using echochat::sanitize;

namespace {

// Feeds `chunks` one after the other, then finishes: everything the framer makes of them.
std::vector<framed_line> frame(const std::vector<std::string>& chunks,
                               std::size_t max_line = line_framer::default_max_line) {
  line_framer framer(max_line);
  std::vector<framed_line> out;
  for (const auto& chunk : chunks) {
    framer.feed(chunk, out);
    REQUIRE(framer.buffered() <= framer.max_line());
  }
  if (auto tail = framer.finish()) out.push_back(*tail);
  return out;
}

std::vector<framed_line> frame_bytewise(std::string_view stream, std::size_t max_line) {
  std::vector<std::string> chunks;
  for (char c : stream) chunks.emplace_back(1, c);
  return frame(chunks, max_line);
}

framed_line whole(std::string text) { return framed_line{std::move(text), false}; }
framed_line cut(std::string text) { return framed_line{std::move(text), true}; }

std::string utf8(char32_t c) {
  std::string out;
  echochat::append_utf8(out, c);
  return out;
}

// The lines a stream holds, by the rules of the product (before any cutting).
std::vector<std::string> model_lines(std::string_view stream) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : stream) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  if (!line.empty()) {
    if (line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// Checks that `pieces` are `lines` cut by the rules: each line's pieces add up to it, only the
// last is not marked cut, no piece exceeds max_line, a cut piece is shorter than max_line only
// to keep a UTF-8 character whole, and sanitizing the pieces shows what the whole line shows.
void check_cutting(const std::vector<std::string>& lines, const std::vector<framed_line>& pieces,
                   std::size_t max_line) {
  std::size_t p = 0;
  for (const auto& line : lines) {
    CAPTURE(line);
    const std::size_t first = p;
    std::string joined;
    std::string shown;
    for (;;) {
      REQUIRE(p < pieces.size());
      const framed_line& piece = pieces[p++];
      REQUIRE(piece.text.size() <= max_line);
      const std::size_t start = joined.size();
      joined += piece.text;
      shown += sanitize(piece.text);
      if (!piece.cut) break;
      REQUIRE(piece.text.size() + 3 >= max_line);
      if (piece.text.size() < max_line) {
        const auto rest =
            std::string_view(line).substr(start + piece.text.size(), max_line - piece.text.size());
        CHECK(echochat::decode_utf8(rest).status == echochat::utf8_status::truncated);
      }
    }
    CHECK(joined == line);
    CHECK((p - first > 1) == (line.size() > max_line));
    CHECK(shown == sanitize(line));
  }
  CHECK(p == pieces.size());
}

}  // namespace

TEST_CASE("a line ending in a newline comes out whole", "[framer]") {
  CHECK(frame({"hello\n"}) == std::vector{whole("hello")});
}

TEST_CASE("several lines in one chunk come out in order", "[framer]") {
  CHECK(frame({"one\ntwo\nthree\n"}) == std::vector{whole("one"), whole("two"), whole("three")});
}

TEST_CASE("a line spread over many chunks comes out once complete", "[framer]") {
  line_framer framer;
  std::vector<framed_line> out;
  framer.feed("hel", out);
  framer.feed("lo wo", out);
  CHECK(out.empty());
  CHECK(framer.buffered() == 8);
  framer.feed("rld\nnext", out);
  CHECK(out == std::vector{whole("hello world")});
  CHECK(framer.buffered() == 4);
}

TEST_CASE("empty lines are lines", "[framer]") {
  CHECK(frame({"\n\n"}) == std::vector{whole(""), whole("")});
  CHECK(frame({"\r\n"}) == std::vector{whole("")});
  CHECK(frame({"a\n\nb\n"}) == std::vector{whole("a"), whole(""), whole("b")});
}

TEST_CASE("CR LF ends a line and the CR is dropped", "[framer]") {
  CHECK(frame({"one\r\ntwo\r\n"}) == std::vector{whole("one"), whole("two")});
  CHECK(frame({"mixed\nends\r\n"}) == std::vector{whole("mixed"), whole("ends")});
}

TEST_CASE("CR LF split between chunks still ends the line", "[framer]") {
  CHECK(frame({"abc\r", "\ndef\n"}) == std::vector{whole("abc"), whole("def")});
  CHECK(frame({"abc\r", "", "\n"}) == std::vector{whole("abc")});
}

TEST_CASE("a lone CR stays in the text and is shown as ^M", "[framer]") {
  const auto lines = frame({"a\rb\n"});
  REQUIRE(lines == std::vector{whole("a\rb")});
  CHECK(sanitize(lines[0].text) == "a^Mb");
  CHECK(frame({"\rstart\n"}) == std::vector{whole("\rstart")});
  CHECK(frame({"a\r\r\n"}) == std::vector{whole("a\r")});
  CHECK(frame({"a\r", "x\n"}) == std::vector{whole("a\rx")});
  CHECK(frame({"a\r", "\r", "\n"}) == std::vector{whole("a\r")});
  CHECK(frame({"a\r", "\r\r", "b\n"}) == std::vector{whole("a\r\r\rb")});
}

TEST_CASE("finish returns the unterminated tail once", "[framer]") {
  line_framer framer;
  std::vector<framed_line> out;
  framer.feed("done\npartial", out);
  CHECK(out == std::vector{whole("done")});
  CHECK(framer.finish() == whole("partial"));
  CHECK(framer.finish() == std::nullopt);
  CHECK(framer.buffered() == 0);
}

TEST_CASE("finish after a complete line or nothing returns nothing", "[framer]") {
  line_framer framer;
  CHECK(framer.finish() == std::nullopt);
  std::vector<framed_line> out;
  framer.feed("line\n", out);
  CHECK(framer.finish() == std::nullopt);
}

TEST_CASE("a stream ending in CR ends its last line there", "[framer]") {
  CHECK(frame({"abc\r"}) == std::vector{whole("abc")});
  CHECK(frame({"abc\n\r"}) == std::vector{whole("abc"), whole("")});
  CHECK(frame({"a\rb\r"}) == std::vector{whole("a\rb")});
}

TEST_CASE("the framer starts afresh after finish", "[framer]") {
  line_framer framer;
  std::vector<framed_line> out;
  framer.feed("old\r", out);
  CHECK(framer.finish() == whole("old"));
  framer.feed("\nnew\n", out);
  CHECK(out == std::vector{whole(""), whole("new")});
}

TEST_CASE("an empty chunk changes nothing", "[framer]") {
  line_framer framer;
  std::vector<framed_line> out;
  framer.feed("", out);
  CHECK(out.empty());
  CHECK(framer.buffered() == 0);
  CHECK(framer.finish() == std::nullopt);
}

TEST_CASE("the default line limit is 64 KiB, and a tiny one is raised to 4 bytes", "[framer]") {
  CHECK(line_framer().max_line() == 65536);
  CHECK(line_framer(0).max_line() == 4);
  CHECK(line_framer(3).max_line() == 4);
  CHECK(line_framer(5).max_line() == 5);
}

TEST_CASE("a line of exactly max_line bytes is not cut", "[framer]") {
  const std::string line = "12345678";
  CHECK(frame({line + "\n"}, 8) == std::vector{whole(line)});
  CHECK(frame({line + "\r\n"}, 8) == std::vector{whole(line)});
  CHECK(frame({line, "\r", "\n"}, 8) == std::vector{whole(line)});
  CHECK(frame({line}, 8) == std::vector{whole(line)});
  CHECK(frame({line + "\r"}, 8) == std::vector{whole(line)});
}

TEST_CASE("a line one byte over max_line is cut in two", "[framer]") {
  CHECK(frame({"123456789\n"}, 8) == std::vector{cut("12345678"), whole("9")});
  // The \r that turned out not to end the line is the byte too many.
  CHECK(frame({"12345678\rx\n"}, 8) == std::vector{cut("12345678"), whole("\rx")});
}

TEST_CASE("a line of twice max_line is cut once", "[framer]") {
  CHECK(frame({"abcdefgh12345678\n"}, 8) == std::vector{cut("abcdefgh"), whole("12345678")});
  CHECK(frame({"abcdefgh12345678"}, 8) == std::vector{cut("abcdefgh"), whole("12345678")});
}

TEST_CASE("a cut piece is emitted as soon as the line outgrows max_line", "[framer]") {
  line_framer framer(8);
  std::vector<framed_line> out;
  framer.feed("12345678", out);
  CHECK(out.empty());
  framer.feed("9", out);
  CHECK(out == std::vector{cut("12345678")});
  CHECK(framer.buffered() == 1);
}

TEST_CASE("a cut backs off so as not to split a UTF-8 character", "[framer]") {
  // With max_line 8 and 7 ASCII bytes first, every multi-byte character straddles the cut.
  CHECK(frame({"1234567\xC3\xA9\n"}, 8) == std::vector{cut("1234567"), whole("\xC3\xA9")});
  CHECK(frame({"1234567\xE2\x82\xAC\n"}, 8) == std::vector{cut("1234567"), whole("\xE2\x82\xAC")});
  CHECK(frame({"123456\xE2\x82\xAC\n"}, 8) == std::vector{cut("123456"), whole("\xE2\x82\xAC")});
  CHECK(frame({"12345\xE2\x82\xAC"
               "x\n"},
              8) == std::vector{cut("12345\xE2\x82\xAC"), whole("x")});
  for (std::size_t ascii = 5; ascii <= 7; ++ascii) {
    const std::string head(ascii, 'a');
    CHECK(frame({head + "\xF0\x9F\x98\x80\n"}, 8) == std::vector{cut(head), whole("\xF0\x9F\x98\x80")});
  }
  CHECK(frame({"1234\xF0\x9F\x98\x80"
               "x\n"},
              8) == std::vector{cut("1234\xF0\x9F\x98\x80"), whole("x")});
}

TEST_CASE("a cut through ill-formed bytes falls at max_line exactly", "[framer]") {
  CHECK(frame({"1234567\x80\x80\n"}, 8) == std::vector{cut("1234567\x80"), whole("\x80")});
  CHECK(frame({"12345\xE0\x80\x80\x80\n"}, 8) == std::vector{cut("12345\xE0\x80\x80"), whole("\x80")});
  CHECK(frame({"\x80\x80\x80\x80\x80\x80\x80\x80\x80\n"}, 8) ==
        std::vector{cut(std::string(8, '\x80')), whole("\x80")});
}

TEST_CASE("a truncated character at a cut is kept for the next piece even if never finished", "[framer]") {
  // E2 82 is a well-formed prefix, so it moves to the next piece; there it is still U+FFFD.
  for (const std::string head : {"1234567", "123456"}) {
    const std::string line = head + "\xE2\x82x";
    const auto pieces = frame({line + "\n"}, 8);
    REQUIRE(pieces == std::vector{cut(head), whole("\xE2\x82x")});
    CHECK(sanitize(pieces[0].text) + sanitize(pieces[1].text) == sanitize(line));
    CHECK(sanitize(pieces[1].text) == "\xEF\xBF\xBDx");
  }
}

TEST_CASE("UTF-8 of 1 to 4 bytes split at every point across chunks comes out whole", "[framer]") {
  for (char32_t c : {U'a', U'\u00E9', U'\u20AC', U'\U0001F600'}) {
    const std::string line = std::string("<").append(utf8(c)).append(">");
    const std::string stream = line + "\r\n";
    for (std::size_t split = 0; split <= stream.size(); ++split) {
      CAPTURE(stream, split);
      const auto lines = frame({stream.substr(0, split), stream.substr(split)});
      REQUIRE(lines == std::vector{whole(line)});
      CHECK(sanitize(lines[0].text) == lines[0].text);
    }
  }
}

TEST_CASE("any chunking of a stream gives the same lines", "[framer]") {
  const std::string stream =
      "plain\n\ncaf\xC3\xA9\r\n\xE2\x82\xAC\xF0\x9F\x98\x80 emoji\r\nlone\rcr\n\r\n"
      "\xE4\xB8\xAD\xE6\x96\x87 and a long line that gets cut\nbad\xE2\x82 tail\r";
  for (std::size_t max_line :
       {std::size_t{4}, std::size_t{7}, std::size_t{16}, line_framer::default_max_line}) {
    CAPTURE(max_line);
    const auto expected = frame({stream}, max_line);
    check_cutting(model_lines(stream), expected, max_line);
    CHECK(frame_bytewise(stream, max_line) == expected);
    for (std::size_t i = 0; i <= stream.size(); ++i) {
      for (std::size_t j = i; j <= stream.size(); ++j) {
        const auto got = frame({stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)}, max_line);
        if (got != expected) {
          CAPTURE(i, j);
          FAIL("a three-way split changes the lines");
        }
      }
    }
  }
}

TEST_CASE("random streams in random chunks are framed by the rules", "[framer]") {
  std::mt19937 rng(7);
  const std::vector<std::string> atoms = {
      "a",    "b",        " ",        "\n",   "\r",  "\r\n", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
      "\x80", "\xE2\x82", "\xF0\x9F", "\xFF", "\x1b"};
  std::uniform_int_distribution<std::size_t> pick_atom(0, atoms.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_max(4, 20);
  std::uniform_int_distribution<int> atom_count(0, 120);
  std::uniform_int_distribution<std::size_t> chunk_size(1, 30);
  for (int round = 0; round < 3000; ++round) {
    std::string stream;
    const int n = atom_count(rng);
    for (int i = 0; i < n; ++i) {
      // Mostly text, so that lines grow long enough to be cut.
      stream += (rng() % 4 == 0) ? atoms[pick_atom(rng)] : "x";
    }
    const std::size_t max_line = pick_max(rng);
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t size = chunk_size(rng);
      chunks.push_back(stream.substr(at, size));
      at += size;
    }
    CAPTURE(stream, max_line);
    check_cutting(model_lines(stream), frame(chunks, max_line), max_line);
  }
}

TEST_CASE("an 8 MiB line without a newline keeps memory bounded", "[framer]") {
  line_framer framer;
  const std::size_t max_line = framer.max_line();
  const std::string chunk(4096, 'x');
  const std::size_t total = 8 * 1024 * 1024;
  std::size_t pieces = 0;
  std::size_t bytes_out = 0;
  std::vector<framed_line> out;
  for (std::size_t fed = 0; fed < total; fed += chunk.size()) {
    framer.feed(chunk, out);
    REQUIRE(framer.buffered() <= max_line);
    for (const auto& piece : out) {
      REQUIRE(piece.cut);
      REQUIRE(piece.text.size() == max_line);
      bytes_out += piece.text.size();
      ++pieces;
    }
    out.clear();
  }
  CHECK(pieces == total / max_line - 1);  // the last full piece waits: it may be the whole end
  CHECK(framer.buffered() == max_line);
  const auto tail = framer.finish();
  REQUIRE(tail.has_value());
  CHECK(tail->text.size() == max_line);
  CHECK_FALSE(tail->cut);
  CHECK(bytes_out + tail->text.size() == total);
}

TEST_CASE("an 8 MiB line of 3-byte characters is cut at character boundaries", "[framer]") {
  line_framer framer;
  const std::size_t max_line = framer.max_line();
  std::string chunk;
  while (chunk.size() < 3000) chunk += "\xE2\x82\xAC";
  const std::size_t total = 8 * 1024 * 1024 / chunk.size() * chunk.size();
  std::size_t bytes_out = 0;
  std::vector<framed_line> out;
  for (std::size_t fed = 0; fed < total; fed += chunk.size()) {
    framer.feed(chunk, out);
    REQUIRE(framer.buffered() <= max_line);
    for (const auto& piece : out) {
      REQUIRE(piece.cut);
      REQUIRE(piece.text.size() <= max_line);
      REQUIRE(piece.text.size() % 3 == 0);
      REQUIRE(echochat::is_safe_text(piece.text));
      bytes_out += piece.text.size();
    }
    out.clear();
  }
  framer.feed("\n", out);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].cut);
  CHECK(echochat::is_safe_text(out[0].text));
  CHECK(bytes_out + out[0].text.size() == total);
  CHECK(framer.buffered() == 0);
}

TEST_CASE("a long line fed one byte at a time is framed the same as fed whole", "[framer]") {
  std::string stream;
  for (int i = 0; i < 40000; ++i) stream += (i % 7 == 0) ? "\xF0\x9F\x98\x80" : "ab";
  stream += "\r\nend\n";
  const auto whole_feed = frame({stream}, 1000);
  CHECK(frame_bytewise(stream, 1000) == whole_feed);
  check_cutting(model_lines(stream), whole_feed, 1000);
}
