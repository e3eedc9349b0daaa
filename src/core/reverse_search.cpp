// The reverse incremental search over the input history.
#include "echochat/core/reverse_search.hpp"

#include "echochat/core/text_search.hpp"

namespace echochat {

reverse_search::reverse_search(const std::deque<std::string>& history, std::string last_query)
    : history_(&history), last_query_(std::move(last_query)) {
  steps_.push_back(step{});
}

void reverse_search::search(const std::string& query, std::size_t from, const std::string* skip) {
  const text_finder finder(query);
  step next{query, match(), match_offset(), true};
  for (std::size_t i = from; i > 0; --i) {
    const std::string& line = (*history_)[i - 1];
    if (skip != nullptr && line == *skip) continue;
    const std::size_t at = finder.find(line);
    if (at != std::string_view::npos) {
      next.match = i - 1;
      next.offset = at;
      next.failed = false;
      break;
    }
  }
  steps_.push_back(std::move(next));
}

void reverse_search::type(std::string_view text) {
  if (text.empty()) return;
  // A search that failed stays failed: readline keeps the text and the last match.
  if (failed()) {
    step next = steps_.back();
    next.query += text;
    steps_.push_back(std::move(next));
    return;
  }
  const std::size_t from = match() ? *match() + 1 : history_->size();
  search(query() + std::string{text}, from, nullptr);
}

void reverse_search::older() {
  if (query().empty()) {
    if (!last_query_.empty()) type(last_query_);
    return;
  }
  const auto current = match_text();
  const std::size_t from = match() ? *match() : history_->size();
  search(query(), from, current ? &*current : nullptr);
}

void reverse_search::widen() {
  if (steps_.size() > 1) steps_.pop_back();
}

std::optional<std::string> reverse_search::match_text() const {
  if (!match()) return std::nullopt;
  return (*history_)[*match()];
}

std::string reverse_search::prompt(std::size_t& cursor) const {
  std::string row = failed() ? "(failed reverse-i-search)'" : "(reverse-i-search)'";
  row += query();
  row += "': ";
  if (const auto line = match_text()) {
    cursor = row.size() + match_offset();
    row += *line;
  } else {
    cursor = row.size();
  }
  return row;
}

}  // namespace echochat
