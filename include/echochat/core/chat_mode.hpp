// Chat mode's rules: keys edit an input line, Enter sends it (with the lines of a multi-line
// paste), the status bar shows the connection.
#pragma once

#include "echochat/core/line_editor.hpp"
#include "echochat/core/mode.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace echochat {

class chat_mode final : public mode {
 public:
  // `capacity`: how many lines may wait for the connection before Enter is refused.
  explicit chat_mode(std::size_t capacity) : capacity_(capacity) {}

  void on_key(const key& k, session_state& s, std::time_t now) override;
  void on_paste(std::string_view text, session_state& s, std::time_t now) override;
  std::optional<quit_reason> finished(const session_state& s) const override;
  void status(const session_state& s, std::vector<status_part>& parts) const override;
  std::string_view quit_hint() const override { return "q on an empty line quits"; }
  int bar_rows() const override { return 2; }
  const line_editor* input_line() const override { return &editor_; }

  // Lines of a multi-line paste that wait for Enter after the input line.
  const std::vector<std::string>& pasted_lines() const { return pasted_; }

 private:
  void send_input(session_state& s, std::time_t now);

  std::size_t capacity_;
  line_editor editor_;
  std::vector<std::string> pasted_;
};

}  // namespace echochat
