// The transcript model: typing, backspace over wide characters and tokens, wrap, scrollback.
#include "echochat/core/text_width.hpp"
#include "echochat/core/transcript.hpp"

#include <catch2/catch.hpp>

using namespace echochat;

namespace {
std::vector<std::string> row_texts(const visible_rows& v) {
  std::vector<std::string> out;
  for (const auto& r : v.rows) out.push_back(r.e->text.substr(r.begin, r.end - r.begin));
  return out;
}
}  // namespace

TEST_CASE("typing appends to one open entry until Enter finishes it", "[model]") {
  transcript t;
  t.type(100, "he");
  t.type(101, "llo");
  REQUIRE(t.typing());
  CHECK(t.typing()->text == "hello");
  CHECK(t.typing()->time == 100);  // the time the entry was started
  CHECK(t.finished().empty());
  t.finish_typing(102);
  CHECK_FALSE(t.typing());
  REQUIRE(t.finished().size() == 1);
  CHECK(t.finished()[0].text == "hello");
  CHECK(t.finished()[0].src == source::you);
}

TEST_CASE("Enter on nothing typed adds an empty entry", "[model]") {
  transcript t;
  t.finish_typing(5);
  REQUIRE(t.finished().size() == 1);
  CHECK(t.finished()[0].text.empty());
}

TEST_CASE("an entry from elsewhere goes above the line being typed", "[model]") {
  transcript t;
  t.type(1, "half a li");
  t.add(2, source::slow, "something slow is done");
  REQUIRE(t.size() == 2);
  CHECK(t.at(0).src == source::slow);
  CHECK(t.at(1).text == "half a li");
  t.type(3, "ne");
  t.finish_typing(4);
  CHECK(t.finished()[1].text == "half a line");
}

TEST_CASE("backspace removes whole characters, wide ones and emoji included", "[model]") {
  transcript t;
  t.type(0, "aé日😀");
  REQUIRE(t.backspace());
  CHECK(t.typing()->text == "aé日");
  REQUIRE(t.backspace());
  CHECK(t.typing()->text == "aé");
  REQUIRE(t.backspace());
  CHECK(t.typing()->text == "a");
  REQUIRE(t.backspace());
  CHECK(t.typing()->text.empty());
  CHECK_FALSE(t.backspace());
}

TEST_CASE("backspace removes a named key as a whole", "[model]") {
  transcript t;
  t.type(0, "x");
  t.type_token(0, "<Up>");
  t.type(0, ">");
  REQUIRE(t.backspace());
  CHECK(t.typing()->text == "x<Up>");  // the typed '>' was a character, not the token's end
  REQUIRE(t.backspace());
  CHECK(t.typing()->text == "x");
  REQUIRE(t.backspace());
  CHECK(t.typing()->text.empty());
}

TEST_CASE("backspace with nothing being typed does nothing", "[model]") {
  transcript t;
  t.add(0, source::slow, "done");
  CHECK_FALSE(t.backspace());
  CHECK(t.finished()[0].text == "done");
}

TEST_CASE("scrollback keeps the newest entries up to its capacity", "[model]") {
  transcript t(3);
  for (int i = 0; i < 5; ++i) t.add(i, source::sys, std::to_string(i));
  REQUIRE(t.finished().size() == 3);
  CHECK(t.finished().front().text == "2");
  CHECK(t.finished().back().text == "4");
  CHECK(t.finished_total() == 5);
}

TEST_CASE("scrollback keeps at most its byte capacity of text, and always the newest entry", "[model]") {
  transcript t(100, 1000);
  for (int i = 0; i < 50; ++i) t.add(i, source::net, std::string(300, static_cast<char>('a' + i % 26)));
  // Three entries of 300 bytes fit in 1000; a fourth would not.
  REQUIRE(t.finished().size() == 3);
  CHECK(t.finished_bytes() == 900);
  CHECK(t.finished().back().text == std::string(300, static_cast<char>('a' + 49 % 26)));
  CHECK(t.finished_total() == 50);
  t.add(50, source::net, std::string(5000, 'z'));  // alone over the budget: kept, alone
  REQUIRE(t.finished().size() == 1);
  CHECK(t.finished_bytes() == 5000);
  t.add(51, source::sys, "small");
  REQUIRE(t.finished().size() == 1);
  CHECK(t.finished().front().text == "small");
  CHECK(t.finished_bytes() == 5);
}

TEST_CASE("by default a flood of 64 KiB lines keeps about 4 MiB of scrollback, not all of it", "[model]") {
  transcript t;
  for (int i = 0; i < 1000; ++i) t.add(i, source::net, std::string(64 * 1024, 'x'));
  CHECK(t.finished_bytes() <= transcript::default_byte_capacity);
  CHECK(t.finished().size() == transcript::default_byte_capacity / (64 * 1024));
  CHECK(t.finished_total() == 1000);
}

TEST_CASE("text wraps at the width in cells, and wide characters never straddle", "[model][wrap]") {
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  SECTION("ASCII") {
    wrap_text("abcdefg", 3, rows);
    REQUIRE(rows.size() == 3);
    CHECK(rows[2] == std::pair<std::size_t, std::size_t>{6, 7});
  }
  SECTION("wide characters take two cells") {
    const std::string s = "日本語x";  // 2+2+2+1 cells
    wrap_text(s, 3, rows);
    REQUIRE(rows.size() == 3);
    CHECK(s.substr(rows[0].first, rows[0].second - rows[0].first) == "日");
    CHECK(s.substr(rows[2].first, rows[2].second - rows[2].first) == "語x");
  }
  SECTION("a wide character wider than the row still gets a row") {
    wrap_text("日", 1, rows);
    REQUIRE(rows.size() == 1);
  }
  SECTION("empty text is one empty row") {
    wrap_text("", 10, rows);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].first == rows[0].second);
  }
}

TEST_CASE("character widths come from the locale's tables", "[model][wrap]") {
  CHECK(char_width(U'a') == 1);
  CHECK(char_width(U'日') == 2);
  CHECK(char_width(U'😀') == 2);
  CHECK(char_width(0x0301) == 0);  // combining acute accent
  CHECK(text_width("héllo 日本") == 10);
}

TEST_CASE("the layout shows the newest rows at the bottom and scrolls back", "[model][layout]") {
  transcript t;
  for (int i = 0; i < 10; ++i) t.add(i, source::sys, "entry " + std::to_string(i));
  SECTION("live end") {
    const auto v = layout(t, 80, 3, 0);
    CHECK(row_texts(v) == std::vector<std::string>{"entry 7", "entry 8", "entry 9"});
    CHECK(v.scroll == 0);
    CHECK_FALSE(v.at_top);
  }
  SECTION("scrolled") {
    const auto v = layout(t, 80, 3, 4);
    CHECK(row_texts(v) == std::vector<std::string>{"entry 3", "entry 4", "entry 5"});
  }
  SECTION("scrolling past the top clamps") {
    const auto v = layout(t, 80, 3, 100);
    CHECK(v.scroll == 7);
    CHECK(v.at_top);
    CHECK(row_texts(v) == std::vector<std::string>{"entry 0", "entry 1", "entry 2"});
  }
  SECTION("fewer entries than rows") {
    transcript small;
    small.add(0, source::sys, "only");
    const auto v = layout(small, 80, 5, 0);
    CHECK(row_texts(v) == std::vector<std::string>{"only"});
    CHECK(v.at_top);
  }
  SECTION("no room at all") { CHECK(layout(t, 80, 0, 0).rows.empty()); }
}

TEST_CASE("wrapped entries continue on following rows without the prefix", "[model][layout]") {
  transcript t;
  t.add(0, source::you, std::string(100, 'x'));
  const int cols = 40;
  const auto v = layout(t, cols, 10, 0);
  REQUIRE(v.rows.size() == 4);  // 25 cells of text per row after the 15-cell prefix
  CHECK(v.rows[0].first);
  CHECK_FALSE(v.rows[1].first);
  CHECK(prefix_width(cols) == 15);
  CHECK(prefix_width(10) == 0);
}

TEST_CASE("the layout cache gives what layout gives, frame after frame", "[model][layout]") {
  // A long random session on one transcript: typing (ASCII, wide, long enough to wrap), Backspace,
  // Enter, entries from elsewhere, earlier entries amended, scrolling and resizing, with the
  // scrollback overflowing. After every step the cached layout must equal a fresh one, row for row.
  transcript t(40);
  layout_cache cache;
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  int cols = 80;
  int height = 10;
  int scroll = 0;
  for (int step = 0; step < 20000; ++step) {
    const auto op = next() % 100;
    if (op < 55) {
      t.type(step, next() % 5 == 0 ? "日" : "abcdefghij");
    } else if (op < 70) {
      t.backspace();
    } else if (op < 76) {
      t.finish_typing(step);
    } else if (op < 80) {
      t.add(step, source::net, std::string(next() % 150, 'n'));
    } else if (op < 84) {
      scroll = static_cast<int>(next() % 4 == 0 ? next() % 30 : 0);
    } else if (op < 86) {
      cols = static_cast<int>(1 + next() % 100);
      height = static_cast<int>(next() % 14);
    } else if (op < 89 && !t.finished().empty()) {
      // An entry shown earlier learns more (echo mode's "lost"), while typing goes on below it.
      t.amend(t.first_id() + next() % t.finished().size(), next() % 3 == 0 ? "  (lost: 日本)" : "  (lost)");
    } else {
      // A frame with nothing changed.
    }
    const visible_rows want = layout(t, cols, height, scroll);
    const visible_rows& got = cache.update(t, cols, height, scroll);
    INFO("step " << step << ", " << cols << "x" << height << ", scroll " << scroll);
    REQUIRE(got.rows.size() == want.rows.size());
    CHECK(got.scroll == want.scroll);
    CHECK(got.at_top == want.at_top);
    for (std::size_t r = 0; r < want.rows.size(); ++r) {
      REQUIRE(got.rows[r].e == want.rows[r].e);
      REQUIRE(got.rows[r].begin == want.rows[r].begin);
      REQUIRE(got.rows[r].end == want.rows[r].end);
      REQUIRE(got.rows[r].first == want.rows[r].first);
    }
  }
}

TEST_CASE("an entry is named for good by its id, and amending it adds to its text in place",
          "[model][amend]") {
  transcript t;
  t.add(1, source::you, "hello");
  t.add(2, source::net, "other");
  t.type(3, "typing");
  REQUIRE(t.find(0) != nullptr);
  CHECK(t.find(0)->text == "hello");
  CHECK(t.find(1)->text == "other");
  CHECK(t.find(2) == nullptr);  // not finished yet: the open entry has no id
  CHECK(t.amendments() == 0);

  CHECK(t.amend(0, "  (lost)"));
  CHECK(t.amendments() == 1);
  CHECK(t.find(0)->text == "hello  (lost)");
  CHECK(t.find(0)->time == 1);  // the entry's own time and source stay
  CHECK(t.find(0)->src == source::you);
  CHECK(t.finished().front().text == "hello  (lost)");
  CHECK(t.finished().back().text == "other");  // its place too: nothing moved
  CHECK(t.finished_total() == 2);              // nothing was added
  CHECK(t.finished_bytes() == std::string{"hello  (lost)other"}.size());
  REQUIRE(t.typing());
  CHECK(t.typing()->text == "typing");  // the open entry is not touched

  CHECK(t.amend(0, "!"));
  CHECK(t.find(0)->text == "hello  (lost)!");
  CHECK(t.amendments() == 2);
}

TEST_CASE("an entry no longer kept (or never finished) cannot be amended, and nothing changes",
          "[model][amend]") {
  transcript t(2);
  for (int i = 0; i < 4; ++i) t.add(i, source::you, std::to_string(i));
  CHECK(t.first_id() == 2);
  const std::size_t bytes = t.finished_bytes();
  for (const std::uint64_t id : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{99}}) {
    INFO("id " << id);
    CHECK(t.find(id) == nullptr);
    CHECK_FALSE(t.amend(id, "  (lost)"));
  }
  CHECK(t.amendments() == 0);
  CHECK(t.finished_bytes() == bytes);
  CHECK(t.find(2)->text == "2");
  CHECK(t.find(3)->text == "3");
}

TEST_CASE("an amended entry counts against the byte capacity, and the oldest entries make room",
          "[model][amend]") {
  transcript t(100, 1000);
  for (int i = 0; i < 3; ++i) t.add(i, source::you, std::string(300, 'a'));
  REQUIRE(t.finished_bytes() == 900);
  CHECK(t.amend(2, std::string(200, 'b')));  // 1100 bytes: the oldest goes
  CHECK(t.finished().size() == 2);
  CHECK(t.first_id() == 1);
  CHECK(t.finished_bytes() == 800);
  CHECK(t.find(2)->text.size() == 500);
}

TEST_CASE("the layout cache lays out an amended entry again, even while only the line being typed changes",
          "[model][layout][amend]") {
  // The cache reuses the finished entries' rows while the user types; an amended entry has new
  // text (and maybe more rows), so a cache that missed it would show it cut at its old length.
  transcript t;
  t.add(0, source::you, "gone");
  t.add(1, source::net, "after");
  t.type(2, "draft");
  layout_cache cache;
  const int cols = 40;  // 25 cells of text after the prefix
  CHECK(row_texts(cache.update(t, cols, 10, 0)) == std::vector<std::string>{"gone", "after", "draft"});
  t.type(2, "!");  // a frame where only the typing changed: served from the cache
  CHECK(row_texts(cache.update(t, cols, 10, 0)) == std::vector<std::string>{"gone", "after", "draft!"});

  SECTION("the same number of rows") {
    REQUIRE(t.amend(0, "  (lost)"));
    CHECK(row_texts(cache.update(t, cols, 10, 0)) ==
          std::vector<std::string>{"gone  (lost)", "after", "draft!"});
  }
  SECTION("wrapped onto a second row") {
    REQUIRE(t.amend(0, "  (lost: no echo in 5 s, really)"));
    CHECK(row_texts(cache.update(t, cols, 10, 0)) ==
          std::vector<std::string>{"gone  (lost: no echo in 5", " s, really)", "after", "draft!"});
  }
  SECTION("then typing goes on from the cache again") {
    REQUIRE(t.amend(0, "  (lost)"));
    cache.update(t, cols, 10, 0);
    t.type(2, "?");
    CHECK(row_texts(cache.update(t, cols, 10, 0)) ==
          std::vector<std::string>{"gone  (lost)", "after", "draft!?"});
  }
  const visible_rows want = layout(t, cols, 10, 0);
  CHECK(row_texts(cache.update(t, cols, 10, 0)) == row_texts(want));
}

TEST_CASE("a combining mark at the start of an entry goes on U+25CC, not on the tag before it",
          "[model][combining]") {
  transcript t;
  t.add(0, source::net, "\u0301abc");  // COMBINING ACUTE ACCENT first
  CHECK(t.finished().back().text == "\u25CC\u0301abc");
  t.add(0, source::net, "e\u0301");  // a mark after its base stays as it is
  CHECK(t.finished().back().text == "e\u0301");
}

TEST_CASE("a combining mark typed first goes on U+25CC, and Backspace takes both", "[model][combining]") {
  transcript t;
  t.type(0, "\u0308");
  t.type(0, "x");
  REQUIRE(t.typing());
  CHECK(t.typing()->text == "\u25CC\u0308x");
  CHECK(text_width(t.typing()->text) == 2);
  CHECK(t.backspace());
  CHECK(t.backspace());
  CHECK(t.typing()->text.empty());
}
