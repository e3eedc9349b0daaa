// The history file's pure parts: where it lives, its format, corrupt lines, compaction, and the
// order Up/Down meet the lines in (the same destination first).
#include "echochat/core/history.hpp"

#include "echochat/core/sanitize.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;

TEST_CASE("the history file is under XDG_STATE_HOME, else under HOME's .local/state", "[history]") {
  CHECK(history_path("/state", "/home/u") == "/state/echochat/history");
  CHECK(history_path(nullptr, "/home/u") == "/home/u/.local/state/echochat/history");
  CHECK(history_path("", "/home/u") == "/home/u/.local/state/echochat/history");
  CHECK(history_path("relative/dir", "/home/u") == "/home/u/.local/state/echochat/history");  // the XDG spec
  CHECK_FALSE(history_path(nullptr, nullptr).has_value());
  CHECK_FALSE(history_path(nullptr, "").has_value());
}

TEST_CASE("a history line is the destination, a TAB and the text, and reads back as it was", "[history]") {
  const std::string file = format_history_line("example.org:6667", "hello wörld 日本語") +
                           format_history_line("[::1]:9000", "second");
  CHECK(file == "example.org:6667\thello wörld 日本語\n[::1]:9000\tsecond\n");
  const parsed_history h = parse_history(file);
  CHECK(h.corrupt == 0);
  CHECK_FALSE(h.unfinished);
  CHECK(h.records ==
        std::vector<history_record>{{"example.org:6667", "hello wörld 日本語"}, {"[::1]:9000", "second"}});
  CHECK_FALSE(needs_compaction(h));
}

TEST_CASE("corrupt history lines are counted and left out, and what is loaded is sanitized", "[history]") {
  const parsed_history h = parse_history(
      "no tab here\n\tno destination\nhost:1\t\nhost:1\tgood\nhost:1\t\x1b[2Jbad \xff bytes\n\n");
  CHECK(h.corrupt == 4);  // no TAB, empty destination, empty text, an empty line
  REQUIRE(h.records.size() == 2);
  CHECK(h.records[0].text == "good");
  CHECK(h.records[1].text == "^[[2Jbad \xEF\xBF\xBD bytes");
  CHECK(is_safe_text(h.records[1].text));
  CHECK(needs_compaction(h));
}

TEST_CASE("a last history line cut short is kept and the file is written again", "[history]") {
  const parsed_history h = parse_history("host:1\tone\nhost:1\ttw");
  CHECK(h.unfinished);
  CHECK(h.corrupt == 0);
  REQUIRE(h.records.size() == 2);
  CHECK(h.records[1].text == "tw");
  CHECK(needs_compaction(h));
  CHECK(compact_history(h) == "host:1\tone\nhost:1\ttw\n");
}

TEST_CASE("a history longer than the limit is compacted to its newest lines", "[history]") {
  std::string file;
  for (int i = 0; i < 1005; ++i) file += format_history_line("h:1", "line " + std::to_string(i));
  const parsed_history h = parse_history(file);
  CHECK(h.records.size() == 1005);
  CHECK(needs_compaction(h));
  const parsed_history kept = parse_history(compact_history(h));
  REQUIRE(kept.records.size() == history_file_limit);
  CHECK(kept.records.front().text == "line 5");
  CHECK(kept.records.back().text == "line 1004");
  CHECK_FALSE(needs_compaction(kept));
  CHECK(compact_history(h, 2) == "h:1\tline 1003\nh:1\tline 1004\n");
}

TEST_CASE("Up meets the lines sent to the same destination first, newest first, then the others",
          "[history]") {
  const std::vector<history_record> records{
      {"a:1", "a-old"}, {"b:2", "b-old"}, {"a:1", "a-new"}, {"b:2", "b-new"}, {"c:3", "c"}};
  // Oldest first: Up takes from the back.
  CHECK(recall_order(records, "a:1") == std::vector<std::string>{"b-old", "b-new", "c", "a-old", "a-new"});
  CHECK(recall_order(records, "b:2") == std::vector<std::string>{"a-old", "a-new", "c", "b-old", "b-new"});
  CHECK(recall_order(records, "new:9") == std::vector<std::string>{"a-old", "b-old", "a-new", "b-new", "c"});
}
