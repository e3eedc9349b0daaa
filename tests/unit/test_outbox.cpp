// Unit tests of outbox: lines wait in order and leave only once written.
#include "echochat/core/outbox.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <vector>

using echochat::outbox;

namespace {

// What a writer does with the outbox while the connection holds: write the front, then pop it.
std::vector<std::string> drain(outbox& box) {
  std::vector<std::string> written;
  while (const std::string* line = box.front()) {
    written.push_back(*line);
    box.pop_sent();
  }
  return written;
}

// The front line's text, or a marker for an empty outbox: spares the tests a dereference of a
// pointer that may be null.
std::string front_text(const outbox& box) {
  const std::string* line = box.front();
  return line != nullptr ? *line : "(empty outbox)";
}

}  // namespace

TEST_CASE("a new outbox is empty", "[outbox]") {
  outbox box;
  CHECK(box.empty());
  CHECK(box.size() == 0);
  CHECK(box.front() == nullptr);
}

TEST_CASE("lines leave the outbox in the order they were pushed", "[outbox]") {
  outbox box;
  box.push("one");
  box.push("two");
  box.push("three");
  CHECK(box.size() == 3);
  CHECK(drain(box) == std::vector<std::string>{"one", "two", "three"});
  CHECK(box.empty());
}

TEST_CASE("looking at the front line does not remove it", "[outbox]") {
  outbox box;
  box.push("hello");
  REQUIRE(box.front() != nullptr);
  CHECK(front_text(box) == "hello");
  CHECK(front_text(box) == "hello");
  CHECK(box.size() == 1);
}

TEST_CASE("a line whose write did not complete is sent again after reconnecting", "[outbox]") {
  outbox box;
  box.push("first");
  box.push("second");
  // The writer takes "first", and the connection drops before the write completes.
  const std::string attempted = front_text(box);
  // Offline, the user types more.
  box.push("third");
  // After reconnecting the writer starts again from the front.
  CHECK(front_text(box) == attempted);
  CHECK(drain(box) == std::vector<std::string>{"first", "second", "third"});
}

TEST_CASE("only a completed write removes a line", "[outbox]") {
  outbox box;
  box.push("a");
  box.push("b");
  box.pop_sent();
  CHECK(front_text(box) == "b");
  CHECK(box.size() == 1);
}

TEST_CASE("the front line stays in place while lines are pushed behind it", "[outbox]") {
  outbox box;
  box.push("in flight");
  const std::string* writing = box.front();
  for (int i = 0; i < 999; ++i) box.push("queued " + std::to_string(i));
  CHECK(box.front() == writing);
  CHECK(*writing == "in flight");
}

TEST_CASE("pop_sent on an empty outbox does nothing", "[outbox]") {
  outbox box;
  box.pop_sent();
  CHECK(box.empty());
  box.push("x");
  box.pop_sent();
  box.pop_sent();
  CHECK(box.empty());
}

TEST_CASE("an empty line can be queued", "[outbox]") {
  // The editor never submits one, but the outbox has no opinion on content.
  outbox box;
  box.push("");
  CHECK(drain(box) == std::vector<std::string>{""});
}

TEST_CASE("the lines holding a connection's unacknowledged bytes are the last ones written",
          "[outbox][unacked]") {
  const std::deque<std::size_t> sizes{4, 6, 10};  // "abc\n", "hello\n", "123456789\n"
  CHECK(echochat::unacknowledged_lines(sizes, 0) == 0);
  CHECK(echochat::unacknowledged_lines(sizes, 1) == 1);   // the last line's newline
  CHECK(echochat::unacknowledged_lines(sizes, 10) == 1);  // all of the last
  CHECK(echochat::unacknowledged_lines(sizes, 11) == 2);  // and a byte of the one before
  CHECK(echochat::unacknowledged_lines(sizes, 20) == 3);
  CHECK(echochat::unacknowledged_lines(sizes, 500) ==
        3);  // a transport's own bytes: never more than were written
  CHECK(echochat::unacknowledged_lines({}, 30) == 0);
}

TEST_CASE("lines put back go to the head of the outbox, in their order", "[outbox][unacked]") {
  outbox o;
  o.push("later");
  o.push_front({"first", "second"});
  std::vector<std::string> out;
  while (const std::string* f = o.front()) {
    out.push_back(*f);
    o.pop_sent();
  }
  CHECK(out == std::vector<std::string>{"first", "second", "later"});
}
