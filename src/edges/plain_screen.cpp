// Plain output: entries are written whole, one write per batch, through the output writer.
#include "echochat/edges/plain_screen.hpp"

#include "echochat/core/text_width.hpp"

namespace echochat {

std::string plain_line(const entry& e) {
  if (e.src == source::echo) return e.text;  // "line from HOST:PORT: seq=3 time=0.212 ms", as ping
  std::string line{source_tag(e.src)};
  line.push_back(' ');
  line += e.text;
  return line;
}

void plain_screen::write_out() {
  out_.write(buffer_);
  buffer_.clear();
}

void plain_screen::retype(std::string_view text) {
  // Keep the common part (whole characters), rub out the rest, write the new rest.
  std::size_t same = 0;
  while (same < typed_.size() && same < text.size() && typed_[same] == text[same]) ++same;
  while (same > 0 && same < typed_.size() && is_utf8_continuation(typed_[same])) --same;
  const int rub = text_width(std::string_view{typed_}.substr(same));
  buffer_.append(static_cast<std::size_t>(rub), '\b');
  buffer_.append(static_cast<std::size_t>(rub), ' ');
  buffer_.append(static_cast<std::size_t>(rub), '\b');
  buffer_.append(text.substr(same));
  typed_.assign(text);
}

void plain_screen::draw(const frame& f) {
  for (const entry& e : f.fresh) {
    if (typing_shown_) {
      typing_shown_ = false;
      if (e.src == source::you) {
        // The entry being typed was finished (Enter): its line is there already.
        retype(e.text);
        buffer_.push_back('\n');
        typed_.clear();
        continue;
      }
      buffer_.push_back('\n');  // another entry came meanwhile: the typing goes below it
      typed_.clear();
    }
    buffer_ += plain_line(e);
    buffer_.push_back('\n');
  }
  if (echo_typing_ && f.typing != nullptr) {
    if (!typing_shown_) {
      buffer_ += plain_line(entry{0, source::you, {}, {}});
      typing_shown_ = true;
    }
    retype(f.typing->text);
  }
  write_out();
}

void plain_screen::finish(const frame& f) {
  if (typing_shown_) {
    buffer_.push_back('\n');  // it is on the screen already
  } else if (f.typing != nullptr && !f.typing->text.empty()) {
    // Nothing typed is lost: the entry still being typed is printed as the program ends.
    buffer_ += plain_line(*f.typing);
    buffer_.push_back('\n');
  }
  write_out();
}

}  // namespace echochat
