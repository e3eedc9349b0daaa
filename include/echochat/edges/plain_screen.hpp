// Plain mode's screen: one line per finished entry on a file descriptor, no escapes.
#pragma once

#include "echochat/edges/output_writer.hpp"
#include "echochat/edges/screen.hpp"

#include <string>

namespace echochat {

class plain_screen final : public screen {
 public:
  // `echo_typing`: on a terminal whose modes are set to send each key at once without echoing it
  // (a dumb terminal), the entry being typed is shown as it grows, on its own last line:
  // characters are appended, and Backspace is backspace, space, backspace.
  // Writes through `out`, which never blocks: a reader of the output that stops reading makes
  // it pause the readers of data instead (see output_writer).
  explicit plain_screen(output_writer& out, bool echo_typing = false)
      : out_(out), echo_typing_(echo_typing) {}
  term_size size() override { return {}; }
  term_size resize() override { return {}; }
  bool entries_only() const override { return true; }
  void draw(const frame& f) override;
  void finish(const frame& f) override;

 private:
  void write_out();
  // Brings the open line from what it shows (`typed_`) to `text`.
  void retype(std::string_view text);
  output_writer& out_;
  bool echo_typing_;
  bool typing_shown_ = false;  // the last line is the entry being typed, not ended yet
  std::string typed_;          // what of it is shown
  std::string buffer_;
};

// "tag text" as plain mode prints an entry (without the newline).
std::string plain_line(const entry& e);

}  // namespace echochat
