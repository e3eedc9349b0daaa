// Chat mode's rules: keys edit an input line, Enter sends it (with the lines of a multi-line
// paste) or runs a command (/quit, /help, /find, /secret), --reply answers server lines, the
// status bar shows the connection. `q` is a letter. Ctrl-R and the find prompt (/find, Ctrl-S)
// are sub-modes pushed on top of it (search_modes.hpp).
#pragma once

#include "echochat/core/line_editor.hpp"
#include "echochat/core/mode.hpp"
#include "echochat/core/reply.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// A command typed on the input line: "/quit". "//text" sends "/text".
struct chat_command {
  std::string_view name;   // with its slash
  std::string_view usage;  // how it is typed: "/find TEXT"
  std::string_view what;   // what it does, for /help and --help
};

// The commands chat mode knows, in the order /help lists them.
std::span<const chat_command> chat_commands();

class chat_mode final : public mode {
 public:
  // `capacity`: how many lines may wait while the connection is down before Enter is refused.
  // `history`: the input line's history at start (a history file's lines), oldest first.
  // `replies`: the --reply rules, answered as lines arrive.
  explicit chat_mode(std::size_t capacity, std::vector<std::string> history = {},
                     std::vector<reply_rule> replies = {});

  void on_key(const key& k, session_state& s, std::time_t now) override;
  void on_paste(std::string_view text, session_state& s, std::time_t now) override;
  void on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) override;
  void on_net_lines(net_lines_event& e, session_state& s, std::time_t now) override;
  std::optional<quit_reason> finished(const session_state& s) const override;
  void present(const session_state& s, presentation& p) const override;
  int bar_rows() const override { return 2; }

  const line_editor& input_line() const { return editor_; }
  // Lines of a multi-line paste that wait for Enter after the input line.
  const std::vector<std::string>& pasted_lines() const { return pasted_; }
  // /secret is on: lines sent are kept out of the history file.
  bool secret() const { return secret_; }

 private:
  void enter(session_state& s, std::time_t now);
  // A line typed alone that starts with a slash: true when it was a command (or not one, and
  // said so); false when it is a line to send (after "//" became "/").
  bool command(session_state& s, std::time_t now);

  std::size_t capacity_;
  line_editor editor_;
  std::vector<std::string> pasted_;
  std::vector<reply_rule> replies_;
  reply_limiter limiter_;
  std::string last_reverse_query_;  // Ctrl-R on an empty search takes it again
  bool secret_ = false;
};

}  // namespace echochat
