// The resend-safe queue of lines waiting for the connection.
#include "echochat/core/outbox.hpp"

namespace echochat {

void outbox::pop_sent() {
  if (!lines_.empty()) lines_.pop_front();
}

std::size_t unacknowledged_lines(const std::deque<std::size_t>& sizes, std::size_t unacked) {
  std::size_t lines = 0;
  std::size_t bytes = 0;
  for (auto it = sizes.rbegin(); it != sizes.rend() && bytes < unacked; ++it) {
    bytes += *it;
    ++lines;
  }
  return lines;
}

}  // namespace echochat
