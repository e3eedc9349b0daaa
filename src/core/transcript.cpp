// The transcript model and its layout into rows.
#include "echochat/core/transcript.hpp"

#include "echochat/core/text_width.hpp"
#include "echochat/core/utf8.hpp"

#include <algorithm>

namespace echochat {

std::string_view source_tag(source s) {
  switch (s) {
    case source::you: return "you";
    case source::slow: return "slow";
    case source::net: return "net";
    case source::sys: return "sys";
    case source::echo: return "echo";
    case source::reply: return "reply";
  }
  return "?";
}

namespace {

constexpr std::string_view dotted_circle = "\u25CC";

// The bytes of the zero-width character (a combining mark) at the start of `text`, or 0.
std::size_t leading_zero_width(std::string_view text) {
  if (text.empty() || is_ascii(text[0])) return 0;
  const text_char ch = char_at(text, 0);
  return ch.cells == 0 ? ch.bytes : 0;
}

}  // namespace

void mark_leading_combining(std::string& text) {
  if (leading_zero_width(text) > 0) text.insert(0, dotted_circle);
}

void transcript::push_finished(entry e) {
  finished_bytes_ += e.text.size();
  finished_.push_back(std::move(e));
  ++finished_total_;
  trim();
}

void transcript::trim() {
  while (finished_.size() > capacity_ || (finished_bytes_ > byte_capacity_ && finished_.size() > 1)) {
    finished_bytes_ -= finished_.front().text.size();
    finished_.pop_front();
  }
}

void transcript::add(std::time_t when, source src, std::string text) {
  mark_leading_combining(text);
  push_finished(entry{when, src, std::move(text), {}});
}

void transcript::type(std::time_t when, std::string_view text) {
  if (!typing_) typing_.emplace(entry{when, source::you, {}, {}});
  if (typing_->text.empty()) {
    if (const std::size_t mark = leading_zero_width(text); mark > 0) {
      // The mark goes on U+25CC, and Backspace takes both.
      type_token(when, std::string{dotted_circle}.append(text.substr(0, mark)));
      text.remove_prefix(mark);
    }
  }
  typing_->text.append(text);
}

void transcript::type_token(std::time_t when, std::string_view token) {
  if (!typing_) typing_.emplace(entry{when, source::you, {}, {}});
  const auto begin = static_cast<std::uint32_t>(typing_->text.size());
  typing_->text.append(token);
  typing_->tokens.push_back({begin, static_cast<std::uint32_t>(typing_->text.size())});
}

bool transcript::backspace() {
  if (!typing_ || typing_->text.empty()) return false;
  auto& e = *typing_;
  if (!e.tokens.empty() && e.tokens.back().end == e.text.size()) {
    e.text.resize(e.tokens.back().begin);
    e.tokens.pop_back();
    return true;
  }
  e.text.resize(prev_char_start(e.text, e.text.size()));
  return true;
}

void transcript::finish_typing(std::time_t when) {
  entry e = typing_ ? std::move(*typing_) : entry{when, source::you, {}, {}};
  typing_.reset();
  e.tokens.clear();
  e.tokens.shrink_to_fit();
  push_finished(std::move(e));
}

const entry* transcript::find(std::uint64_t id) const {
  if (id < first_id() || id >= finished_total_) return nullptr;
  return &finished_[static_cast<std::size_t>(id - first_id())];
}

bool transcript::amend(std::uint64_t id, std::string_view more) {
  if (find(id) == nullptr) return false;
  finished_[static_cast<std::size_t>(id - first_id())].text.append(more);
  finished_bytes_ += more.size();
  ++amendments_;
  trim();  // the byte bound holds for amended text too
  return true;
}

void wrap_text(std::string_view text, int width, std::vector<std::pair<std::size_t, std::size_t>>& rows) {
  rows.clear();
  width = std::max(width, 1);
  std::size_t begin = 0;
  int used = 0;
  for (std::size_t i = 0; i < text.size();) {
    // Printable ASCII takes a cell a byte: as much of it as the row has room for, in one step.
    if (is_ascii(text[i]) && text[i] >= 0x20) {
      if (used >= width) {
        rows.emplace_back(begin, i);
        begin = i;
        used = 0;
      }
      const std::size_t room = std::min(static_cast<std::size_t>(width - used), text.size() - i);
      std::size_t run = 1;
      while (run < room && is_ascii(text[i + run]) && text[i + run] >= 0x20) ++run;
      used += static_cast<int>(run);
      i += run;
      continue;
    }
    const text_char ch = char_at(text, i);
    if (used + ch.cells > width && used > 0) {
      rows.emplace_back(begin, i);
      begin = i;
      used = 0;
    }
    used += ch.cells;
    i += ch.bytes;
  }
  rows.emplace_back(begin, text.size());
}

int prefix_width(int cols) { return cols >= 30 ? 15 : 0; }

int text_width_for(int cols) { return std::max(cols - prefix_width(cols), 1); }

visible_rows layout(const transcript& t, int cols, int height, int scroll) {
  visible_rows out;
  if (height <= 0 || cols <= 0) return out;
  scroll = std::max(scroll, 0);
  const int text_cols = text_width_for(cols);
  const auto wanted = static_cast<std::size_t>(height) + static_cast<std::size_t>(scroll);

  std::vector<layout_row> reversed;  // bottom-up
  std::vector<std::pair<std::size_t, std::size_t>> pieces;
  std::size_t i = t.size();
  for (; i > 0 && reversed.size() < wanted; --i) {
    const entry& e = t.at(i - 1);
    wrap_text(e.text, text_cols, pieces);
    for (std::size_t p = pieces.size(); p > 0; --p) {
      reversed.push_back(layout_row{&e, pieces[p - 1].first, pieces[p - 1].second, p == 1});
    }
  }
  const auto total = reversed.size();
  const auto h = static_cast<std::size_t>(height);
  const std::size_t max_scroll = total > h ? total - h : 0;
  const std::size_t applied = std::min(static_cast<std::size_t>(scroll), max_scroll);
  out.scroll = static_cast<int>(applied);
  out.at_top = i == 0 && total <= applied + h;            // every entry laid out and the first row shown
  const std::size_t last = std::min(total, applied + h);  // exclusive, in bottom-up order
  for (std::size_t r = last; r > applied; --r) out.rows.push_back(reversed[r - 1]);
  return out;
}

const visible_rows& layout_cache::update(const transcript& t, int cols, int height, int scroll) {
  const entry* typing = t.typing() ? &*t.typing() : nullptr;
  const bool typed_only = typing != nullptr && typing == typing_ && &t == of_ && cols == cols_ &&
                          height == height_ && scroll == scroll_ && view_.scroll == 0 &&
                          t.finished_total() == finished_total_ && t.amendments() == amendments_;
  if (typed_only) {
    // Only the open entry can have changed: if it still takes as many rows, only their byte
    // ranges move.
    wrap_text(typing->text, text_width_for(cols), pieces_);
    if (pieces_.size() == typing_rows_) {
      const auto first = view_.rows.end() - static_cast<std::ptrdiff_t>(typing_rows_);
      for (std::size_t p = 0; p < pieces_.size(); ++p) {
        first[static_cast<std::ptrdiff_t>(p)].begin = pieces_[p].first;
        first[static_cast<std::ptrdiff_t>(p)].end = pieces_[p].second;
      }
      return view_;
    }
  }
  view_ = layout(t, cols, height, scroll);
  of_ = &t;
  finished_total_ = t.finished_total();
  amendments_ = t.amendments();
  cols_ = cols;
  height_ = height;
  scroll_ = scroll;
  typing_ = typing;
  typing_rows_ = 0;
  if (typing != nullptr && view_.scroll == 0) {
    while (typing_rows_ < view_.rows.size() && view_.rows[view_.rows.size() - 1 - typing_rows_].e == typing) {
      ++typing_rows_;
    }
    // All of the open entry on screen (the window is taller), or no telling how much is above it.
    if (typing_rows_ == 0 || typing_rows_ >= static_cast<std::size_t>(height)) typing_ = nullptr;
  } else {
    typing_ = nullptr;
  }
  return view_;
}

}  // namespace echochat
