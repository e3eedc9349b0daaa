// The key decoder: every named key, UTF-8 split at every point, invalid bytes, lone Esc, paste.
#include "echochat/core/key_decoder.hpp"
#include "unit/decoder_util.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

using namespace echochat;
using echochat::testing::decode;
using namespace std::string_view_literals;

namespace {

std::vector<std::string> names(const std::vector<key>& keys) {
  std::vector<std::string> out;
  for (const key& k : keys) out.push_back(key_name(k));
  return out;
}

// Feeds `bytes` one piece per split point and checks the keys equal the unsplit decoding.
std::vector<key> decode_split(std::string_view bytes, std::size_t at) {
  key_decoder d;
  std::vector<key> out;
  d.feed(bytes.substr(0, at), out);
  d.feed(bytes.substr(at), out);
  d.flush(out);
  return out;
}

}  // namespace

TEST_CASE("every named key decodes from the bytes terminals send", "[decoder]") {
  struct row {
    std::string_view bytes;  // a view, not a const char*: <C-Space> is a NUL byte
    const char* name;
  };
  const auto r = GENERATE(values<row>({
      {"\x1b[A", "<Up>"},      {"\x1b[B", "<Down>"},      {"\x1b[C", "<Right>"},
      {"\x1b[D", "<Left>"},    {"\x1bOA", "<Up>"},        {"\x1bOB", "<Down>"},
      {"\x1bOC", "<Right>"},   {"\x1bOD", "<Left>"},      {"\x1b[H", "<Home>"},
      {"\x1b[F", "<End>"},     {"\x1bOH", "<Home>"},      {"\x1bOF", "<End>"},
      {"\x1b[1~", "<Home>"},   {"\x1b[7~", "<Home>"},     {"\x1b[4~", "<End>"},
      {"\x1b[8~", "<End>"},    {"\x1b[2~", "<Ins>"},      {"\x1b[3~", "<Del>"},
      {"\x1b[5~", "<PgUp>"},   {"\x1b[6~", "<PgDn>"},     {"\x1bOP", "<F1>"},
      {"\x1bOQ", "<F2>"},      {"\x1bOR", "<F3>"},        {"\x1bOS", "<F4>"},
      {"\x1b[11~", "<F1>"},    {"\x1b[12~", "<F2>"},      {"\x1b[13~", "<F3>"},
      {"\x1b[14~", "<F4>"},    {"\x1b[15~", "<F5>"},      {"\x1b[17~", "<F6>"},
      {"\x1b[18~", "<F7>"},    {"\x1b[19~", "<F8>"},      {"\x1b[20~", "<F9>"},
      {"\x1b[21~", "<F10>"},   {"\x1b[23~", "<F11>"},     {"\x1b[24~", "<F12>"},
      {"\x1b[[A", "<F1>"},     {"\x1b[[E", "<F5>"},       {"\x1b[Z", "<S-Tab>"},
      {"\x1b[1;5A", "<C-Up>"}, {"\x1b[1;2D", "<S-Left>"}, {"\x1b[1;3C", "<M-Right>"},
      {"\x1b[1;5P", "<C-F1>"}, {"\x1b[3;5~", "<C-Del>"},  {"\x1b[5;2~", "<S-PgUp>"},
      {"\x1bOM", "<Enter>"},   {"\t", "<Tab>"},           {"\r", "<Enter>"},
      {"\n", "<Enter>"},       {"\x7f", "<Backspace>"},   {"\x08", "<Backspace>"},
      {"\x01", "<C-a>"},       {"\x03", "<C-c>"},         {"\x1a", "<C-z>"},
      {"\0"sv, "<C-Space>"},   {"\x1c", "<C-\\>"},        {"\x1d", "<C-]>"},
      {"\x1f", "<C-_>"},       {"\x1bx", "<M-x>"},        {"\x1b\x7f", "<M-Backspace>"},
      {"\x1b\r", "<M-Enter>"}, {"\x1b\x01", "<C-M-a>"},   {"\x1b[I", "<?>"},
      {"\x1b[?1;2c", "<?>"},
  }));
  const std::string bytes{r.bytes};
  CAPTURE(bytes);
  const auto keys = decode(bytes);
  REQUIRE(keys.size() == 1);
  CHECK(key_name(keys[0]) == r.name);
}

TEST_CASE("the arrow keys decode the same in normal and application cursor mode", "[decoder]") {
  CHECK(decode("\x1b[A") == decode("\x1bOA"));
  CHECK(decode("\x1b[D") == decode("\x1bOD"));
  CHECK(decode("\x1b[A")[0] == named_key(key_code::up));
}

TEST_CASE("printable ASCII decodes to itself", "[decoder]") {
  for (int c = 0x20; c < 0x7f; ++c) {
    const auto keys = decode(std::string(1, static_cast<char>(c)));
    REQUIRE(keys.size() == 1);
    CHECK(keys[0] == char_key(static_cast<char32_t>(c)));
    CHECK(is_printable(keys[0]));
  }
}

TEST_CASE("UTF-8 of 1 to 4 bytes decodes whole when split at every point", "[decoder]") {
  const std::string text = "aé日😀z";  // 1, 2, 3 and 4 byte characters
  const std::vector<key> whole = decode(text);
  REQUIRE(whole ==
          std::vector<key>{char_key(U'a'), char_key(U'é'), char_key(U'日'), char_key(U'😀'), char_key(U'z')});
  for (std::size_t at = 0; at <= text.size(); ++at) {
    CAPTURE(at);
    CHECK(decode_split(text, at) == whole);
  }
}

TEST_CASE("a UTF-8 character fed one byte at a time waits for its last byte", "[decoder]") {
  key_decoder d;
  std::vector<key> out;
  const std::string smile = "😀";
  for (std::size_t i = 0; i + 1 < smile.size(); ++i) {
    d.feed(smile.substr(i, 1), out);
    CHECK(out.empty());
    CHECK(d.has_pending());
    CHECK_FALSE(d.escape_pending());  // no timer for a split character
  }
  d.feed(smile.substr(smile.size() - 1), out);
  CHECK(out == std::vector<key>{char_key(U'😀')});
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subpart", "[decoder]") {
  const auto fffd = char_key(0xFFFD);
  SECTION("a stray continuation byte") {
    CHECK(decode("\x80"
                 "a") == std::vector<key>{fffd, char_key(U'a')});
  }
  SECTION("bytes that never start a character") {
    CHECK(decode("\xc0\xc1\xf5\xff") == std::vector<key>{fffd, fffd, fffd, fffd});
  }
  SECTION("an overlong encoding") { CHECK(decode("\xe0\x80\xaf") == std::vector<key>{fffd, fffd, fffd}); }
  SECTION("a surrogate") { CHECK(decode("\xed\xa0\x80") == std::vector<key>{fffd, fffd, fffd}); }
  SECTION("beyond U+10FFFF") {
    CHECK(decode("\xf4\x90\x80\x80") == std::vector<key>{fffd, fffd, fffd, fffd});
  }
  SECTION("a truncated sequence followed by ASCII") {
    CHECK(decode("\xe6\x97"
                 "a") == std::vector<key>{fffd, char_key(U'a')});
  }
  SECTION("a sequence cut short by the end of input") {
    CHECK(decode("\xf0\x9f\x98") == std::vector<key>{fffd});
  }
}

TEST_CASE("a lone Esc is kept until the timeout decides it is a key", "[decoder]") {
  key_decoder d;
  std::vector<key> out;
  d.feed("\x1b", out);
  CHECK(out.empty());
  CHECK(d.escape_pending());
  d.flush(out);
  CHECK(out == std::vector<key>{named_key(key_code::escape)});
  CHECK_FALSE(d.has_pending());
}

TEST_CASE("an escape sequence split across chunks at every point decodes as one key", "[decoder]") {
  const std::string seq =
      GENERATE(as<std::string>{}, "\x1b[A", "\x1bOA", "\x1b[15~", "\x1b[1;5C", "\x1b[3;5~");
  const auto whole = decode(seq);
  REQUIRE(whole.size() == 1);
  for (std::size_t at = 0; at <= seq.size(); ++at) {
    CAPTURE(seq, at);
    CHECK(decode_split(seq, at) == whole);
  }
}

TEST_CASE("a partial sequence cut short by the timeout becomes the keys its bytes spell", "[decoder]") {
  CHECK(names(decode("\x1b[")) == std::vector<std::string>{"<M-[>"});
  CHECK(names(decode("\x1b[1;")) == std::vector<std::string>{"<M-[>", "1", ";"});
  CHECK(names(decode("\x1bO")) == std::vector<std::string>{"<M-O>"});
}

TEST_CASE("Esc Esc is an Esc key and then whatever follows", "[decoder]") {
  CHECK(names(decode("\x1b\x1b[A")) == std::vector<std::string>{"<Esc>", "<Up>"});
  CHECK(names(decode("\x1b\x1b")) == std::vector<std::string>{"<Esc>", "<Esc>"});
}

TEST_CASE("a malformed CSI sequence does not swallow the keys after it", "[decoder]") {
  CHECK(names(decode("\x1b[1\x01x")) == std::vector<std::string>{"<?>", "<C-a>", "x"});
}

TEST_CASE("an endless CSI sequence is given up on instead of growing", "[decoder]") {
  key_decoder d;
  std::vector<key> out;
  d.feed("\x1b[" + std::string(100, '1'), out);
  CHECK_FALSE(out.empty());
  CHECK(out.front() == char_key(U'[', key_mod::alt));
}

TEST_CASE("many keys in one chunk decode in order", "[decoder]") {
  CHECK(names(decode("ab\x1b[Ac\r\x7f")) ==
        std::vector<std::string>{"a", "b", "<Up>", "c", "<Enter>", "<Backspace>"});
}

TEST_CASE("a bracketed paste arrives as one piece of text", "[decoder][paste]") {
  const std::string bytes = "x\x1b[200~line one\r\nq\x1b[A\x1b[201~y";
  for (std::size_t at = 0; at <= bytes.size(); ++at) {
    CAPTURE(at);
    key_decoder d;
    std::vector<key> out;
    d.feed(bytes.substr(0, at), out);
    d.feed(bytes.substr(at), out);
    d.flush(out);
    REQUIRE(out.size() == 3);
    CHECK(out[0] == char_key(U'x'));
    CHECK(out[1].code == key_code::paste_end);
    REQUIRE(out[1].ch < d.pastes().size());
    CHECK(d.pastes()[out[1].ch] == "line one\r\nq\x1b[A");
    CHECK(out[2] == char_key(U'y'));
  }
}

TEST_CASE("two pastes in one chunk keep their own texts", "[decoder][paste]") {
  key_decoder d;
  std::vector<key> out;
  d.feed("\x1b[200~one\x1b[201~\x1b[200~two\x1b[201~", out);
  // The i-th paste_end key ends the i-th paste.
  REQUIRE(out.size() == 2);
  CHECK(out[0] == named_key(key_code::paste_end));
  CHECK(out[1] == named_key(key_code::paste_end));
  CHECK(d.pastes() == std::vector<std::string>{"one", "two"});
}

TEST_CASE("a paste cut short by the end of input keeps its text", "[decoder][paste]") {
  key_decoder d;
  std::vector<key> out;
  d.feed("\x1b[200~unfinished\x1b[20", out);
  CHECK(out.empty());
  d.flush(out);
  // Not reported as a paste (it never ended), but nothing is decoded as keys either.
  CHECK(d.in_paste());
}

TEST_CASE("key names show every modifier", "[decoder][names]") {
  CHECK(key_name(char_key(U'x', key_mod::alt)) == "<M-x>");
  CHECK(key_name(ctrl_key(U'a')) == "<C-a>");
  CHECK(key_name(fn_key(5)) == "<F5>");
  CHECK(key_name(named_key(key_code::up, key_mod::ctrl | key_mod::shift)) == "<C-S-Up>");
  CHECK(key_name(char_key(U'日')) == "日");
  CHECK(key_name(named_key(key_code::escape)) == "<Esc>");
  CHECK(key_name(named_key(key_code::page_up)) == "<PgUp>");
}

TEST_CASE("a CSI sequence too long to be a key decodes the same however it is chunked", "[decoder][fuzz]") {
  // Found by fuzz_key_decoder: the verdict on a long sequence depended on where a chunk ended.
  const std::string seq = "C1\x1b[2" + std::string(70, '4') + "h\x1b[0;1;5C4C\x98\x80";
  const auto whole = decode(seq);
  for (std::size_t at = 0; at <= seq.size(); ++at) {
    CAPTURE(at);
    CHECK(decode_split(seq, at) == whole);
  }
  CHECK(whole[2] == char_key(U'[', key_mod::alt));
}

TEST_CASE("a paste bigger than the most a decoder holds is refused whole, and the next one is kept",
          "[decoder][paste]") {
  key_decoder d(8);
  std::vector<key> out;
  d.feed("\x1b[200~12345", out);
  d.feed("6789\x1b[201~", out);  // 9 bytes: one too many
  REQUIRE(out.size() == 1);
  CHECK(out[0] == named_key(key_code::paste_refused));
  CHECK(d.pastes().empty());
  d.feed("\x1b[200~12345678\x1b[201~x", out);  // exactly the most
  REQUIRE(out.size() == 3);
  CHECK(out[1] == named_key(key_code::paste_end));
  CHECK(d.pastes() == std::vector<std::string>{"12345678"});
  CHECK(out[2] == char_key(U'x'));
}
