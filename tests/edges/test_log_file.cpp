// --log FILE: the line format (ISO 8601 local time with its offset, the source tag, the text),
// appending, no buffering, and a clear error for a path that cannot be opened.
#include "echochat/edges/log_file.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace echochat;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;

namespace {

// Sets TZ for the scope and puts the previous value back.
struct scoped_tz {
  std::optional<std::string> old;
  explicit scoped_tz(const char* tz) {
    if (const char* v = std::getenv("TZ")) old = v;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~scoped_tz() {
    if (old) {
      ::setenv("TZ", old->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
};

entry make_entry(std::time_t t, source src, std::string text) {
  entry e;
  e.time = t;
  e.src = src;
  e.text = std::move(text);
  return e;
}

}  // namespace

TEST_CASE("a log line is the local ISO 8601 time with its offset, the source tag and the text",
          "[chat][log]") {
  const std::time_t t = 1'700'000'000;  // 2023-11-14T22:13:20Z
  {
    scoped_tz tz("UTC0");
    CHECK(log_line(make_entry(t, source::net, "<bob> hi")) == "2023-11-14T22:13:20+00:00 net <bob> hi");
  }
  {
    scoped_tz tz("IST-5:30");
    CHECK(log_line(make_entry(t, source::you, "hello")) == "2023-11-15T03:43:20+05:30 you hello");
  }
  {
    scoped_tz tz("EST5");
    CHECK(log_line(make_entry(t, source::sys, "lost")) == "2023-11-14T17:13:20-05:00 sys lost");
    CHECK(log_line(make_entry(t, source::slow, "something slow is done")) ==
          "2023-11-14T17:13:20-05:00 slow something slow is done");
  }
}

TEST_CASE("the log file appends, one line per entry, readable at once without closing it", "[chat][log]") {
  temp_dir dir("echochat-log");
  const auto path = dir.path / "chat.log";
  {
    std::ofstream existing(path);
    existing << "kept\n";
  }
  scoped_tz tz("UTC0");
  log_file log(path.string());
  const std::vector<entry> first{make_entry(0, source::you, "one"), make_entry(1, source::net, "two")};
  log.write(first);
  CHECK(read_lines(path) == std::vector<std::string>{"kept", "1970-01-01T00:00:00+00:00 you one",
                                                     "1970-01-01T00:00:01+00:00 net two"});
  const std::vector<entry> second{make_entry(2, source::sys, "three")};
  log.write(second);
  CHECK(read_lines(path).size() == 4);
  CHECK(read_lines(path).back() == "1970-01-01T00:00:02+00:00 sys three");
}

TEST_CASE("a log path that cannot be opened is an error naming the flag, the path and why", "[chat][log]") {
  temp_dir dir("echochat-log");
  const std::string path = GENERATE(std::string{"/nonexistent/dir/x.log"}, std::string{"DIR"});
  const std::string real = path == "DIR" ? dir.path.string() : path;  // a directory is not a file
  CAPTURE(real);
  try {
    log_file log(real);
    FAIL("opened " << real);
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::StartsWith("--log: cannot open '" + real + "': "));
    CHECK(what.find('\n') == std::string::npos);
  }
}

TEST_CASE(
    "a write that fails is said once, naming the path and the error, and every entry after it counts as lost",
    "[chat][log]") {
  log_file log("/dev/full");
  const std::vector<entry> two{make_entry(0, source::you, "one"), make_entry(1, source::net, "two")};
  const auto said = log.write(two);
  REQUIRE(said);
  CHECK(*said == "log failed: cannot write to '/dev/full': No space left on device; nothing more is logged");
  CHECK(log.failed());
  CHECK(log.lost() == 2);
  CHECK_FALSE(log.write(two));  // said once only
  CHECK(log.lost() == 4);
  CHECK(log.failure() == "'/dev/full': No space left on device");
}

TEST_CASE("a log that reaches the file size limit keeps whole lines only and says EFBIG", "[chat][log]") {
  temp_dir dir("echochat-log");
  const auto path = dir.path / "big.log";
  // Over the limit a write fails with EFBIG instead of raising SIGXFSZ (echochat ignores it too).
  struct restore {
    rlimit old{};
    void (*handler)(int) = nullptr;
    restore() {
      ::getrlimit(RLIMIT_FSIZE, &old);
      handler = std::signal(SIGXFSZ, SIG_IGN);
    }
    ~restore() {
      ::setrlimit(RLIMIT_FSIZE, &old);
      std::signal(SIGXFSZ, handler);
    }
  } guard;
  rlimit small = guard.old;
  small.rlim_cur = 120;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  scoped_tz tz("UTC0");
  log_file log(path.string());
  std::vector<entry> many;
  for (int i = 0; i < 5; ++i) many.push_back(make_entry(0, source::you, "twenty bytes of text"));
  const auto said = log.write(many);
  ::setrlimit(RLIMIT_FSIZE, &guard.old);
  REQUIRE(said);
  CHECK(said->find("File too large") != std::string::npos);
  // Each line is 51 bytes: two fit under 120, the third was torn at the limit and cut off again.
  const std::string line = "1970-01-01T00:00:00+00:00 you twenty bytes of text";
  CHECK(read_lines(path) == std::vector<std::string>{line, line});
  CHECK(std::filesystem::file_size(path) == 2 * (line.size() + 1));
  CHECK(log.lost() == 3);
}

TEST_CASE("a log naming a FIFO nobody reads is an error at once, not a wait", "[chat][log]") {
  temp_dir dir("echochat-log");
  const auto path = dir.path / "fifo";
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  try {
    log_file log(path.string());
    FAIL("opened a FIFO with no reader");
  } catch (const std::runtime_error& e) {
    CHECK(std::string{e.what()} == "--log: '" + path.string() + "' is a FIFO that nobody reads");
  }
}

TEST_CASE("a log on a character device is allowed", "[chat][log]") {
  log_file log("/dev/null");
  const std::vector<entry> one{make_entry(0, source::you, "one")};
  CHECK_FALSE(log.write(one));
  CHECK_FALSE(log.failed());
}

TEST_CASE("a log path is shown escaped in every message about it", "[chat][log][hostile]") {
  const auto [path, shown] = GENERATE(table<std::string, std::string>({
      {"/nonexistent/\x1b]0;X\x07.log", "'/nonexistent/^[]0;X^G.log'"},
      {"/nonexistent/\x1b[2J", "'/nonexistent/^[[2J'"},
      {"/nonexistent/a\xc2\x9b"
       "b",
       "'/nonexistent/a\\x9bb'"},
      {"/nonexistent/\xe2\x80\xae"
       "gol.txt",
       "'/nonexistent/<U+202E>gol.txt'"},
  }));
  CAPTURE(path);
  try {
    log_file log(path);
    FAIL("opened " << path);
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains(shown));
    CHECK(what.find('\x1b') == std::string::npos);
    CHECK(what.find('\x07') == std::string::npos);
  }
}
