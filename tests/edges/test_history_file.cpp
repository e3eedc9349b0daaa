// The history file on disk, in a scratch directory: its mode, directories made as needed, one
// line per write, the bound kept by compaction, per-destination lines, and a damaged or
// unreadable file as problems, never as a failure. Also what a hostile setup does to it: two
// echochats on one file, a symlink, a FIFO, a file far over the bound.
#include "echochat/edges/history_file.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace echochat;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;

namespace {

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777U;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

std::string numbered_lines(int from, int to) {
  std::string content;
  for (int i = from; i < to; ++i) content += "h:1\tline " + std::to_string(i) + "\n";
  return content;
}

// The problems and writable() of a history_file made on a thread of its own, so that one stuck
// in open() on a FIFO fails the test rather than hanging it: nothing when it was stuck (it is
// then let go, by opening the FIFO both ways until it returns).
std::optional<std::pair<std::vector<std::string>, bool>> made_promptly(const std::filesystem::path& fifo) {
  std::promise<std::pair<std::vector<std::string>, bool>> done;
  auto result = done.get_future();
  std::thread t([&] {
    history_file h(fifo.string());
    done.set_value({h.problems(), h.writable()});
  });
  const bool prompt = result.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  while (result.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
    const int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
  t.join();
  if (!prompt) return std::nullopt;
  return result.get();
}

}  // namespace

TEST_CASE("the history file is made with its directories, private, and lines are appended", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "state" / "echochat" / "history";
  {
    history_file h(path.string());
    CHECK(h.problems().empty());
    CHECK(h.records().empty());
    REQUIRE(h.writable());
    h.append("example.org:6667", "hello");
    h.append("[::1]:9000", "wörld");
  }
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path.parent_path()) == 0700);
  CHECK(read_lines(path) == std::vector<std::string>{"example.org:6667\thello", "[::1]:9000\twörld"});
  history_file again(path.string());
  CHECK(again.records() ==
        std::vector<history_record>{{"example.org:6667", "hello"}, {"[::1]:9000", "wörld"}});
}

TEST_CASE("a history file someone made readable to all becomes private", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  write_file(path, "h:1\tline\n");
  ::chmod(path.c_str(), 0644);
  history_file h(path.string());
  CHECK(mode_of(path) == 0600);
  CHECK(h.records().size() == 1);
}

TEST_CASE("a history file over the bound is compacted at start to its newest lines", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  std::string content;
  for (int i = 0; i < 1200; ++i) content += "h:1\tline " + std::to_string(i) + "\n";
  write_file(path, content);
  history_file h(path.string());
  CHECK(h.problems().empty());
  REQUIRE(h.records().size() == 1000);
  CHECK(h.records().front().text == "line 200");
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 1000);
  CHECK(lines.front() == "h:1\tline 200");
  CHECK(lines.back() == "h:1\tline 1199");
  CHECK(mode_of(path) == 0600);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".new"));
}

TEST_CASE("a damaged history file loads what it can, says what it left out, and is mended", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  using namespace std::string_literals;
  write_file(path, "h:1\tgood\n\x00\x01garbage\nh:1\t\x1b]0;evil\x07title\n"s);
  history_file h(path.string());
  REQUIRE(h.problems().size() == 1);
  CHECK_THAT(h.problems()[0], Catch::Contains("1 damaged line") && Catch::Contains(path.string()));
  REQUIRE(h.records().size() == 2);
  CHECK(h.records()[1].text == "^[]0;evil^Gtitle");
  CHECK(read_lines(path) == std::vector<std::string>{"h:1\tgood", "h:1\t^[]0;evil^Gtitle"});
}

TEST_CASE("an unreadable history path is a problem to report, not a failure", "[history]") {
  temp_dir dir("echochat-history");
  SECTION("a directory where the file should be") {
    std::filesystem::create_directories(dir.path / "history");
    history_file h((dir.path / "history").string());
    CHECK_FALSE(h.problems().empty());
    CHECK_FALSE(h.writable());
    h.append("h:1", "goes nowhere");  // and does no harm
  }
  SECTION("a file where a directory should be") {
    write_file(dir.path / "state", "");
    history_file h((dir.path / "state" / "echochat" / "history").string());
    REQUIRE(h.problems().size() == 1);
    CHECK_THAT(h.problems()[0], Catch::Contains("cannot make the directory"));
    CHECK_FALSE(h.writable());
  }
}

TEST_CASE("two histories appending to one file leave whole lines, one per append", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  history_file a(path.string());
  history_file b(path.string());
  for (int i = 0; i < 200; ++i) {
    a.append("a:1", std::string(3000, 'a'));
    b.append("b:2", std::string(3000, 'b'));
  }
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 400);
  for (const auto& l : lines) {
    CHECK((l == "a:1\t" + std::string(3000, 'a') || l == "b:2\t" + std::string(3000, 'b')));
  }
}

TEST_CASE("lines sent by one echochat while another compacts the file at its start are kept", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  history_file a(path.string());
  for (int i = 0; i < 1200; ++i) a.append("a:1", "old " + std::to_string(i));
  // Another echochat starts: the file is over the bound, so it writes a new one over it.
  history_file b(path.string());
  REQUIRE(b.records().size() == 1000);
  for (int i = 0; i < 5; ++i) a.append("a:1", "later " + std::to_string(i));
  b.append("b:2", "from b");
  history_file c(path.string());
  REQUIRE(c.records().size() == 1000);
  std::vector<std::string> newest;
  for (auto r = c.records().end() - 6; r != c.records().end(); ++r)
    newest.push_back(r->destination + " " + r->text);
  std::sort(newest.begin(), newest.end());
  CHECK(newest == std::vector<std::string>{"a:1 later 0", "a:1 later 1", "a:1 later 2", "a:1 later 3",
                                           "a:1 later 4", "b:2 from b"});
  CHECK(c.records()[c.records().size() - 7].text == "old 1199");
}

TEST_CASE("an echochat starting while another holds the history file locked starts at once", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  write_file(path, numbered_lines(0, 1200));
  const int holder = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(holder >= 0);
  REQUIRE(::flock(holder, LOCK_EX) == 0);  // as a compacting echochat, or any other program, holds it
  std::vector<history_record> records;
  std::promise<void> done;
  auto ready = done.get_future();
  std::thread t([&] {
    history_file h(path.string());
    records = h.records();
    done.set_value();
  });
  const bool prompt = ready.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  ::close(holder);
  t.join();
  CHECK(prompt);
  REQUIRE(records.size() == 1000);
  CHECK(records.front().text == "line 200");
  CHECK(records.back().text == "line 1199");
}

TEST_CASE("a history path that is a symlink is followed: the file it names is compacted", "[history]") {
  temp_dir dir("echochat-history");
  std::filesystem::create_directories(dir.path / "dotfiles");
  std::filesystem::create_directories(dir.path / "state" / "echochat");
  const auto target = dir.path / "dotfiles" / "history";
  const auto link = dir.path / "state" / "echochat" / "history";
  write_file(target, numbered_lines(0, 1200));
  std::filesystem::create_symlink("../../dotfiles/history", link);  // relative, as GNU stow makes them
  {
    history_file h(link.string());
    CHECK(h.problems().empty());
    REQUIRE(h.records().size() == 1000);
    h.append("h:1", "after");
  }
  CHECK(std::filesystem::is_symlink(link));
  const auto lines = read_lines(target);
  REQUIRE(lines.size() == 1001);
  CHECK(lines.front() == "h:1\tline 200");
  CHECK(lines.back() == "h:1\tafter");
  CHECK(std::distance(std::filesystem::directory_iterator(target.parent_path()), {}) ==
        1);  // nothing beside it
  CHECK(std::distance(std::filesystem::directory_iterator(link.parent_path()), {}) == 1);
}

TEST_CASE("a FIFO at the history path is refused at once, not waited on", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  const auto made = made_promptly(path);
  REQUIRE(made.has_value());
  const auto& [problems, writable] = *made;
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "history: " + path.string() + " is not a regular file (a FIFO); nothing is kept");
  CHECK_FALSE(writable);
}

TEST_CASE("of a history file far over the bound only the newest lines are read", "[history]") {
  temp_dir dir("echochat-history");
  const auto path = dir.path / "history";
  {
    // 20 MB of damaged lines, then the lines to keep.
    std::ofstream out(path, std::ios::binary);
    const std::string damaged(1023, 'x');
    for (int i = 0; i < 20 * 1024; ++i) out << damaged << '\n';
    out << numbered_lines(0, 1200);
  }
  history_file h(path.string());
  CHECK(h.problems().empty());  // the damage is in lines that were never to be kept
  REQUIRE(h.records().size() == 1000);
  CHECK(h.records().front().text == "line 200");
  CHECK(h.records().back().text == "line 1199");
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 1000);
  CHECK(lines.front() == "h:1\tline 200");
}
