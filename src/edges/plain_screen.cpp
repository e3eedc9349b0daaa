// Plain output: entries are written whole, one write per batch.
#include "echochat/edges/plain_screen.hpp"

#include <cerrno>
#include <unistd.h>

namespace echochat {

std::string plain_line(const entry& e) {
  if (e.src == source::echo) return e.text;  // "line from HOST:PORT: seq=3 time=0.212 ms", as ping
  std::string line{source_tag(e.src)};
  line.push_back(' ');
  line += e.text;
  return line;
}

void plain_screen::write_out() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // a closed pipe: nobody is reading, nothing more to say
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void plain_screen::draw(const frame& f) {
  for (const entry& e : f.fresh) {
    buffer_ += plain_line(e);
    buffer_.push_back('\n');
  }
  write_out();
}

void plain_screen::finish(const frame& f) {
  // Nothing typed is lost: the entry still being typed is printed as the program ends.
  if (f.typing != nullptr && !f.typing->text.empty()) {
    buffer_ += plain_line(*f.typing);
    buffer_.push_back('\n');
  }
  write_out();
}

}  // namespace echochat
