// The two searches: the finder (ASCII case folded, the rest exact), Ctrl-R's reverse incremental
// search over the input history, and /find over the transcript, also on a full scrollback.
#include "echochat/core/reverse_search.hpp"
#include "echochat/core/text_search.hpp"
#include "echochat/core/transcript_search.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <string>

using namespace echochat;

TEST_CASE("the finder ignores the case of ASCII letters and nothing else", "[search]") {
  CHECK(text_finder("hello").find("say HeLLo there") == 4);
  CHECK(text_finder("HELLO").in("hello"));
  CHECK(text_finder("wörld").in("WöRLD"));
  CHECK_FALSE(text_finder("wörld").in("WÖRLD"));  // not ASCII: exact
  CHECK_FALSE(text_finder("Straße").in("STRASSE"));
  CHECK(text_finder("日本").find("x日本語") == 1);
  CHECK(text_finder("ab").find("ab ab", 1) == 3);
  CHECK(text_finder("ab").find("ab", 3) == std::string::npos);
  CHECK(text_finder("abc").find("ab") == std::string::npos);
  CHECK(text_finder("").find("abc", 2) == 2);
}

TEST_CASE("Ctrl-R narrows as the user types and finds older matches on Ctrl-R again", "[search][history]") {
  const std::deque<std::string> history{"git status", "make test", "git commit -m x", "echo hi", "git push"};
  reverse_search r(history);
  std::size_t cursor = 0;
  CHECK(r.prompt(cursor) == "(reverse-i-search)'': ");
  CHECK_FALSE(r.match());
  r.type("g");
  CHECK(r.match() == 4u);  // "git push", the newest with a g
  r.type("i");
  r.type("t");
  CHECK(r.match_text() == "git push");
  r.type(" c");
  CHECK(r.match_text() == "git commit -m x");
  CHECK(r.prompt(cursor) == "(reverse-i-search)'git c': git commit -m x");
  CHECK(cursor == std::string("(reverse-i-search)'git c': ").size());
  r.widen();  // Backspace: back to "git " and its match
  CHECK(r.query() == "git");
  CHECK(r.match_text() == "git push");
  r.older();
  CHECK(r.match_text() == "git commit -m x");
  r.older();
  CHECK(r.match_text() == "git status");
  r.older();  // nothing older: failed, the match stays
  CHECK(r.failed());
  CHECK(r.match_text() == "git status");
  CHECK(r.prompt(cursor).starts_with("(failed reverse-i-search)'git': git status"));
  r.widen();
  CHECK_FALSE(r.failed());
}

TEST_CASE("Ctrl-R puts the cursor where the text matched, and skips a line equal to the match",
          "[search][history]") {
  const std::deque<std::string> history{"a hello", "hello", "say hello", "say hello", "HELLO world"};
  reverse_search r(history);
  r.type("ello");
  CHECK(r.match() == 4u);
  CHECK(r.match_offset() == 1);  // case folded: "HELLO" matches
  r.older();
  CHECK(r.match() == 3u);
  CHECK(r.match_offset() == 5);
  r.older();  // "say hello" again is skipped as the same line
  CHECK(r.match() == 1u);
  r.older();
  CHECK(r.match() == 0u);
  r.older();
  CHECK(r.failed());
}

TEST_CASE("a failed Ctrl-R search stays failed while typing, and Backspace undoes it key by key",
          "[search][history]") {
  const std::deque<std::string> history{"abc"};
  reverse_search r(history);
  r.type("ab");
  r.type("x");
  CHECK(r.failed());
  r.type("y");
  CHECK(r.failed());
  CHECK(r.query() == "abxy");
  CHECK(r.match_text() == "abc");
  r.widen();
  r.widen();
  CHECK_FALSE(r.failed());
  CHECK(r.query() == "ab");
  r.widen();
  r.widen();  // at the start: nothing more to undo
  CHECK(r.query().empty());
}

TEST_CASE("Ctrl-R on an empty search takes the last search again, as readline does", "[search][history]") {
  const std::deque<std::string> history{"one", "two"};
  reverse_search r(history, "on");
  r.older();
  CHECK(r.query() == "on");
  CHECK(r.match_text() == "one");
  reverse_search fresh(history);
  fresh.older();
  CHECK_FALSE(fresh.match());
}

namespace {

transcript numbered(int n, std::size_t capacity = transcript::default_capacity) {
  transcript t(capacity);
  for (int i = 0; i < n; ++i) t.add(0, source::net, (i % 5 == 0 ? "Needle " : "hay ") + std::to_string(i));
  return t;
}

}  // namespace

TEST_CASE("/find counts the matching entries, starts at the newest and walks older and newer",
          "[search][find]") {
  const transcript t = numbered(23);  // needles at 0, 5, 10, 15, 20
  transcript_find f("needle", t);
  CHECK(f.count() == 5);
  CHECK(f.position() == 5u);
  CHECK(f.current(t)->text == "Needle 20");
  CHECK(f.older());
  CHECK(f.current(t)->text == "Needle 15");
  CHECK(f.position() == 4u);
  while (f.older()) {
  }
  CHECK(f.position() == 1u);
  CHECK(f.current(t)->text == "Needle 0");
  CHECK(f.newer());
  CHECK(f.current_index(t) == 5u);
  f.set_query("hay 2", t);
  CHECK(f.count() == 3);  // hay 2, hay 21, hay 22
}

TEST_CASE("/find finds nothing for a text nowhere, and every occurrence within an entry", "[search][find]") {
  transcript t;
  t.add(0, source::net, "ab AB aB");
  transcript_find f("zz", t);
  CHECK(f.count() == 0);
  CHECK_FALSE(f.position());
  CHECK(f.current(t) == nullptr);
  CHECK_FALSE(f.older());
  f.set_query("ab", t);
  using ranges = std::vector<std::pair<std::size_t, std::size_t>>;
  CHECK(f.occurrences(*f.current(t)) == ranges{{0, 2}, {3, 5}, {6, 8}});
}

TEST_CASE("/find keeps up with entries that arrive and entries the scrollback drops", "[search][find]") {
  transcript t = numbered(10, 10);  // needles 0, 5
  transcript_find f("needle", t);
  CHECK(f.count() == 2);
  CHECK(f.older());
  CHECK(f.current(t)->text == "Needle 0");
  t.add(0, source::net, "needle new");  // "Needle 0" leaves the scrollback
  f.update(t);
  CHECK(f.count() == 2);
  CHECK(f.current(t)->text == "Needle 5");  // the oldest one kept
  CHECK(f.newer());
  CHECK(f.current(t)->text == "needle new");
}

TEST_CASE("/find takes in an entry amended after it was looked at, and keeps the current match",
          "[search][find][amend]") {
  transcript t = numbered(10);  // needles 0, 5
  transcript_find f("needle", t);
  CHECK(f.older());
  CHECK(f.current(t)->text == "Needle 0");
  REQUIRE(t.amend(3, "  (lost: a needle)"));  // "hay 3" matches now
  f.update(t);
  CHECK(f.count() == 3);
  CHECK(f.position() == 1u);  // still "Needle 0", now the first of three
  CHECK(f.current(t)->text == "Needle 0");
  CHECK(f.newer());
  CHECK(f.current(t)->text == "hay 3  (lost: a needle)");
  CHECK(f.newer());
  CHECK(f.current(t)->text == "Needle 5");
  t.add(0, source::net, "needle new");
  REQUIRE(t.amend(5, " needle"));  // a match amended: still one match
  f.update(t);
  CHECK(f.count() == 4);
  CHECK(f.current(t)->text == "Needle 5 needle");
}

TEST_CASE("/find scrolls so that the match shows in the middle of the window", "[search][find]") {
  const transcript t = numbered(100);
  // Entry 50 has 49 one-row entries below it; in a 10-row window it gets 5 rows below.
  CHECK(scroll_to_show(t, 50, 80, 10) == 49 - 5);
  CHECK(scroll_to_show(t, 99, 80, 10) == 0);  // the newest: the live end
  transcript tall;
  tall.add(0, source::net, std::string(65 * 20, 'x'));  // 20 rows at 80 columns
  tall.add(0, source::net, "below");
  CHECK(scroll_to_show(tall, 0, 80, 10) == 1 + 20 - 10);  // its first row at the top
}

TEST_CASE("/find over a full scrollback (10,000 entries, 4 MiB) finds every match", "[search][find]") {
  transcript t;
  const std::string filler(400, 'x');
  for (int i = 0; i < 10'000; ++i) t.add(0, source::net, filler + (i % 100 == 0 ? " MaTcH" : " other"));
  REQUIRE(t.finished().size() == 10'000);
  CHECK(t.finished_bytes() > 4'000'000);
  transcript_find f("match", t);
  CHECK(f.count() == 100);
  CHECK(f.current(t)->text.ends_with("MaTcH"));
}
