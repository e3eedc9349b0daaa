// Searching the transcript, and the scroll that brings a match into view.
#include "echochat/core/transcript_search.hpp"

#include <algorithm>

namespace echochat {

transcript_find::transcript_find(std::string query, const transcript& t) : finder_(std::move(query)) {
  scan(t, t.first_id());
  if (!ids_.empty()) current_ = ids_.size() - 1;
}

void transcript_find::set_query(std::string query, const transcript& t) {
  finder_ = text_finder(std::move(query));
  ids_.clear();
  current_ = 0;
  scan(t, t.first_id());
  if (!ids_.empty()) current_ = ids_.size() - 1;
}

void transcript_find::scan(const transcript& t, std::uint64_t from_id) {
  const std::uint64_t first = t.first_id();
  const auto& entries = t.finished();
  if (!finder_.needle().empty()) {
    for (std::uint64_t id = std::max(from_id, first); id < t.finished_total(); ++id) {
      if (finder_.in(entries[static_cast<std::size_t>(id - first)].text)) ids_.push_back(id);
    }
  }
  scanned_ = t.finished_total();
  amendments_ = t.amendments();
}

void transcript_find::update(const transcript& t) {
  const std::uint64_t first = t.first_id();
  const auto dropped =
      static_cast<std::size_t>(std::lower_bound(ids_.begin(), ids_.end(), first) - ids_.begin());
  if (dropped > 0) {
    ids_.erase(ids_.begin(), ids_.begin() + static_cast<std::ptrdiff_t>(dropped));
    current_ = current_ >= dropped ? current_ - dropped : 0;  // gone: the oldest kept one
  }
  if (t.amendments() != amendments_) {
    // An entry looked at before was amended and may match now ("lost"): all are looked at again.
    // Amending only appends, so no match is lost and the current one stays current.
    const std::optional<std::uint64_t> current = ids_.empty() ? std::nullopt : std::optional{ids_[current_]};
    ids_.clear();
    scan(t, first);
    if (current && !ids_.empty()) {
      const auto at = std::lower_bound(ids_.begin(), ids_.end(), *current) - ids_.begin();
      current_ = std::min(static_cast<std::size_t>(at), ids_.size() - 1);
    }
  } else if (t.finished_total() > scanned_) {
    scan(t, scanned_);
  }
}

std::optional<std::size_t> transcript_find::position() const {
  if (ids_.empty()) return std::nullopt;
  return current_ + 1;
}

bool transcript_find::older() {
  if (ids_.empty() || current_ == 0) return false;
  --current_;
  return true;
}

bool transcript_find::newer() {
  if (current_ + 1 >= ids_.size()) return false;
  ++current_;
  return true;
}

std::optional<std::size_t> transcript_find::current_index(const transcript& t) const {
  if (ids_.empty()) return std::nullopt;
  const std::uint64_t first = t.first_id();
  const std::uint64_t id = ids_[current_];
  if (id < first || id >= t.finished_total()) return std::nullopt;
  return static_cast<std::size_t>(id - first);
}

const entry* transcript_find::current(const transcript& t) const {
  const auto i = current_index(t);
  return i ? &t.finished()[*i] : nullptr;
}

std::vector<std::pair<std::size_t, std::size_t>> transcript_find::occurrences(const entry& e) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const std::size_t n = finder_.needle().size();
  if (n == 0) return out;
  for (std::size_t at = finder_.find(e.text); at != std::string_view::npos;
       at = finder_.find(e.text, at + n)) {
    out.emplace_back(at, at + n);
  }
  return out;
}

int scroll_to_show(const transcript& t, std::size_t index, int cols, int height) {
  const int text_cols = text_width_for(cols);
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  std::size_t below = 0;
  for (std::size_t i = index + 1; i < t.size(); ++i) {
    wrap_text(t.at(i).text, text_cols, rows);
    below += rows.size();
  }
  wrap_text(t.at(index).text, text_cols, rows);
  const auto own = static_cast<int>(rows.size());
  // The match in the middle, or its first row at the top when it is as tall as the window.
  if (own >= height) return static_cast<int>(below) + own - height;
  const int bottom_gap = (height - own) - (height - own) / 2;
  return std::max(static_cast<int>(below) - bottom_gap, 0);
}

}  // namespace echochat
