// Counting what arrives while the view is scrolled back.
#include "echochat/core/unread.hpp"

namespace echochat {

void unread_marker::arrived(std::uint64_t id, bool scrolled_back) {
  if (!scrolled_back) return;
  ++count_;
  if (!marker_) marker_ = id;
}

}  // namespace echochat
