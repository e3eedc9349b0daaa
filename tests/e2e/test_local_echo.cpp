// End-to-end: the built echochat in a pseudo-terminal, its screen read through libvterm.
// Local echo mode: what you type shows at once, named keys by name, the slow task, the status
// bar, resize, scrollback and NO_COLOR.
#include "e2e/e2e_util.hpp"
#include "echochat/core/utf8.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace echochat::e2e;

namespace {

// Whether the bottom transcript row is the `you` entry being typed, with `text`.
bool typing_shows(const pty_terminal& t, std::string_view text) {
  return row_is(t, bottom_row(t), "you", text);
}

void type_and_see(pty_terminal& t, std::string_view bytes, std::string_view shown) {
  t.write(bytes);
  wait_screen(
      t, [&] { return typing_shows(t, shown); }, "the typed entry '" + std::string{shown} + "'");
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The cells a row of one-cell characters takes: its UTF-8 characters.
int cells(std::string_view s) {
  return static_cast<int>(
      std::count_if(s.begin(), s.end(), [](char c) { return !echochat::is_utf8_continuation(c); }));
}

// Whether the status bar has the scrolled-back marker.
bool scrolled_back(const pty_terminal& t) {
  return status_row(t).find(" · scrolled back") != std::string::npos;
}

// Whether the raw output sets a foreground or background colour (SGR 30-38, 40-48, 90-107);
// 39 and 49, the terminal's own colours, do not count.
bool sets_colour(const std::string& raw) {
  for (std::size_t i = raw.find("\x1b["); i != std::string::npos; i = raw.find("\x1b[", i + 1)) {
    std::size_t j = i + 2;
    while (j < raw.size() && (std::isdigit(static_cast<unsigned char>(raw[j])) != 0 || raw[j] == ';')) ++j;
    if (j >= raw.size() || raw[j] != 'm') continue;
    const std::string params = raw.substr(i + 2, j - i - 2);
    std::size_t start = 0;
    while (start <= params.size()) {
      std::size_t end = params.find(';', start);
      if (end == std::string::npos) end = params.size();
      if (end > start) {
        const int p = std::stoi(params.substr(start, end - start));
        if ((p >= 30 && p <= 38) || (p >= 40 && p <= 48) || (p >= 90 && p <= 107)) return true;
      }
      start = end + 1;
    }
  }
  return false;
}

// The screen with every "HH:MM:SS " time at a row's start blanked out.
std::string screen_without_times(const pty_terminal& t) {
  std::string out;
  for (int r = 0; r < t.rows(); ++r) {
    const std::string row = t.row_text(r);
    const auto rest = after_time(row);
    out += rest ? "--:--:-- " + *rest : row;
    out += '\n';
  }
  return out;
}

}  // namespace

TEST_CASE("typed ASCII shows at once in a you entry at the bottom, and the status bar counts the keys",
          "[e2e][echo]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  CHECK(status_says(t, keys_part(0)));
  t.write("hello");
  wait_screen(
      t, [&] { return typing_shows(t, "hello") && status_says(t, keys_part(5)); }, "'hello' and 5 keys");
  CHECK(t.row_text(t.rows() - 2).starts_with("──────────"));  // the separator above the status bar
}

TEST_CASE("UTF-8 text shows as typed, from 1 to 4 bytes a character", "[e2e][echo]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  t.write("hello wörld € 𝄞");
  wait_screen(
      t, [&] { return typing_shows(t, "hello wörld € 𝄞") && status_says(t, keys_part(15)); },
      "the UTF-8 text and 15 keys");
}

TEST_CASE("wide characters take their two cells: a line of them wraps where the cells run out",
          "[e2e][echo][wide]") {
  const std::string wide = GENERATE(std::string{"日"}, std::string{"😀"});
  pty_terminal t(echochat_argv());
  wait_ready(t);
  // 80 columns less the 15 of time and tag leave 65 cells: 32 wide characters, then the rest.
  t.write(repeat(wide, 40) + "X");
  wait_screen(
      t,
      [&] {
        return row_is(t, bottom_row(t) - 1, "you", repeat(wide, 32)) &&
               t.row_text(bottom_row(t)) == std::string(15, ' ') + repeat(wide, 8) + "X" &&
               status_says(t, keys_part(41));
      },
      "32 wide characters on the first row, 8 and the X on the next");
}

TEST_CASE("text after wide characters and an emoji follows them, and the status bar still fits",
          "[e2e][echo][wide]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "日本語 😀 ok", "日本語 😀 ok");
  wait_screen(
      t, [&] { return status_says(t, keys_part(8)); }, "8 keys in a whole status bar");
  // Nothing of the entry spilled onto the separator or the status bar.
  CHECK(t.row_text(t.rows() - 2).find_first_not_of("─") == std::string::npos);
  CHECK(status_row(t).starts_with("echochat · local echo · "));
}

TEST_CASE("Backspace removes a whole wide character, and typing goes on after what is left",
          "[e2e][echo][wide]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "ab日本", "ab日本");
  type_and_see(t, "\x7f", "ab日");
  type_and_see(t, "c😀", "ab日c😀");
  type_and_see(t, "\x7f", "ab日c");
  type_and_see(t, "d", "ab日cd");
}

TEST_CASE("Backspace removes a named key whole", "[e2e][echo]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "x\x1b[A", "x<Up>");
  type_and_see(t, "\x7f", "x");
}

TEST_CASE("Enter finishes the entry and the next keys start a new one below it", "[e2e][echo]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  t.write("first\rsecond");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t) - 1, "you", "first") && typing_shows(t, "second"); },
      "'first' above 'second'");
}

TEST_CASE("Up shows as <Up> from both the normal and the application cursor sequence", "[e2e][echo][keys]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "\x1b[A", "<Up>");
  type_and_see(t, "\x1bOA", "<Up><Up>");
  type_and_see(t, "a", "<Up><Up>a");
}

TEST_CASE("F5 and Ctrl-A show by name in angle brackets", "[e2e][echo][keys]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "\x1b[15~", "<F5>");
  type_and_see(t, "\x01", "<F5><C-a>");
  wait_screen(
      t, [&] { return status_says(t, keys_part(2)); }, "2 keys");
}

TEST_CASE("a lone Esc shows as <Esc> once nothing follows it", "[e2e][echo][keys]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "\x1b", "<Esc>");
  type_and_see(t, "a", "<Esc>a");
  wait_screen(
      t, [&] { return status_says(t, keys_part(2)); }, "2 keys");
}

TEST_CASE(
    "the slow message arrives as a slow entry above a half-typed line, which goes on when typing resumes",
    "[e2e][echo][slow]") {
  pty_terminal t(echochat_argv({"--delay", "0.2"}));
  wait_ready(t);
  type_and_see(t, "half", "half");
  // Whenever the slow task reports, the line being typed stays at the bottom.
  wait_screen(
      t,
      [&] {
        return row_is(t, bottom_row(t) - 1, "slow", "something slow is done") && typing_shows(t, "half") &&
               status_says(t, " · slow task done · ");
      },
      "the slow entry above 'half' and 'slow task done'");
  type_and_see(t, "way", "halfway");
  CHECK(row_is(t, bottom_row(t) - 1, "slow", "something slow is done"));
  t.write("\r");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "halfway") && status_says(t, keys_part(8)); },
      "'halfway' finished as the newest entry");
  CHECK(row_is(t, bottom_row(t) - 1, "slow", "something slow is done"));
}

TEST_CASE("the status bar counts down to the slow task", "[e2e][echo][slow]") {
  // No value is expected at a given moment (a loaded machine may be late to look): only what
  // the countdown may show, and that it goes down.
  auto shown = [](const pty_terminal& t, std::string_view unit) -> int {
    const std::string bar = status_row(t);
    const std::string before = " · slow task in ";
    const auto at = bar.find(before);
    if (!status_complete(t) || at == std::string::npos) return -1;
    std::size_t end = 0;
    const int n = std::stoi(bar.substr(at + before.size()), &end);
    return bar.substr(at + before.size() + end).starts_with(std::string{" "} + std::string{unit} + " · ")
               ? n
               : -1;
  };
  SECTION("in seconds") {
    pty_terminal t(echochat_argv({"--delay", "30"}));
    wait_ready(t);
    int first = -1;
    wait_screen(
        t, [&] { return (first = shown(t, "s")) > 0; }, "'slow task in N s'");
    CHECK(first <= 30);
    wait_screen(
        t,
        [&] {
          const int now = shown(t, "s");
          return now > 0 && now < first;
        },
        "the count going down");
  }
  SECTION("in minutes while two or more are left") {
    pty_terminal t(echochat_argv({"--delay", "100000"}));
    wait_ready(t);
    int minutes = -1;
    wait_screen(
        t, [&] { return (minutes = shown(t, "min")) > 0; }, "'slow task in N min'");
    // 100000 s is 1666.7 minutes: shown rounded up, and a minute less only after 40 s.
    CHECK((minutes == 1667 || minutes == 1666));
  }
}

TEST_CASE("a resize redraws at the new size and keeps the transcript", "[e2e][echo][resize]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  t.write("keep me\rstill typing");
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t) - 1, "you", "keep me") && typing_shows(t, "still typing"); },
      "two entries");

  t.resize(10, 50);
  wait_screen(
      t,
      [&] {
        return status_row(t).starts_with("echochat · local echo · ") && row_is(t, 6, "you", "keep me") &&
               row_is(t, 7, "you", "still typing");
      },
      "the transcript and the status bar at 10x50");
  CHECK(t.row_text(8) == repeat("─", 50));

  t.resize(30, 100);
  wait_screen(
      t,
      [&] {
        return status_says(t, keys_part(20)) && row_is(t, 26, "you", "keep me") &&
               row_is(t, 27, "you", "still typing");
      },
      "the transcript and the whole status bar at 30x100");
  const std::string screen = t.screen_text();
  CHECK(std::count(screen.begin(), screen.end(), '\xc2') == 4);  // one status bar: its four "·"
  type_and_see(t, "!", "still typing!");
}

TEST_CASE("a 1x1 terminal does not crash it, and it answers again once the window grows",
          "[e2e][echo][resize]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  type_and_see(t, "before", "before");
  t.resize(1, 1);
  // What fits in one cell is the start of the status bar: wait until it has been drawn.
  wait_screen(
      t, [&] { return t.row_text(0) == "q"; }, "the 1x1 frame (the status bar keeps how to quit)");
  t.write("x");
  t.resize(24, 80);
  wait_screen(
      t, [&] { return typing_shows(t, "beforex") && status_says(t, keys_part(7)); },
      "the typed entry and the status bar back at 24x80");
  type_and_see(t, "y", "beforexy");
  CHECK_FALSE(t.has_exited());
}

TEST_CASE("started on a 1x1 terminal it runs, and shows everything once the window grows",
          "[e2e][echo][resize]") {
  pty_terminal t(echochat_argv(), 1, 1);
  wait_screen(
      t, [&] { return t.alt_screen() && t.row_text(0) == "q"; },
      "the 1x1 frame (the status bar keeps how to quit)");
  t.write("ab");
  t.resize(24, 80);
  wait_screen(
      t, [&] { return typing_shows(t, "ab") && status_says(t, keys_part(2)); },
      "the typed entry and the status bar at 24x80");
  t.write("q");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  check_restored(t);
}

TEST_CASE("PgUp scrolls back to older entries and says so, and typing jumps back to the live end",
          "[e2e][echo][scroll]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  std::string lines;
  for (int i = 1; i <= 60; ++i) lines += "line" + std::string(i < 10 ? "0" : "") + std::to_string(i) + "\r";
  t.write(lines);
  wait_screen(
      t, [&] { return row_is(t, bottom_row(t), "you", "line60"); }, "the 60th entry at the bottom");
  CHECK(find_entry(t, "you", "line30") == -1);
  CHECK_FALSE(scrolled_back(t));

  t.write("\x1b[5~");  // PgUp
  wait_screen(
      t,
      [&] {
        return scrolled_back(t) && find_entry(t, "you", "line60") == -1 &&
               find_entry(t, "you", "line30") >= 0;
      },
      "the scrolled-back marker, older entries in view and the newest out of it");

  t.write("\x1b[5~\x1b[5~");  // as far as it goes: the first entry shows at the top
  wait_screen(
      t, [&] { return row_is(t, 0, "you", "line01") && scrolled_back(t); }, "the first entry at the top");

  t.write("z");
  wait_screen(
      t,
      [&] {
        return typing_shows(t, "z") && row_is(t, bottom_row(t) - 1, "you", "line60") && status_complete(t) &&
               !scrolled_back(t);
      },
      "back at the live end with 'z' at the bottom");
}

TEST_CASE("with NO_COLOR the screen shows the same text, without colours", "[e2e][echo][color]") {
  auto run = [](pty_terminal::environment env) {
    auto t = std::make_unique<pty_terminal>(echochat_argv({"--delay", "0"}), 24, 80, std::move(env));
    wait_ready(*t);
    // The slow entry first, so that both screens have their entries in the same order.
    wait_screen(
        *t, [&] { return status_says(*t, " · slow task done · "); }, "'slow task done'");
    t->write("hello wörld\r日本 <");
    t->write("\x1b[A");
    wait_screen(
        *t,
        [&] {
          return typing_shows(*t, "日本 <<Up>") && row_is(*t, bottom_row(*t) - 1, "you", "hello wörld") &&
                 find_entry(*t, "slow", "something slow is done") >= 0 &&
                 status_says(*t, " · slow task done · " + std::to_string(17) + " keys · ");
        },
        "the typed entries, the slow entry and 17 keys");
    return t;
  };
  const auto colour = run({});
  const auto plain = run({{"NO_COLOR", "1"}});
  CHECK(screen_without_times(*plain) == screen_without_times(*colour));
  CHECK(sets_colour(colour->raw_output()));
  CHECK_FALSE(sets_colour(plain->raw_output()));
}

TEST_CASE("while scrolled back the status bar still says how to quit on an 80-column terminal",
          "[e2e][echo][scroll]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  t.write(repeat("a\r", 30));
  wait_screen(
      t, [&] { return status_says(t, keys_part(60)); }, "60 keys");
  t.write("\x1b[5~");  // PgUp
  // Wait until the status bar is drawn to its end: "q quits" or the last column.
  wait_screen(
      t,
      [&] {
        const std::string s = status_row(t);
        return s.find(" · scrolled back (PgDn)") != std::string::npos &&
               (s.ends_with(" · q quits") || cells(s) >= t.cols());
      },
      "the status bar with the scrolled-back marker, drawn to its end");
  INFO("the status bar: " << status_row(t));
  CHECK(status_complete(t));
}

TEST_CASE("what typing redraws cell by cell is what a full redraw shows", "[e2e][echo][draw]") {
  pty_terminal t(echochat_argv());
  wait_ready(t);
  // Each step rewrites only the cells that changed: a key at the end, a combining mark joining
  // the character before it, wide characters and their removal, and a key count whose width
  // grows (9 to 10 keys) in the middle of the status bar.
  type_and_see(t, "ab", "ab");
  type_and_see(t, "e", "abe");
  type_and_see(t, "\xcc\x81", "abe\xcc\x81");
  type_and_see(t, "日", "abe\xcc\x81日");
  type_and_see(t, "\x7f", "abe\xcc\x81");
  type_and_see(t, "😀x", "abe\xcc\x81😀x");
  type_and_see(t, "\x7f\x7f", "abe\xcc\x81");
  type_and_see(t, "yz", "abe\xcc\x81yz");
  wait_screen(
      t, [&] { return status_says(t, keys_part(12)); }, "12 keys");
  const std::string incremental = t.screen_text();

  // A resize makes it draw everything anew; a narrower screen in between makes sure the screen
  // compared is the one drawn after coming back.
  t.resize(24, 40);
  wait_screen(
      t, [&] { return t.row_text(22) == repeat("─", 40); }, "the 40-column frame");
  t.resize(24, 80);
  const bool same = t.wait_for([&] { return t.screen_text() == incremental; }, deadline);
  INFO("drawn cell by cell:\n" << incremental << "\ndrawn anew:\n" << t.screen_text());
  CHECK(same);
}

TEST_CASE("a TERM with no terminfo entry draws as xterm-256color and says so", "[e2e][echo][term]") {
  // Modern terminals whose entries come with ncurses-term, and one nobody knows. TERMINFO names
  // the only directory ncurses looks in: one with xterm-256color alone, so that none of these
  // has an entry, whatever is installed here.
  const std::string term =
      GENERATE(as<std::string>{}, "xterm-kitty", "alacritty", "foot", "st-256color", "nosuchterm");
  CAPTURE(term);
  echochat::testing::temp_dir dir("echochat-terminfo");
  std::filesystem::create_directories(dir.path / "x");
  bool copied = false;
  for (const char* from : {"/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"}) {
    const auto entry_file = std::filesystem::path(from) / "x" / "xterm-256color";
    if (!copied && std::filesystem::exists(entry_file)) {
      std::filesystem::copy_file(entry_file, dir.path / "x" / "xterm-256color");
      copied = true;
    }
  }
  REQUIRE(copied);
  pty_terminal t(echochat_argv({"--delay", "100000"}), 24, 120,
                 {{"TERM", term}, {"TERMINFO", dir.path.string()}});
  wait_ready(t);
  wait_screen(
      t,
      [&] {
        return find_entry(t, "sys",
                          "TERM=" + term +
                              " has no terminfo entry: drawing as xterm-256color "
                              "(--plain draws nothing)") >= 0;
      },
      "the sys entry saying so");
  t.write("hello");
  wait_screen(
      t, [&] { return typing_shows(t, "hello"); }, "'hello' typed");
  quit_and_check(t);
  INFO("the main screen after exit:\n" << t.screen_text());
  CHECK_FALSE(screen_has(t, term));  // no complaint from the terminal library
}

TEST_CASE("under LC_ALL=C characters are handled as in C.UTF-8, and a sys entry says so",
          "[e2e][echo][locale]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}), 24, 120, {{"LC_ALL", "C"}, {"LANG", "C"}});
  wait_ready(t);  // the status bar's dots, not "  s"
  wait_screen(
      t,
      [&] {
        return find_entry(t, "sys",
                          "the locale's character set is ANSI_X3.4-1968, not UTF-8: "
                          "characters are handled as in C.UTF-8") >= 0;
      },
      "the sys entry saying so");
  CHECK(t.row_text(t.rows() - 2) == repeat("─", t.cols()));  // not qqqq
  t.write("日本");
  wait_screen(
      t, [&] { return typing_shows(t, "日本"); }, "'日本' typed, not ~W");
  quit_and_check(t);
}
