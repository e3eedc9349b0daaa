// End-to-end: chat mode. The built echochat in a pseudo-terminal, talking to the in-process test
// server (on a thread of this process) or to a real `ncat --chat` started as a child process.
#include "e2e/peer_util.hpp"
#include "support/loopback_listener.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace echochat::e2e;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;
using echochat::testing::test_server;
using namespace std::chrono_literals;

namespace {

// Wide enough that the whole status bar fits, the target and the waiting count included; tall
// enough that the entries of a test stay in view while reconnect attempts add theirs.
constexpr int rows = 40;
constexpr int cols = 140;

// Pumps every terminal's output until pred() holds; pred() is checked at least every few
// milliseconds, so it may look at things other than the screens (the server).
bool pump_until(std::initializer_list<pty_terminal*> terms, const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = deadline) {
  const auto stop = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (pty_terminal* t : terms) {
      if (t->wait_for(pred, 5ms)) return true;
    }
    if (std::chrono::steady_clock::now() >= stop) return pred();
  }
}

void wait_all(std::initializer_list<pty_terminal*> terms, const std::function<bool()>& pred,
              std::string_view what, std::chrono::milliseconds timeout = deadline) {
  if (pump_until(terms, pred, timeout)) return;
  std::ostringstream screens;
  for (pty_terminal* t : terms) screens << "--- a screen:\n" << t->screen_text() << "\n";
  FAIL("waited in vain for " << what << "\n" << screens.str());
}

void wait_online(pty_terminal& t) {
  wait_screen(
      t, [&] { return t.alt_screen() && chat_status_says(t, " · online · "); }, "online on the status bar");
}

void wait_offline(pty_terminal& t) {
  wait_screen(
      t, [&] { return chat_status_says(t, " · offline, retry in "); }, "offline on the status bar");
}

// A transcript row whose entry (after the time) starts with `tag` and contains `text`.
int count_rows(const pty_terminal& t, std::string_view tag, std::string_view text) {
  int n = 0;
  for (int r = 0; r < t.rows() - 3; ++r) {
    const auto rest = after_time(t.row_text(r));
    if (rest && rest->starts_with(entry(tag, "")) && rest->find(text) != std::string::npos) ++n;
  }
  return n;
}

// The program's peak resident memory, in KiB.
long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

// Checks that echochat ended before touching the terminal, having said one line that names
// every one of `words`.
void check_one_line_untouched(pty_terminal& t, const std::vector<std::string>& words) {
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() != 0);
  CHECK_FALSE(t.exited_by_signal());
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  const std::string& raw = t.raw_output();
  CHECK(raw.find('\x1b') == std::string::npos);
  CHECK(raw.ends_with("\r\n"));
  CHECK(std::count(raw.begin(), raw.end(), '\n') == 1);
  const std::string line = t.row_text(0);
  CHECK(t.row_text(1).empty());
  for (const std::string& word : words) {
    CAPTURE(line, word);
    CHECK(line.find(word) != std::string::npos);
  }
}

// --- ncat -----------------------------------------------------------------------------------

// ncat as PATH finds it, or nothing.
std::optional<std::string> find_ncat() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    std::string dir{dirs.substr(0, colon)};
    dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
    const std::string candidate = (dir.empty() ? "." : dir) + "/ncat";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// ncat for a test that needs it. CI installs it: missing there is a failure. Elsewhere the test
// returns at once, shown as Skipped in ctest's summary (have_peer's marker).
std::optional<std::string> ncat_for_test() {
  std::optional<std::string> found = find_ncat();
  if (!have_peer(found.has_value(), "ncat (on PATH)")) return std::nullopt;
  return found;
}

// `ncat -l --chat 127.0.0.1 PORT` as a child process, its standard streams on /dev/null. With
// `chat` false it is a plain `ncat -l --keep-open` that writes what it receives to the file `out`.
class ncat_chat {
 public:
  ncat_chat(const std::string& path, std::uint16_t port, bool chat = true, std::string out = "/dev/null")
      // --keep-open: the readiness probe is a connection of its own.
      : process_(
            {path, "-l", chat ? "--chat" : "--keep-open", "127.0.0.1", std::to_string(port)},
            [port] { return accepts(port); }, std::move(out)) {}
  void start() { process_.start(); }
  void kill() { process_.stop(); }

 private:
  peer_process process_;
};

// The state letter of /proc/PID/stat: 'T' when stopped.
char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

}  // namespace

TEST_CASE("in chat mode the status bar says online and typing shows in the > input line, not the transcript",
          "[chat][e2e]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  CHECK(chat_status_says(t, "echochat · " + server.address() + " · online · "));
  wait_screen(
      t, [&] { return count_rows(t, "sys", "connected to " + server.address()) == 1; },
      "the connected entry");
  t.write("hello wörld 日本");
  wait_screen(
      t, [&] { return input_row(t) == "> hello wörld 日本"; }, "the typed text in the input line");
  // The cursor stands after the text: 2 cells of prompt, 12 one-cell and 2 two-cell characters.
  CHECK(t.cursor() == echochat::testing::screen_position{rows - 1, 2 + 12 + 4});
  CHECK(count_rows(t, "you", "hello") == 0);
  t.write("\x1b[D\x1b[D\x7f");  // Left, Left, Backspace
  wait_screen(
      t, [&] { return input_row(t) == "> hello wörld日本"; }, "the edited input line");
  CHECK(server.lines().empty());
}

TEST_CASE("what editing redraws of the input line cell by cell is what a full redraw shows",
          "[chat][e2e][draw]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  // Edits in the middle keep the end of the line in place; a line longer than the screen scrolls
  // sideways to keep the cursor in view.
  t.write("hello wörld 日本");
  wait_screen(
      t, [&] { return input_row(t) == "> hello wörld 日本"; }, "the typed text");
  t.write("\x1b[D\x1b[D\x7fX");  // Left, Left, Backspace, X
  wait_screen(
      t, [&] { return input_row(t) == "> hello wörldX日本"; }, "the edited input line");
  t.write("\x1b[H\x1b[3~");  // Home, Delete
  wait_screen(
      t, [&] { return input_row(t) == "> ello wörldX日本"; }, "the first character deleted");
  t.write("\x1b[F" + std::string(150, 'z'));  // End, and more than the screen is wide
  wait_screen(
      t, [&] { return input_row(t).ends_with("zzz") && input_row(t).find("ello") == std::string::npos; },
      "the line scrolled sideways");
  const std::string incremental = t.screen_text();
  const auto cursor = t.cursor();

  t.resize(rows, 60);
  wait_screen(
      t, [&] { return chat_status(t).size() < 200 && t.row_text(rows - 3).size() == 3 * 60; },
      "the 60-column frame");
  t.resize(rows, cols);
  const bool same = t.wait_for([&] { return t.screen_text() == incremental; }, deadline);
  INFO("drawn cell by cell:\n" << incremental << "\ndrawn anew:\n" << t.screen_text());
  CHECK(same);
  CHECK(t.cursor() == cursor);
}

TEST_CASE(
    "in chat mode Enter shows a you entry, empties the input line, and the server receives the line once",
    "[chat][e2e]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  t.write("hello server\r");
  wait_all(
      {&t}, [&] { return server.count("hello server") == 1; }, "the line at the server");
  wait_screen(
      t, [&] { return count_rows(t, "you", "hello server") == 1 && input_row(t) == ">"; },
      "the you entry and an empty input line");
  CHECK(server.lines() == std::vector<std::string>{"hello server"});
}

TEST_CASE("in chat mode a line from the server shows as a net entry", "[chat][e2e]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");
  t.write("draft");
  wait_screen(
      t, [&] { return input_row(t) == "> draft"; }, "the draft in the input line");
  server.send_line("<bob> hi there, café 日本 🎉");
  wait_screen(
      t, [&] { return find_entry(t, "net", "<bob> hi there, café 日本 🎉") >= 0; }, "the net entry");
  CHECK(input_row(t) == "> draft");  // the input line is left alone
}

TEST_CASE("escape sequences from the server are shown as visible escapes and never reach the terminal",
          "[chat][e2e][sanitize]") {
  test_server server;
  // The log holds the entries as they were before ncurses: ncurses would draw a raw ESC as "^["
  // by itself, so the screen alone cannot tell the sanitizer's escapes from its own.
  temp_dir dir("echochat-escapes");
  const auto log = dir.path / "chat.log";
  pty_terminal t(chat_argv(server.address(), {"--log", log.string()}), rows, cols);
  wait_online(t);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");
  wait_screen(
      t, [&] { return count_rows(t, "sys", "connected to") == 1; }, "the connected entry");
  const std::size_t raw_before = t.raw_output().size();
  const int bells_before = t.bell_count();
  server.send_raw(
      "\x1b[2J\x1b]0;pwned\x07hello \xc2\x9b"
      "6n \xe2\x80\xae"
      "bidi\n");
  wait_screen(
      t, [&] { return find_entry(t, "net", "^[[2J^[]0;pwned^Ghello \\x9b6n <U+202E>bidi") >= 0; },
      "the escaped net entry");
  const std::string after = t.raw_output().substr(raw_before);
  CHECK(after.find('\x07') == std::string::npos);
  CHECK(t.bell_count() == bells_before);
  CHECK(t.raw_output().find("\x1b]") == std::string::npos);  // no OSC ever: the title is untouched
  CHECK(after.find("\xc2\x9b") == std::string::npos);
  CHECK(after.find("\xe2\x80\xae") == std::string::npos);
  CHECK(count_rows(t, "sys", "connected to") == 1);  // nothing cleared the screen
  // What was drawn, byte for byte: the escapes are the sanitizer's, and no control is left.
  std::ifstream in(log, std::ios::binary);
  const std::string logged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO("the log:\n" << logged);
  CHECK(logged.find(" net ^[[2J^[]0;pwned^Ghello \\x9b6n <U+202E>bidi\n") != std::string::npos);
  CHECK(logged.find('\x1b') == std::string::npos);
  CHECK(logged.find('\x07') == std::string::npos);
}

TEST_CASE(
    "in chat mode bracketed paste is on while it runs, and Ctrl-D on an empty line quits and restores the "
    "terminal",
    "[chat][e2e][exit]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  CHECK(t.bracketed_paste());
  t.write("\x04");  // Ctrl-D
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK_FALSE(t.bracketed_paste());
  check_restored(t);
  CHECK_FALSE(screen_has(t, "Ctrl-D quits"));
}

TEST_CASE(
    "a bracketed paste of two lines fills the input line, the status bar counts them, and Enter sends both",
    "[chat][e2e][paste]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  t.write("\x1b[200~one\rtwo\x1b[201~");
  wait_screen(
      t, [&] { return input_row(t) == "> one" && chat_status_says(t, " · Enter sends 2 pasted lines · "); },
      "the first pasted line in the input line and the count on the status bar");
  t.write("\r");
  wait_all(
      {&t}, [&] { return server.lines().size() == 2; }, "both lines at the server");
  CHECK(server.lines() == std::vector<std::string>{"one", "two"});
  wait_screen(
      t, [&] { return count_rows(t, "you", "one") == 1 && count_rows(t, "you", "two") == 1; },
      "both you entries");
  CHECK_FALSE(chat_status_says(t, "pasted"));
}

TEST_CASE("a line typed while the server is down is sent once it is back, exactly once",
          "[chat][e2e][reconnect]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");
  server.stop();
  wait_offline(t);
  wait_screen(
      t, [&] { return count_rows(t, "sys", "lost: closed by the server") == 1; }, "the lost entry");
  t.write("typed while down\r");
  wait_screen(
      t,
      [&] { return chat_status_says(t, " · 1 waiting · ") && count_rows(t, "you", "typed while down") == 1; },
      "the line shown and waiting");
  server.start_listening();
  wait_all(
      {&t}, [&] { return server.count("typed while down") == 1; }, "the line at the server", 20s);
  wait_screen(
      t, [&] { return chat_status_says(t, " · online · ") && !chat_status_says(t, "waiting"); },
      "online with nothing waiting");
  t.write("marker\r");  // behind it on the same connection: a duplicate would have come first
  wait_all(
      {&t}, [&] { return server.count("marker") == 1; }, "the marker at the server");
  CHECK(server.lines() == std::vector<std::string>{"typed while down", "marker"});
}

TEST_CASE("an 8 MiB line without a newline from the server keeps echochat's memory bounded",
          "[chat][e2e][flood]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");
  const long before = peak_rss_kib(t.pid());
  REQUIRE(before > 0);
  server.send_raw(std::string(8 * 1024 * 1024, 'x'));
  server.send_raw("\nafter the flood\n");
  wait_all(
      {&t}, [&] { return find_entry(t, "net", "after the flood") >= 0; }, "the line after the flood", 60s);
  const long after = peak_rss_kib(t.pid());
  INFO("peak resident memory before " << before << " KiB, after " << after << " KiB");
  // 40 MiB: the 8 MiB line kept a few times over while it is cut, not the flood kept whole.
  // The sanitizers' overhead is known, and the bound grows by it: ASan's shadow (an eighth),
  // redzones around each block (taken as doubling) and its quarantine of freed blocks (256 MiB
  // at most); ThreadSanitizer's shadow, 5 to 10 times the memory used.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long bound_kib = 2 * 40 * 1024 + 256 * 1024;
#elif defined(__SANITIZE_THREAD__)
  constexpr long bound_kib = 10 * 40 * 1024;
#else
  constexpr long bound_kib = 40 * 1024;
#endif
  CHECK(after - before < bound_kib);
  t.write("\x04");  // Ctrl-D
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE(
    "with --log every entry goes to the file with an ISO 8601 time and its source, readable while it runs",
    "[chat][e2e][log]") {
  test_server server;
  temp_dir dir;
  const auto log = dir.path / "chat.log";
  {
    std::ofstream existing(log);
    existing << "an older line\n";
  }
  pty_terminal t(chat_argv(server.address(), {"--log", log.string()}), rows, cols);
  wait_online(t);
  t.write("logged line\r");
  wait_all(
      {&t}, [&] { return server.count("logged line") == 1; }, "the line at the server");
  server.send_line("from the \x1b[1mserver");
  wait_screen(
      t, [&] { return find_entry(t, "net", "from the ^[[1mserver") >= 0; }, "the net entry");
  // On the screen means in the file: each entry is written before the frame that shows it.
  const auto lines = read_lines(log);
  INFO("the log:\n" << Catch::Detail::stringify(lines));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "an older line");
  const std::regex stamped(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d (\w+) (.*))");
  const std::vector<std::pair<std::string, std::string>> expected{
      {"sys", "connected to " + server.address()}, {"you", "logged line"}, {"net", "from the ^[[1mserver"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    std::smatch m;
    CAPTURE(lines[i + 1]);
    REQUIRE(std::regex_match(lines[i + 1], m, stamped));
    CHECK(m[1] == expected[i].first);
    CHECK(m[2] == expected[i].second);
  }
  t.write("\x04");  // Ctrl-D
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(read_lines(log).size() == 4);
}

TEST_CASE("an unwritable --log path gets one line and a non-zero exit, and the terminal is never touched",
          "[chat][e2e][log][flags]") {
  pty_terminal t(echochat_argv({"--connect", "127.0.0.1:9", "--log", "/nonexistent/dir/x.log"}), 24, 200);
  check_one_line_untouched(t, {"--log", "/nonexistent/dir/x.log"});
}

TEST_CASE("a bad --connect value gets one line and a non-zero exit, and the terminal is never touched",
          "[chat][e2e][flags]") {
  const std::string value = GENERATE(as<std::string>{}, "nohostport", "host:0", "host:70000", ":9000",
                                     "host:", "[::1]", "host:port");
  CAPTURE(value);
  pty_terminal t(echochat_argv({"--connect", value}), 24, 200);
  check_one_line_untouched(t, {"--connect", value});
  CHECK(t.exit_status() == 2);
}

TEST_CASE(
    "with --plain, typed lines go to the server, its lines come out escaped, and after the end of input it "
    "ends once the server closes",
    "[chat][e2e][plain]") {
  test_server server;
  pty_terminal t(echochat_argv({"--plain", "--connect", server.address(), "--delay", "0"}), rows, cols);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");
  t.write("hi there\r");
  wait_all(
      {&t}, [&] { return server.count("hi there") == 1; }, "the line at the server");
  server.send_line("\x1b[31mred");
  wait_screen(
      t, [&] { return screen_has(t, "\nnet ^[[31mred\n"); }, "the escaped net line");
  t.write("\x04");  // Ctrl-D on an empty line: the end of input
  wait_all(
      {&t}, [&] { return server.ended() == 1; }, "echochat to close its sending side");
  CHECK_FALSE(t.has_exited());
  server.send_line("bye");
  server.close_clients();
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  INFO(t.screen_text());
  CHECK(screen_has(t, "\nyou hi there\n"));
  CHECK(screen_has(t, "\nnet bye\n"));
  CHECK(t.raw_output().find('\x1b') == std::string::npos);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK(server.accepted() == 1);
}

TEST_CASE(
    "two echochats talk through ncat --chat, and a line typed while ncat is down arrives once after it is "
    "back",
    "[chat][e2e][ncat]") {
  const std::optional<std::string> ncat_path = ncat_for_test();
  if (!ncat_path) return;
  const std::uint16_t port = free_port();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  ncat_chat ncat(*ncat_path, port);
  pty_terminal a(chat_argv(address), rows, cols);
  pty_terminal b(chat_argv(address), rows, cols);
  wait_online(a);
  wait_online(b);

  a.write("hello from A\r");
  wait_all(
      {&a, &b}, [&] { return count_rows(b, "net", "> hello from A") == 1; }, "A's line at B");
  b.write("hello from B\r");
  wait_all(
      {&a, &b}, [&] { return count_rows(a, "net", "> hello from B") == 1; }, "B's line at A");

  // ncat goes away; both notice, and A types while it is down.
  ncat.kill();
  wait_offline(a);
  wait_offline(b);
  a.write("while ncat was down\r");
  a.write("and a second line\r");
  wait_screen(
      a, [&] { return chat_status_says(a, " · 2 waiting · "); }, "A's lines waiting");
  // ncat forgets everything, and broadcasts a line only to the clients connected then: hold A
  // still until B is back, so that A's line has someone to reach.
  a.send_signal(SIGSTOP);
  wait_all(
      {&b}, [&] { return process_state(a.pid()) == 'T'; }, "A to stop");
  ncat.start();
  wait_online(b);
  a.send_signal(SIGCONT);
  // ncat puts "<userN> " before what one read brought, not before every line: lines that arrive
  // together show it once.
  wait_all(
      {&a, &b}, [&] { return count_rows(b, "net", "and a second line") == 1; }, "A's waiting lines at B",
      20s);
  wait_screen(
      a, [&] { return chat_status_says(a, " · online · ") && !chat_status_says(a, "waiting"); },
      "A online with nothing waiting");
  a.write("marker\r");  // behind it on the same connection: a duplicate would have come first
  wait_all(
      {&a, &b}, [&] { return count_rows(b, "net", "> marker") == 1; }, "the marker at B");
  CHECK(count_rows(b, "net", "> while ncat was down") == 1);
  CHECK(count_rows(b, "net", "and a second line") == 1);
  CHECK(count_rows(b, "net", "> hello from A") == 1);
  INFO(b.screen_text());
  CHECK(b.screen_text().find("> while ncat was down") < b.screen_text().find("and a second line"));

  a.write("\x04");  // Ctrl-D
  b.write("\x04");
  REQUIRE(a.wait_exit(deadline));
  REQUIRE(b.wait_exit(deadline));
  CHECK(a.exit_status() == 0);
  CHECK(b.exit_status() == 0);
  check_restored(a);
  check_restored(b);
}

TEST_CASE("in chat mode q is a letter: \"quick question\" stays in the input line and goes out whole",
          "[chat][e2e][keys]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  t.write("quick question");
  wait_screen(
      t, [&] { return input_row(t) == "> quick question"; }, "the typed line in the input line");
  CHECK_FALSE(t.has_exited());
  t.write("\r");
  wait_all(
      {&t}, [&] { return server.count("quick question") == 1; }, "the line at the server");
  t.write("\x03");  // Ctrl-C quits whatever the input line holds
  t.write("half typed");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  check_restored(t);
}

TEST_CASE("in chat mode /quit quits and is not sent, //x sends /x, another /word stays with a sys entry",
          "[chat][e2e][keys]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  t.write("//x\r");
  wait_all(
      {&t}, [&] { return server.count("/x") == 1; }, "/x at the server");
  t.write("/nick me\r");
  // The input line is drawn after the entry, maybe in a later write: waited for too.
  wait_screen(
      t,
      [&] {
        return count_rows(t, "sys", "not sent: /nick is not a command") == 1 && input_row(t) == "> /nick me";
      },
      "the sys entry, with the line kept for editing");
  t.write("\x15/quit\r");  // Ctrl-U, then /quit
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  check_restored(t);
  CHECK(server.lines() == std::vector<std::string>{"/x"});
}

TEST_CASE("a 20 MiB paste is refused whole with a sys entry, and nothing of it reaches the server",
          "[chat][e2e][paste]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  std::string paste = "\x1b[200~";
  for (int i = 0; paste.size() < 20u * 1024 * 1024; ++i) paste += "pasted line " + std::to_string(i) + "\n";
  paste += "\x1b[201~";
  t.write(paste, 60s);
  wait_screen(
      t, [&] { return count_rows(t, "sys", "paste refused") == 1; }, "the refusal");
  CHECK(input_row(t) == ">");  // an empty input line (the row has no trailing blanks)
  CHECK_FALSE(chat_status_says(t, "pasted"));
  t.write("after\r");
  wait_all(
      {&t}, [&] { return server.count("after") == 1; }, "the next line at the server");
  CHECK(server.lines() == std::vector<std::string>{"after"});
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE("a paste of 1,001 lines into an online session reaches a real ncat in full and in order",
          "[chat][e2e][paste][ncat]") {
  const std::optional<std::string> ncat_path = ncat_for_test();
  if (!ncat_path) return;
  temp_dir dir;
  const std::string received = (dir.path / "received").string();
  const std::uint16_t port = free_port();
  ncat_chat ncat(*ncat_path, port, false, received);
  pty_terminal t(chat_argv("127.0.0.1:" + std::to_string(port)), rows, cols);
  wait_online(t);
  std::string paste = "\x1b[200~";
  for (int i = 0; i < 1001; ++i) paste += "line " + std::to_string(i) + "\n";
  paste += "\x1b[201~";
  t.write(paste);
  wait_screen(
      t, [&] { return chat_status_says(t, " · Enter sends 1001 pasted lines · "); }, "the paste waiting");
  t.write("\r");
  wait_all(
      {&t}, [&] { return read_lines(received).size() == 1001; }, "all 1,001 lines at ncat");
  const auto lines = read_lines(received);
  bool in_order = true;
  for (int i = 0; i < 1001; ++i)
    in_order = in_order && lines[static_cast<std::size_t>(i)] == "line " + std::to_string(i);
  CHECK(in_order);
  CHECK(count_rows(t, "sys", "not sent") == 0);
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE(
    "echo mode shows each echo's round trip, keeps the figures on the status bar, and prints the summary on "
    "quit",
    "[chat][e2e][echo]") {
  test_server server;
  server.answer_with([](const std::string& line) -> std::optional<std::string> { return line; });
  pty_terminal t(chat_argv(server.address(), {"--echo"}), rows, cols);
  wait_online(t);
  t.write("hello\r");
  const std::regex rtt(R"(hello  \(\d+\.\d{3} ms\))");
  wait_screen(
      t, [&] { return count_rows(t, "net", "hello  (") == 1; }, "the echo with its round trip");
  CHECK(std::regex_search(t.screen_text(), rtt));
  CHECK(chat_status_says(t, " · 0 lost · "));
  CHECK(chat_status_says(t, "rtt "));
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  check_restored(t);
  // The summary comes after the terminal is given back, on the main screen.
  CHECK(screen_has(t, "--- " + server.address() + " echo statistics ---"));
  CHECK(screen_has(t, "1 lines sent, 1 echoed, 0 differed, 0% lost"));
}

TEST_CASE("echo mode: lines the server took when it died are lost, and measuring goes on after the reconnect",
          "[chat][e2e][echo][reconnect]") {
  test_server server;
  server.answer_with(
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });  // swallows
  pty_terminal t(chat_argv(server.address(), {"--echo"}), rows, cols);
  wait_online(t);
  t.write("swallowed\r");
  wait_all(
      {&t}, [&] { return server.count("swallowed") == 1; }, "the line at the server");
  wait_screen(
      t, [&] { return find_entry(t, "you", "swallowed") >= 0; }, "the line on screen");
  server.stop();
  // Marked on the line's own entry, whose row is drawn again (the drop's sys entries move it up);
  // no entry of its own.
  wait_screen(
      t, [&] { return find_entry(t, "you", "swallowed  (lost: the connection dropped)") >= 0; },
      "the line marked lost on its row");
  CHECK(count_rows(t, "you", "swallowed") == 1);
  CHECK(count_rows(t, "sys", "no echo for") == 0);
  server.answer_with([](const std::string& line) -> std::optional<std::string> { return line; });
  server.start_listening();
  wait_screen(
      t, [&] { return chat_status_says(t, " · online · "); }, "online again");
  t.write("after\r");
  wait_screen(
      t, [&] { return count_rows(t, "net", "after  (") == 1 && chat_status_says(t, " · 1 lost · "); },
      "the next line measured");
  CHECK(chat_status_says(t, " · 1 lost · "));
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 1);  // a line was lost
  CHECK(screen_has(t, "2 lines sent, 1 echoed, 0 differed, 50% lost"));
}

TEST_CASE("echo mode: a line not echoed in time is marked lost on its own row, and logged apart",
          "[chat][e2e][echo][lost]") {
  test_server server;
  server.answer_with([](const std::string& line) -> std::optional<std::string> {
    if (line == "gone") return std::nullopt;  // swallowed
    return line;
  });
  temp_dir dir("echochat-lost");
  const auto log = dir.path / "echo.log";
  pty_terminal t(chat_argv(server.address(), {"--echo", "--echo-timeout", "0.5", "--log", log.string()}),
                 rows, cols);
  wait_online(t);
  t.write("gone\r");
  // Its row, shown as sent or already marked (the timeout is short).
  auto row_of_gone = [&] {
    for (int r = 0; r < bottom_row(t); ++r) {
      if (after_time(t.row_text(r)).value_or("").starts_with(entry("you", "gone"))) return r;
    }
    return -1;
  };
  wait_screen(
      t, [&] { return row_of_gone() >= 0; }, "the line sent");
  const int row = row_of_gone();
  // The row that shows the line is drawn again with the mark, where its echo's round trip would be.
  // The status bar comes after the rows in the frame, maybe in a later write: waited for too.
  wait_screen(
      t,
      [&] {
        return row_is(t, row, "you", "gone  (lost: no echo in 0.5 s)") && chat_status_says(t, " · 1 lost · ");
      },
      "the line marked lost on its own row, and counted on the status bar");
  CHECK(count_rows(t, "sys", "no echo for") == 0);
  // Measuring goes on, and the marked entry stays as it is (two rows up: the transcript is
  // bottom-aligned and two entries came in).
  t.write("after\r");
  wait_screen(
      t, [&] { return count_rows(t, "net", "after  (") == 1; }, "the next line measured");
  CHECK(row_is(t, row - 2, "you", "gone  (lost: no echo in 0.5 s)"));
  CHECK(count_rows(t, "you", "gone") == 1);
  CHECK(count_rows(t, "you", "after") == 1);
  CHECK(chat_status_says(t, " · 1 lost · "));
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 1);  // a line was lost
  check_restored(t);
  CHECK(screen_has(t, "2 lines sent, 1 echoed, 0 differed, 50% lost"));
  // The log cannot change a line it wrote: the line sent, then its loss, each as it happened.
  std::ifstream in(log, std::ios::binary);
  const std::string logged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO("the log:\n" << logged);
  const auto sent = logged.find(" you gone\n");
  const auto lost = logged.find(" sys no echo for seq=1 (timeout 0.5 s): gone\n");
  CHECK(sent != std::string::npos);
  CHECK(lost != std::string::npos);
  CHECK(sent < lost);
  CHECK(logged.find("(lost:") == std::string::npos);
}

TEST_CASE(
    "echo mode: Ctrl-R shows its prompt on the input row, finds a line sent, and Enter measures it again",
    "[chat][e2e][echo][search]") {
  test_server server;
  server.answer_with([](const std::string& line) -> std::optional<std::string> { return line; });
  pty_terminal t(chat_argv(server.address(), {"--echo"}), rows, cols);
  wait_online(t);
  t.write("hello there\r");
  wait_screen(
      t, [&] { return count_rows(t, "net", "hello there  (") == 1; }, "the first echo");
  t.write("other\r");
  wait_screen(
      t, [&] { return count_rows(t, "net", "other  (") == 1; }, "the second echo");
  t.write("\x12hel");  // Ctrl-R, then the search text
  wait_screen(
      t, [&] { return input_row(t) == "(reverse-i-search)'hel': hello there"; },
      "the search prompt and match");
  t.write("\r");  // Enter sends the match
  wait_screen(
      t, [&] { return count_rows(t, "net", "hello there  (") == 2 && input_row(t) == ">"; },
      "the match sent and measured");
  CHECK(server.count("hello there") == 2);
  t.write("\x13other");  // Ctrl-S: the find prompt, over the transcript
  wait_screen(
      t, [&] { return input_row(t) == "find: other" && chat_status_says(t, "match 2 of 2"); },
      "the find prompt and its count");
  t.write("\x1b");  // Esc closes the find (alone: Esc and a key at once would be Alt and the key)
  wait_screen(
      t, [&] { return input_row(t) == ">"; }, "the input line back");
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(screen_has(t, "3 lines sent, 3 echoed, 0 differed, 0% lost"));
}

TEST_CASE("echo mode: a --reply rule answers the server, and the answer is not counted as a line measured",
          "[chat][e2e][echo][reply]") {
  test_server server;
  server.answer_with([](const std::string& line) -> std::optional<std::string> {
    if (line.starts_with("PONG ")) return std::nullopt;  // an answer is taken, not echoed
    return line;
  });
  pty_terminal t(chat_argv(server.address(), {"--echo", "--reply", "PING *=PONG *"}), rows, cols);
  wait_online(t);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");  // else PING x goes to no one
  server.send_line("PING x");
  wait_all(
      {&t}, [&] { return server.count("PONG x") == 1; }, "the answer at the server");
  wait_screen(
      t, [&] { return count_rows(t, "reply", "PONG x") == 1; }, "the answer on screen");
  t.write("probe\r");
  wait_screen(
      t, [&] { return count_rows(t, "net", "probe  (") == 1; }, "the probe's echo");
  CHECK(chat_status_says(t, " · 0 lost · "));
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(screen_has(t, "1 lines sent, 1 echoed, +1 unexpected, 0 differed, 0% lost"));  // PING x was no echo
}

TEST_CASE("during a flood of server lines, a typed key shows and Ctrl-C ends the program",
          "[chat][e2e][flood]") {
  test_server server;
  pty_terminal t(chat_argv(server.address()), rows, cols);
  wait_online(t);
  wait_all(
      {&t}, [&] { return server.clients() == 1; }, "the server to accept");
  std::string flood;
  for (int i = 0; i < 200'000; ++i) flood += "line " + std::to_string(1'000'000 + i) + "\n";
  server.send_raw(std::move(flood));  // 2.6 MB: the client reads it while the test types
  wait_screen(
      t, [&] { return count_rows(t, "net", "line 1") > 0; }, "the flood on screen");
  t.write("Z");
  wait_screen(
      t, [&] { return input_row(t) == "> Z"; }, "the typed key in the input line");
  t.write("\x03");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  check_restored(t);
}

TEST_CASE("a server that accepts and drops at once is retried with doubling delays, not every second",
          "[chat][e2e][backoff]") {
  // A server that kicks or bans: each connection is closed as soon as it is accepted. A connection
  // that ends that soon must not start the delays again (it did: "retry in 1 s" for ever).
  struct kicking_server {
    const echochat::testing::loopback_listener l = echochat::testing::listen_on_loopback();
    const int listener = l.fd;
    std::atomic<int> accepted{0};
    std::thread thread;
    kicking_server() {
      thread = std::thread([this] {
        for (;;) {
          const int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
          if (c < 0) return;  // the listener was shut: the test is over
          ++accepted;
          ::close(c);
        }
      });
    }
    ~kicking_server() {
      ::shutdown(listener, SHUT_RDWR);
      thread.join();
      ::close(listener);
    }
    kicking_server(const kicking_server&) = delete;
    kicking_server& operator=(const kicking_server&) = delete;
  } server;
  pty_terminal t(chat_argv("127.0.0.1:" + std::to_string(server.l.port)), rows, cols);
  // The fifth wait is 4 s less jitter (2-4 s): the countdown shows 3 s or more at some point.
  constexpr std::string_view offline = " · offline, retry in ";
  wait_all(
      {&t},
      [&] {
        const std::string status = chat_status(t);
        const auto at = status.find(offline);
        return at != std::string::npos && std::atoi(status.c_str() + at + offline.size()) >= 3;
      },
      "a retry 3 s or more away on the status bar", 30s);
  CHECK(server.accepted.load() <= 6);
  t.write("\x03");
  REQUIRE(t.wait_exit(deadline));
}
