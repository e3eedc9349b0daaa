// The row diff: applied to what a row shows, it must give exactly what a full rewrite gives,
// and write little when little changed.
#include "echochat/core/row_diff.hpp"
#include "echochat/core/text_width.hpp"
#include "echochat/core/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;

namespace {

// A row as cells, the way a terminal holds it: a wide character's second cell is "", a
// combining mark joins the cell before it.
std::vector<std::string> cells_of(std::string_view text) {
  std::vector<std::string> cells;
  char32_t c = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = next_char(text, i, c);
    const int w = char_width(c);
    if (w == 0 && !cells.empty()) {
      cells.back() += text.substr(i, n);
    } else {
      cells.emplace_back(text.substr(i, n));
      if (w == 2) cells.emplace_back();
    }
    i += n;
  }
  return cells;
}

constexpr std::size_t row_cells = 16;

std::vector<std::string> row_of(std::string_view text) {
  auto cells = cells_of(text);
  cells.resize(row_cells, " ");
  return cells;
}

// What the row shows after the edit: the old row, the edited bytes written at the column,
// blanks after them.
std::vector<std::string> apply(std::string_view old_text, std::string_view new_text, const row_edit& e) {
  auto row = row_of(old_text);
  std::size_t x = static_cast<std::size_t>(e.column);
  for (auto& cell : cells_of(new_text.substr(e.begin, e.end - e.begin))) row.at(x++).swap(cell);
  for (int i = 0; i < e.clear; ++i) row.at(x++).assign(1, ' ');
  return row;
}

}  // namespace

TEST_CASE("a row edit gives what rewriting the row whole gives", "[model][diff]") {
  const std::vector<std::string> pieces = {"a",
                                           "b",
                                           "\xe4\xb8\xad" /* 中, wide */,
                                           "e\xcc\x81" /* e + combining acute */,
                                           "\xc3\xbc" /* ü */,
                                           "\xf0\x9f\x98\x80" /* emoji, wide */};
  // Every text of up to three pieces: 259 texts, every pair of them.
  std::vector<std::string> texts = {""};
  for (std::size_t from = 0, to = 1, len = 1; len <= 3; ++len, from = to, to = texts.size()) {
    for (std::size_t i = from; i < to; ++i) {
      for (const auto& p : pieces) {
        std::string t = texts[i];  // (not texts[i] + p: GCC 12 warns falsely on it, -Wrestrict)
        t.append(p);
        texts.push_back(std::move(t));
      }
    }
  }
  std::size_t checked = 0;
  for (const auto& o : texts) {
    for (const auto& n : texts) {
      const row_edit e = diff_row(o, n);
      INFO("old '" << o << "' new '" << n << "'");
      CHECK(e.begin <= e.end);
      CHECK(e.end <= n.size());
      CHECK(e.column == text_width(std::string_view{n}.substr(0, e.begin)));
      CHECK(apply(o, n, e) == row_of(n));
      ++checked;
    }
  }
  CHECK(checked == 259 * 259);
}

TEST_CASE("typing a key rewrites one cell", "[model][diff]") {
  const row_edit e = diff_row("hello", "hellox");
  CHECK(e.begin == 5);
  CHECK(e.end == 6);
  CHECK(e.column == 5);
  CHECK(e.clear == 0);
}

TEST_CASE("backspace clears the cells the last character took", "[model][diff]") {
  const row_edit narrow = diff_row("hello", "hell");
  CHECK(narrow.begin == narrow.end);
  CHECK(narrow.column == 4);
  CHECK(narrow.clear == 1);
  const row_edit wide = diff_row("hi\xe4\xb8\xad", "hi");
  CHECK(wide.column == 2);
  CHECK(wide.clear == 2);
}

TEST_CASE("a count that keeps its width rewrites only its digits", "[model][diff]") {
  const row_edit e = diff_row("slow task in 5 s \xc2\xb7 12 keys \xc2\xb7 q quits",
                              "slow task in 5 s \xc2\xb7 13 keys \xc2\xb7 q quits");
  CHECK(e.end - e.begin == 1);
  CHECK(e.column == 20);
  CHECK(e.clear == 0);
}

TEST_CASE("a count that grows rewrites the rest of the row", "[model][diff]") {
  const row_edit e = diff_row("9 keys \xc2\xb7 q quits", "100 keys \xc2\xb7 q quits");
  CHECK(e.begin == 0);
  CHECK(e.end == std::string{"100 keys \xc2\xb7 q quits"}.size());
  CHECK(e.clear == 0);
}

TEST_CASE("a combining mark is rewritten with the character it sits on", "[model][diff]") {
  const row_edit e = diff_row("ae", "ae\xcc\x81");  // e gains an acute accent
  CHECK(e.begin == 1);
  CHECK(e.column == 1);
}

TEST_CASE("the same text needs no edit", "[model][diff]") {
  CHECK(diff_row("", "").empty());
  CHECK(diff_row("same \xe4\xb8\xad", "same \xe4\xb8\xad").empty());
}
