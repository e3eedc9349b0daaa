// Plain mode's screen: one line per finished entry on a file descriptor, no escapes.
#pragma once

#include "echochat/edges/screen.hpp"

#include <string>

namespace echochat {

class plain_screen final : public screen {
 public:
  explicit plain_screen(int fd) : fd_(fd) {}
  term_size size() override { return {}; }
  term_size resize() override { return {}; }
  bool entries_only() const override { return true; }
  void draw(const frame& f) override;
  void finish(const frame& f) override;

 private:
  void write_out();
  int fd_;
  std::string buffer_;
};

// "tag text" as plain mode prints an entry (without the newline).
std::string plain_line(const entry& e);

}  // namespace echochat
