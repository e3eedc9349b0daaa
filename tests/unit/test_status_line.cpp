// The status bar's parts when the terminal is too narrow for all of them: the least important go
// first, and a long reason is cut short before it goes.
#include "echochat/core/status_line.hpp"

#include "echochat/core/text_width.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace echochat;

TEST_CASE("parts that fit are joined whole", "[status_line]") {
  CHECK(join_status({{"echochat", 6}, {"online", 9}, {"Ctrl-D quits", 10}}, 80) ==
        "echochat · online · Ctrl-D quits");
}

TEST_CASE("too narrow: the least important part goes first", "[status_line]") {
  CHECK(join_status({{"echochat", 6}, {"3 keys", 2}, {"Ctrl-D quits", 10}}, 24) == "echochat · Ctrl-D quits");
  CHECK(join_status({{"echochat", 6}, {"Ctrl-D quits", 10}}, 5) == "Ctrl-D quits");  // the last is kept
}

TEST_CASE("an offline reason too long for the bar is shortened, not dropped", "[status_line]") {
  // Before, at 100 columns the reason of a host name mismatch vanished whole.
  const std::string reason = "host name mismatch: cert is for other.example, not chat.example.org";
  const std::vector<status_part> parts{
      {"echochat", 6},     {"tls://chat.example.org:6697", 3}, {"offline, retry in 8 s", 9},
      {reason, 4, 24},     {"slow task in 60 min", 4},         {"0 keys", 2},
      {"Ctrl-D quits", 10}};
  const std::string bar = join_status(parts, 100);
  CHECK(text_width(bar) <= 100);
  CHECK_THAT(bar, Catch::Contains(" · host name mismatch: cert is… · "));
  CHECK(text_width(bar) == 100);  // cut to exactly what fits
  CHECK_THAT(bar, Catch::EndsWith("Ctrl-D quits"));
  // Wide enough: whole.
  CHECK_THAT(join_status(parts, 200), Catch::Contains(reason));
  // Exactly as wide as it can be: the bar fills the columns.
  CHECK(text_width(join_status(parts, 130)) == 130);
}

TEST_CASE("a reason is never cut below its shortest, and goes when even that does not fit", "[status_line]") {
  const std::string reason = "timed out after 10 s during the WebSocket upgrade";
  const std::vector<status_part> parts{{"echochat", 6}, {reason, 4, 24}, {"Ctrl-D quits", 10}};
  const std::string tight = join_status(parts, 8 + 3 + 24 + 3 + 12);
  CHECK(tight == "echochat · timed out after 10 s du… · Ctrl-D quits");
  CHECK(join_status(parts, 8 + 3 + 23 + 3 + 12) == "echochat · Ctrl-D quits");
}

TEST_CASE("a wide character is never cut in half", "[status_line]") {
  const std::vector<status_part> parts{{"日本語のサーバーが接続を閉じました理由は不明です", 4, 6},
                                       {"Ctrl-D quits", 10}};
  for (int cols = 21; cols <= 70; ++cols) {
    const std::string bar = join_status(parts, cols);
    CHECK(text_width(bar) <= std::max(cols, 12));
  }
  CHECK(join_status(parts, 24) == "日本語の… · Ctrl-D quits");  // サ would take a 10th cell
}
