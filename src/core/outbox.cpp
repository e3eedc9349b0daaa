// The resend-safe queue of lines waiting for the connection.
#include "echochat/core/outbox.hpp"

#include <utility>

namespace echochat {

void outbox::pop_sent() {
  if (!lines_.empty()) lines_.pop_front();
}

std::string wire_format(std::string_view line) {
  std::string bytes;
  bytes.reserve(line.size() + 1);
  bytes.append(line);
  bytes.push_back('\n');
  return bytes;
}

}  // namespace echochat
