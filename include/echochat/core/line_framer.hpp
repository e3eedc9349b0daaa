// Cuts the byte stream from the peer into lines, whatever the socket's chunking, with bounded
// memory: an over-long line comes out in pieces marked as cut.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

struct framed_line {
  std::string text;  // raw bytes without the line ending; sanitize() before showing them
  bool cut = false;  // true: the line goes on in the next framed_line

  friend bool operator==(const framed_line&, const framed_line&) = default;
};

class line_framer {
 public:
  static constexpr std::size_t default_max_line = 64 * 1024;
  // Below this a piece could not hold a whole 4-byte UTF-8 character after backing off.
  static constexpr std::size_t min_max_line = 4;

  // `max_line` below min_max_line is raised to it.
  explicit line_framer(std::size_t max_line = default_max_line);

  // Appends to `out` every line `chunk` completes. "\n" ends a line and a "\r" right before it
  // is dropped; a "\r" anywhere else is part of the text. A line longer than max_line bytes
  // comes out as pieces with cut = true, each max_line bytes, or up to 3 fewer so that a UTF-8
  // character is not split between pieces; the piece ending at the "\n" has cut = false. A line
  // of exactly max_line bytes is not cut. Never holds more than max_line bytes.
  void feed(std::string_view chunk, std::vector<framed_line>& out);

  // End of stream: the unterminated tail, if any (cut = false), and the framer starts afresh.
  // A "\r" that ends the stream counts as a line ending: it is what a "\r\n" looks like when the
  // peer closes between its two bytes.
  std::optional<framed_line> finish();

  std::size_t max_line() const { return max_line_; }
  // Bytes of the unfinished line held now (never more than max_line()).
  std::size_t buffered() const { return pending_.size(); }

 private:
  void append_text(std::string_view text, std::vector<framed_line>& out);
  void emit_cut_piece(std::vector<framed_line>& out);
  void emit_line(std::vector<framed_line>& out);

  std::size_t max_line_;
  std::string pending_;  // the unfinished line; never contains '\n'
  // A '\r' ended the last chunk: whether it belongs to the text or to a "\r\n" depends on the
  // next byte. Kept aside so that a line of exactly max_line bytes ending in "\r\n" is not cut.
  bool pending_cr_ = false;
};

}  // namespace echochat
