// The viewport's arithmetic: rows for the transcript, paging, clamping at the top.
#include "echochat/core/viewport.hpp"

#include "echochat/core/transcript.hpp"

#include <algorithm>

namespace echochat {

void viewport::resize(int rows, int cols) {
  rows_ = std::max(rows, 1);
  cols_ = std::max(cols, 1);
}

int viewport::transcript_rows() const {
  // The bars on the last rows, a separator above them when there is room for it and some text.
  if (rows_ <= bars_) return 0;
  if (rows_ == bars_ + 1) return 1;
  return rows_ - bars_ - 1;
}

int viewport::page() const { return std::max(transcript_rows() - 1, 1); }

void viewport::page_up(const transcript& t) { scroll_up(page(), t); }

void viewport::page_down() { scroll_down(page()); }

void viewport::scroll_up(int n, const transcript& t) {
  scroll_ = layout(t, cols_, transcript_rows(), scroll_ + std::max(n, 0)).scroll;
}

void viewport::scroll_down(int n) { scroll_ = std::max(scroll_ - std::max(n, 0), 0); }

void viewport::scroll_to(int rows) { scroll_ = std::max(rows, 0); }

void viewport::hold(std::string_view text) {
  if (scroll_ == 0) return;
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  wrap_text(text, text_width_for(cols_), rows);
  scroll_ += static_cast<int>(rows.size());
}

}  // namespace echochat
