// Line framing of the peer's byte stream: each byte is looked at once, so feeding a long line in
// small chunks costs no more than feeding it whole.
#include "echochat/core/line_framer.hpp"

#include "echochat/core/utf8.hpp"

#include <algorithm>
#include <utility>

namespace echochat {

line_framer::line_framer(std::size_t max_line) : max_line_(std::max(max_line, min_max_line)) {}

void line_framer::feed(std::string_view chunk, std::vector<framed_line>& out) {
  while (!chunk.empty()) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (chunk.front() == '\n') {
        chunk.remove_prefix(1);
        emit_line(out);
        continue;
      }
      append_text("\r", out);
    }
    const std::size_t newline = chunk.find('\n');
    std::string_view text = chunk.substr(0, newline);
    const bool ends_in_cr = !text.empty() && text.back() == '\r';
    if (ends_in_cr) text.remove_suffix(1);
    append_text(text, out);
    if (newline == std::string_view::npos) {
      pending_cr_ = ends_in_cr;
      return;
    }
    emit_line(out);
    chunk.remove_prefix(newline + 1);
  }
}

std::optional<framed_line> line_framer::finish() {
  if (pending_.empty() && !pending_cr_) return std::nullopt;
  pending_cr_ = false;
  framed_line tail{std::move(pending_), false};
  pending_.clear();
  return tail;
}

void line_framer::append_text(std::string_view text, std::vector<framed_line>& out) {
  while (!text.empty()) {
    // Cut only when more text arrives for a full line, so that exactly max_line bytes fit.
    if (pending_.size() == max_line_) emit_cut_piece(out);
    const std::size_t take = std::min(text.size(), max_line_ - pending_.size());
    pending_.append(text.substr(0, take));
    text.remove_prefix(take);
  }
}

void line_framer::emit_cut_piece(std::vector<framed_line>& out) {
  // If the piece would end inside a well-formed but unfinished UTF-8 character, end it before
  // that character instead, so that each piece sanitizes to the same text the whole line would.
  // Ill-formed bytes are cut anywhere: they become U+FFFD either way.
  std::size_t piece = pending_.size();
  for (std::size_t back = 1; back <= 3; ++back) {
    const std::size_t start = pending_.size() - back;
    if (is_utf8_continuation(pending_[start])) continue;
    if (decode_utf8(std::string_view(pending_).substr(start)).status == utf8_status::truncated) {
      piece = start;
    }
    break;
  }
  out.push_back(framed_line{pending_.substr(0, piece), true});
  pending_.erase(0, piece);
}

void line_framer::emit_line(std::vector<framed_line>& out) {
  out.push_back(framed_line{std::move(pending_), false});
  pending_.clear();  // a moved-from string is valid but unspecified
}

}  // namespace echochat
