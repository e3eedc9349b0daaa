// Unit tests of line_editor: editing UTF-8 text at a cursor, the editing keys and the history.
#include "echochat/core/key.hpp"
#include "echochat/core/line_editor.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/core/utf8.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

using namespace std::string_literals;
using echochat::key_code;
using echochat::line_editor;

namespace {

// A stand-in for wcwidth(): CJK and emoji take two columns, combining marks, variation
// selectors and ZWJ none, everything else one.
int fake_width(char32_t c) {
  if ((c >= 0x0300 && c <= 0x036F) || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F)) return 0;
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x1F300 && c <= 0x1FAFF)) return 2;
  return 1;
}

line_editor with_text(const std::string& text) {
  line_editor editor;
  editor.insert(text);
  return editor;
}

// The cursor positions Left visits from the end of the text, then Right from the start.
std::vector<std::size_t> left_stops(line_editor& editor) {
  editor.end();
  std::vector<std::size_t> stops{editor.cursor()};
  while (editor.left()) stops.push_back(editor.cursor());
  return stops;
}
std::vector<std::size_t> right_stops(line_editor& editor) {
  editor.home();
  std::vector<std::size_t> stops{editor.cursor()};
  while (editor.right()) stops.push_back(editor.cursor());
  return stops;
}

const std::string e_acute = "\xC3\xA9";
const std::string euro = "\xE2\x82\xAC";
const std::string grin = "\xF0\x9F\x98\x80";
const std::string zhong = "\xE4\xB8\xAD";
const std::string family =
    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";  // man ZWJ woman ZWJ girl
const std::string flag_fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";
const std::string flag_de = "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA";
const std::string thumbs_medium = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";  // thumbs up + skin tone
const std::string red_heart = "\xE2\x9D\xA4\xEF\xB8\x8F";              // heart + VS16
const std::string keycap_one = "1\xEF\xB8\x8F\xE2\x83\xA3";            // 1 VS16 U+20E3
const std::string combining_acute = "\xCC\x81";

}  // namespace

TEST_CASE("a new editor is empty with the cursor at 0", "[editor]") {
  line_editor editor;
  CHECK(editor.text().empty());
  CHECK(editor.cursor() == 0);
  CHECK(editor.history().empty());
  CHECK_FALSE(editor.browsing_history());
}

TEST_CASE("inserted text goes in at the cursor, which moves past it", "[editor]") {
  line_editor editor;
  editor.insert("ac");
  CHECK(editor.cursor() == 2);
  editor.left();
  editor.insert("b");
  CHECK(editor.text() == "abc");
  CHECK(editor.cursor() == 2);
  editor.home();
  editor.insert(">> ");
  CHECK(editor.text() == ">> abc");
  CHECK(editor.cursor() == 3);
}

TEST_CASE("Left and Right move over whole UTF-8 characters of every length", "[editor]") {
  auto editor = with_text("a" + e_acute + euro + grin);
  CHECK(editor.text().size() == 10);
  CHECK(left_stops(editor) == std::vector<std::size_t>{10, 6, 3, 1, 0});
  CHECK(right_stops(editor) == std::vector<std::size_t>{0, 1, 3, 6, 10});
  CHECK_FALSE(editor.right());
  editor.home();
  CHECK_FALSE(editor.left());
}

TEST_CASE("a combining mark moves and is deleted with its base", "[editor]") {
  auto editor = with_text("e" + combining_acute + "x");
  CHECK(left_stops(editor) == std::vector<std::size_t>{4, 3, 0});
  CHECK(right_stops(editor) == std::vector<std::size_t>{0, 3, 4});
  editor.end();
  editor.left();
  CHECK(editor.backspace());
  CHECK(editor.text() == "x");
}

TEST_CASE("a ZWJ emoji sequence is one character", "[editor]") {
  auto editor = with_text("a" + family + "b");
  CHECK(left_stops(editor) == std::vector<std::size_t>{1 + family.size() + 1, 1 + family.size(), 1, 0});
  editor.end();
  editor.left();
  CHECK(editor.backspace());
  CHECK(editor.text() == "ab");
  editor.home();
  editor.insert(family);
  editor.home();
  CHECK(editor.del());
  CHECK(editor.text() == "ab");
}

TEST_CASE("a flag is one character and two flags are two", "[editor]") {
  auto editor = with_text(flag_fr + flag_de);
  CHECK(left_stops(editor) == std::vector<std::size_t>{16, 8, 0});
  CHECK(right_stops(editor) == std::vector<std::size_t>{0, 8, 16});
  editor.end();
  editor.backspace();
  CHECK(editor.text() == flag_fr);
}

TEST_CASE("skin-tone modifiers, variation selectors and keycaps attach to their base", "[editor]") {
  for (const auto& emoji : {thumbs_medium, red_heart, keycap_one}) {
    auto editor = with_text("<" + emoji + ">");
    CAPTURE(emoji);
    CHECK(right_stops(editor) == std::vector<std::size_t>{0, 1, 1 + emoji.size(), 2 + emoji.size()});
    CHECK(left_stops(editor) == std::vector<std::size_t>{2 + emoji.size(), 1 + emoji.size(), 1, 0});
  }
}

TEST_CASE("a combining mark at the start of the line is a character of its own", "[editor]") {
  auto editor = with_text(combining_acute + "a");
  CHECK(left_stops(editor) == std::vector<std::size_t>{3, 2, 0});
  CHECK(right_stops(editor) == std::vector<std::size_t>{0, 2, 3});
}

TEST_CASE("Left and Right visit the same stops in a mixed line", "[editor]") {
  const std::string text = "x" + family + flag_fr + flag_de + "e" + combining_acute + zhong + thumbs_medium +
                           " " + red_heart + keycap_one + "\xE2\x80\x8D" + "y";
  auto editor = with_text(text);
  auto backwards = left_stops(editor);
  std::reverse(backwards.begin(), backwards.end());
  CHECK(right_stops(editor) == backwards);
}

TEST_CASE("Home, End, Ctrl-A and Ctrl-E jump to the ends of the line", "[editor]") {
  auto editor = with_text("hello");
  editor.home();
  CHECK(editor.cursor() == 0);
  editor.end();
  CHECK(editor.cursor() == 5);
  CHECK(editor.handle(echochat::ctrl_key(U'a')));
  CHECK(editor.cursor() == 0);
  CHECK(editor.handle(echochat::ctrl_key(U'e')));
  CHECK(editor.cursor() == 5);
  CHECK(editor.handle(echochat::named_key(key_code::home)));
  CHECK(editor.cursor() == 0);
  CHECK(editor.handle(echochat::named_key(key_code::end)));
  CHECK(editor.cursor() == 5);
}

TEST_CASE("Backspace deletes the character before the cursor", "[editor]") {
  auto editor = with_text("ab" + euro + "c");
  editor.left();
  CHECK(editor.backspace());
  CHECK(editor.text() == "abc");
  CHECK(editor.cursor() == 2);
  editor.home();
  CHECK_FALSE(editor.backspace());
  CHECK(editor.text() == "abc");
}

TEST_CASE("Del deletes the character under the cursor", "[editor]") {
  auto editor = with_text("a" + grin + "b");
  editor.home();
  editor.right();
  CHECK(editor.del());
  CHECK(editor.text() == "ab");
  CHECK(editor.cursor() == 1);
  editor.end();
  CHECK_FALSE(editor.del());
  CHECK(editor.text() == "ab");
}

TEST_CASE("Ctrl-U clears the whole line wherever the cursor is", "[editor]") {
  auto editor = with_text("hello world");
  editor.home();
  editor.right();
  editor.right();
  CHECK(editor.handle(echochat::ctrl_key(U'u')));
  CHECK(editor.text().empty());
  CHECK(editor.cursor() == 0);
}

TEST_CASE("Ctrl-W deletes the word before the cursor", "[editor]") {
  auto editor = with_text("hello world");
  CHECK(editor.handle(echochat::ctrl_key(U'w')));
  CHECK(editor.text() == "hello ");
  CHECK(editor.cursor() == 6);
  CHECK(editor.kill_word());
  CHECK(editor.text().empty());
  CHECK_FALSE(editor.kill_word());
}

TEST_CASE("Ctrl-W deletes the spaces before the cursor, then the word before them", "[editor]") {
  auto editor = with_text("one two   ");
  CHECK(editor.kill_word());
  CHECK(editor.text() == "one ");
  auto spaces = with_text("   ");
  CHECK(spaces.kill_word());
  CHECK(spaces.text().empty());
  auto leading = with_text("  word");
  CHECK(leading.kill_word());
  CHECK(leading.text() == "  ");
}

TEST_CASE("Ctrl-W keeps the text after the cursor", "[editor]") {
  auto editor = with_text("foo bar   baz");
  for (int i = 0; i < 3; ++i) editor.left();
  CHECK(editor.kill_word());
  CHECK(editor.text() == "foo baz");
  CHECK(editor.cursor() == 4);
  editor.home();
  CHECK_FALSE(editor.kill_word());
  CHECK(editor.text() == "foo baz");
}

TEST_CASE("Ctrl-W deletes a word of multi-byte characters whole", "[editor]") {
  auto editor = with_text("h" + e_acute + "llo w" + e_acute + zhong + grin);
  CHECK(editor.kill_word());
  CHECK(editor.text() == "h" + e_acute + "llo ");
  CHECK(echochat::is_safe_text(editor.text()));
}

TEST_CASE("the cursor column counts wide characters by their width", "[editor]") {
  auto editor = with_text("a" + zhong + "b");
  CHECK(editor.cursor_column(fake_width) == 4);
  editor.left();
  CHECK(editor.cursor_column(fake_width) == 3);
  editor.left();
  CHECK(editor.cursor_column(fake_width) == 1);
  editor.left();
  CHECK(editor.cursor_column(fake_width) == 0);
}

TEST_CASE("zero-width code points add no columns", "[editor]") {
  auto editor = with_text("e" + combining_acute + red_heart + family);
  // e=1, acute=0, heart=1 (outside the fake's emoji block), VS16=0, three emoji of 2, two ZWJ of 0
  CHECK(editor.cursor_column(fake_width) == 1 + 1 + 6);
  editor.left();
  CHECK(editor.cursor_column(fake_width) == 2);
}

TEST_CASE("a code point of negative width counts as one column", "[editor]") {
  auto editor = with_text("ab");
  CHECK(editor.cursor_column([](char32_t) { return -1; }) == 2);
  CHECK(echochat::display_width("ab" + zhong, fake_width) == 4);
  CHECK(echochat::display_width("", fake_width) == 0);
}

TEST_CASE("inserted text is cleaned so the line is always safe to draw and send", "[editor]") {
  line_editor editor;
  editor.insert("a\tb");
  CHECK(editor.text() == "a b");
  editor.kill_line();
  editor.insert("x\x1b[31my\x7f\r\nz\0"s);
  CHECK(editor.text() == "x[31myz");
  editor.kill_line();
  editor.insert(
      "l\xE2\x80\xAEr\xC2\x9B"
      "1");  // bidi override, C1 CSI
  CHECK(editor.text() == "lr1");
  editor.kill_line();
  editor.insert("bad\xFF\xE2\x82");
  CHECK(editor.text() == "bad\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(editor.cursor() == editor.text().size());
  CHECK(echochat::is_safe_text(editor.text()));
}

TEST_CASE("printable keys are typed and editing keys applied", "[editor]") {
  line_editor editor;
  CHECK(editor.handle(echochat::char_key(U'h')));
  CHECK(editor.handle(echochat::char_key(U'\u00E9')));
  CHECK(editor.handle(echochat::char_key(U'\U0001F600')));
  CHECK(editor.text() == "h" + e_acute + grin);
  CHECK(editor.handle(echochat::named_key(key_code::left)));
  CHECK(editor.cursor() == 3);
  CHECK(editor.handle(echochat::named_key(key_code::right)));
  CHECK(editor.cursor() == 7);
  CHECK(editor.handle(echochat::named_key(key_code::backspace)));
  CHECK(editor.text() == "h" + e_acute);
  editor.home();
  CHECK(editor.handle(echochat::named_key(key_code::del)));
  CHECK(editor.text() == e_acute);
}

TEST_CASE("keys that are not editing keys are left to the caller", "[editor]") {
  using echochat::named_key;
  const std::vector<echochat::key> not_ours = {
      named_key(key_code::enter),
      named_key(key_code::tab),
      named_key(key_code::escape),
      named_key(key_code::insert),
      named_key(key_code::page_up),
      named_key(key_code::page_down),
      named_key(key_code::paste_begin),
      named_key(key_code::paste_end),
      named_key(key_code::unknown),
      echochat::fn_key(1),
      echochat::ctrl_key(U'c'),
      echochat::ctrl_key(U'd'),
      echochat::ctrl_key(U'l'),
      echochat::char_key(U'x', echochat::key_mod::alt),
      named_key(key_code::left, echochat::key_mod::ctrl),
      named_key(key_code::up, echochat::key_mod::shift),
      named_key(key_code::backspace, echochat::key_mod::alt),
  };
  for (const auto& k : not_ours) {
    auto editor = with_text("text");
    CAPTURE(echochat::key_name(k));
    CHECK_FALSE(editor.handle(k));
    CHECK(editor.text() == "text");
    CHECK(editor.cursor() == 4);
  }
}

TEST_CASE("editing keys are taken even when they change nothing", "[editor]") {
  using echochat::named_key;
  for (const auto& k : {named_key(key_code::left), named_key(key_code::right), named_key(key_code::home),
                        named_key(key_code::end), named_key(key_code::backspace), named_key(key_code::del),
                        named_key(key_code::up), named_key(key_code::down), echochat::ctrl_key(U'a'),
                        echochat::ctrl_key(U'e'), echochat::ctrl_key(U'u'), echochat::ctrl_key(U'w')}) {
    line_editor editor;
    CAPTURE(echochat::key_name(k));
    CHECK(editor.handle(k));
    CHECK(editor.text().empty());
  }
}

TEST_CASE("submit returns the line, records it and starts an empty line", "[editor]") {
  auto editor = with_text("hello");
  editor.left();
  CHECK(editor.submit() == "hello");
  CHECK(editor.text().empty());
  CHECK(editor.cursor() == 0);
  CHECK(editor.history() == std::deque<std::string>{"hello"});
}

TEST_CASE("an empty line is not submitted", "[editor]") {
  line_editor editor;
  CHECK(editor.submit() == std::nullopt);
  CHECK(editor.history().empty());
  auto spaces = with_text("  ");
  CHECK(spaces.submit() == "  ");
}

TEST_CASE("Up recalls older lines and Down newer ones", "[editor]") {
  line_editor editor;
  for (const char* line : {"first", "second", "third"}) {
    editor.insert(line);
    editor.submit();
  }
  CHECK(editor.history_up());
  CHECK(editor.text() == "third");
  CHECK(editor.cursor() == 5);
  CHECK(editor.browsing_history());
  CHECK(editor.handle(echochat::named_key(key_code::up)));
  CHECK(editor.text() == "second");
  CHECK(editor.history_up());
  CHECK(editor.text() == "first");
  CHECK_FALSE(editor.history_up());
  CHECK(editor.text() == "first");
  CHECK(editor.handle(echochat::named_key(key_code::down)));
  CHECK(editor.text() == "second");
  CHECK(editor.cursor() == 6);
}

TEST_CASE("the history keeps the unsent draft", "[editor]") {
  line_editor editor;
  editor.insert("sent");
  editor.submit();
  editor.insert("draft " + zhong);
  editor.left();
  editor.left();  // the cursor is not at the end of the draft
  CHECK(editor.history_up());
  CHECK(editor.text() == "sent");
  CHECK(editor.history_down());
  CHECK(editor.text() == "draft " + zhong);
  CHECK(editor.cursor() == editor.text().size());
  CHECK_FALSE(editor.browsing_history());
  CHECK_FALSE(editor.history_down());
  CHECK(editor.text() == "draft " + zhong);
}

TEST_CASE("an empty draft is restored empty", "[editor]") {
  line_editor editor;
  editor.insert("old");
  editor.submit();
  editor.history_up();
  editor.history_down();
  CHECK(editor.text().empty());
  CHECK(editor.cursor() == 0);
}

TEST_CASE("Up with no history keeps the line as it is", "[editor]") {
  auto editor = with_text("typing");
  CHECK_FALSE(editor.history_up());
  CHECK_FALSE(editor.history_down());
  CHECK(editor.text() == "typing");
  CHECK_FALSE(editor.browsing_history());
}

TEST_CASE("editing a recalled line does not change the history", "[editor]") {
  line_editor editor;
  for (const char* line : {"alpha", "beta"}) {
    editor.insert(line);
    editor.submit();
  }
  editor.insert("draft");
  editor.history_up();
  editor.insert("!!");
  editor.kill_word();
  editor.insert("edited");
  CHECK(editor.text() == "edited");
  CHECK(editor.history() == std::deque<std::string>{"alpha", "beta"});
  editor.history_up();
  editor.history_down();
  CHECK(editor.text() == "beta");
  editor.history_down();
  CHECK(editor.text() == "draft");
}

TEST_CASE("submitting a recalled line records it again as the newest", "[editor]") {
  line_editor editor;
  for (const char* line : {"alpha", "beta"}) {
    editor.insert(line);
    editor.submit();
  }
  editor.insert("abandoned draft");
  editor.history_up();
  editor.history_up();
  CHECK(editor.submit() == "alpha");
  CHECK(editor.history() == std::deque<std::string>{"alpha", "beta", "alpha"});
  CHECK_FALSE(editor.browsing_history());
  CHECK(editor.text().empty());
  editor.history_up();
  editor.history_down();
  CHECK(editor.text().empty());  // the draft left behind by submitting is gone
}

TEST_CASE("a line that repeats the newest history entry is not recorded twice", "[editor]") {
  line_editor editor;
  for (const char* line : {"same", "same", "other", "same"}) {
    editor.insert(line);
    CHECK(editor.submit() == line);
  }
  CHECK(editor.history() == std::deque<std::string>{"same", "other", "same"});
}

TEST_CASE("the history is bounded and forgets the oldest lines first", "[editor]") {
  line_editor small(3);
  for (int i = 0; i < 5; ++i) {
    small.insert("line " + std::to_string(i));
    small.submit();
  }
  CHECK(small.history() == std::deque<std::string>{"line 2", "line 3", "line 4"});
  int steps = 0;
  while (small.history_up()) ++steps;
  CHECK(steps == 3);
  CHECK(small.text() == "line 2");

  line_editor editor;
  for (int i = 0; i < 1005; ++i) {
    editor.insert("line " + std::to_string(i));
    editor.submit();
  }
  CHECK(editor.history().size() == line_editor::default_history_limit);
  CHECK(editor.history().front() == "line 5");
  CHECK(editor.history().back() == "line 1004");
}

TEST_CASE("a history limit of 0 records nothing", "[editor]") {
  line_editor editor(0);
  editor.insert("x");
  CHECK(editor.submit() == "x");
  CHECK(editor.history().empty());
  CHECK_FALSE(editor.history_up());
}

TEST_CASE("the cursor is always on a code point boundary and the text always safe", "[editor]") {
  // Random editing keys over text full of multi-byte characters and clusters.
  const std::vector<std::string> inserts = {
      "a",           " ",       e_acute, euro,  grin, zhong, family, flag_fr, combining_acute, "\xE2\x80\x8D",
      thumbs_medium, red_heart, "\x1b",  "\xFF"};
  using echochat::named_key;
  const std::vector<echochat::key> keys = {
      named_key(key_code::left), named_key(key_code::right),     named_key(key_code::home),
      named_key(key_code::end),  named_key(key_code::backspace), named_key(key_code::del),
      echochat::ctrl_key(U'w'),  named_key(key_code::up),        named_key(key_code::down)};
  line_editor editor(5);
  unsigned state = 12345;
  auto next = [&state] { return state = state * 1103515245U + 12345U, (state >> 16) & 0x7FFFU; };
  for (int step = 0; step < 20000; ++step) {
    const unsigned r = next();
    if (r % 3 == 0) {
      editor.insert(inserts[next() % inserts.size()]);
    } else if (r % 97 == 1) {
      editor.submit();
    } else {
      editor.handle(keys[next() % keys.size()]);
    }
    const std::string& text = editor.text();
    REQUIRE(editor.cursor() <= text.size());
    REQUIRE((editor.cursor() == text.size() || !echochat::is_utf8_continuation(text[editor.cursor()])));
    REQUIRE(echochat::is_safe_text(text));
  }
}
