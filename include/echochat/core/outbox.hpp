// The lines the user has sent that have not been written to the peer yet: kept in order and
// given up only once their write completed, so a dropped connection loses none of them. How many
// may wait is chat mode's rule (it refuses Enter past 1,000 lines waiting while offline).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <iterator>
#include <utility>
#include <vector>

namespace echochat {

class outbox {
 public:
  // Queues a line (without its line ending). A line holding "\n" or "\r" would reach the peer as
  // several lines, so every way into the outbox yields single lines: the line editor never
  // contains them, and the paths that submit pasted text split it into lines first.
  void push(std::string line) { lines_.push_back(std::move(line)); }

  // The oldest line not yet written, or nullptr. The writer writes it and calls pop_sent() only
  // when the write completed; if the connection drops first, the same line is front() again
  // after reconnecting. The pointer stays valid across push() (a deque keeps its elements in
  // place when it grows at the back) until pop_sent().
  const std::string* front() const { return lines_.empty() ? nullptr : &lines_.front(); }
  // The front line's write completed: forget it. Does nothing when empty.
  void pop_sent();

  // Lines written but perhaps lost, back at the head in their order (--resend-unacked).
  void push_front(std::vector<std::string> lines) {
    lines_.insert(lines_.begin(), std::make_move_iterator(lines.begin()),
                  std::make_move_iterator(lines.end()));
  }
  bool empty() const { return lines_.empty(); }
  std::size_t size() const { return lines_.size(); }

 private:
  std::deque<std::string> lines_;
};

// How many of the lines last written on a connection are remembered, to name those it had not had
// acknowledged when it died: as many as a socket's send buffer could hold unacknowledged, at a
// line or more each. The connection's side (the lines) and the session's (their entries) keep
// the same number, so they name the same lines.
inline constexpr std::size_t kept_written_lines = 4096;

// Of the lines written on a connection (their sizes in bytes, line endings included, in the order
// written), how many at the end hold a byte of the last `unacked` bytes, which the peer's TCP had
// not acknowledged when the connection died (SIOCOUTQ): those may not have arrived. Sizes are
// as the transport writes them (framing included); bytes it wrote of its own (a WebSocket ping)
// can mark one line more, never one less.
std::size_t unacknowledged_lines(const std::deque<std::size_t>& sizes, std::size_t unacked);

}  // namespace echochat
