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

TEST_CASE("a log line is the local ISO 8601 time with its offset, the source tag and the text", "[chat][log]") {
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
  CHECK(read_lines(path) ==
        std::vector<std::string>{"kept", "1970-01-01T00:00:00+00:00 you one", "1970-01-01T00:00:01+00:00 net two"});
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
