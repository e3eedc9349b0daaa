// The lines the user has sent that have not been written to the peer yet: kept in order, bounded,
// and given up only once their write completed, so a dropped connection loses none of them.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace echochat {

class outbox {
 public:
  static constexpr std::size_t default_capacity = 1000;

  explicit outbox(std::size_t capacity = default_capacity);

  // Queues a line (without its line ending). False, and the line is not queued, when the outbox
  // is full: the caller tells the user and refuses Enter, so nothing is dropped silently. (Check
  // full() before taking the line out of the editor, so that a refused line stays there.)
  // The line must not contain '\n' or '\r' (see wire_format()).
  bool push(std::string line);

  // The oldest line not yet written, or nullptr. The writer writes it and calls pop_sent() only
  // when the write completed; if the connection drops first, the same line is front() again
  // after reconnecting. The pointer stays valid across push() (a deque keeps its elements in
  // place when it grows at the back) until pop_sent().
  const std::string* front() const { return lines_.empty() ? nullptr : &lines_.front(); }
  // The front line's write completed: forget it. Does nothing when empty.
  void pop_sent();

  bool empty() const { return lines_.empty(); }
  bool full() const { return lines_.size() >= capacity_; }
  std::size_t size() const { return lines_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::deque<std::string> lines_;
  std::size_t capacity_;
};

// The bytes that send `line`: the line and "\n". A line holding "\n" or "\r" would reach the peer
// as several lines, so every way into the outbox yields single lines: the line editor never
// contains them, and the paths that submit pasted text split it into lines first.
std::string wire_format(std::string_view line);

}  // namespace echochat
