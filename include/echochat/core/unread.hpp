// What arrived while the user was scrolled back: the count the status bar shows ("12 new ↓") and
// the entry a "── new ──" row marks once the view is back at the live end, until the user types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace echochat {

class unread_marker {
 public:
  // An entry was finished; `id` counts every entry ever finished (transcript::finished_total()
  // before it), so it stays valid while old entries leave the scrollback.
  void arrived(std::uint64_t id, bool scrolled_back);
  // The view is at the live end: the count is done with; the marker stays.
  void at_live() { count_ = 0; }
  // The user typed at the live end: the marker has been seen.
  void typed() { marker_.reset(); }

  // Entries that arrived below the view since it was last at the live end.
  std::size_t count() const { return count_; }
  // The first entry that arrived while the user was away, since they last typed.
  std::optional<std::uint64_t> marker() const { return marker_; }

 private:
  std::size_t count_ = 0;
  std::optional<std::uint64_t> marker_;
};

}  // namespace echochat
