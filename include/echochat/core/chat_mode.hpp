// Chat mode's rules: keys edit an input line, Enter sends it (with the lines of a multi-line
// paste) or runs a command (/quit, /help, /find, /secret), the status bar shows the connection.
// `q` is a letter. Two small states sit on top of the input line: Ctrl-R's search of the input
// history and the find prompt (/find, Ctrl-S) over the transcript; each takes the keys while open.
#pragma once

#include "echochat/core/line_editor.hpp"
#include "echochat/core/mode.hpp"
#include "echochat/core/reply.hpp"
#include "echochat/core/reverse_search.hpp"
#include "echochat/core/transcript_search.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// A command typed on the input line: "/quit". "//text" sends "/text".
struct chat_command {
  std::string_view name;  // with its slash
  std::string_view what;  // for /help and for an unknown command's answer
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
  void status(const session_state& s, std::vector<status_part>& parts) const override;
  std::string_view quit_hint() const override { return "Ctrl-D quits"; }
  int bar_rows() const override { return 2; }
  const line_editor* input_line() const override { return &editor_; }
  std::optional<input_prompt> prompt() const override;
  text_highlight highlight(const session_state& s) const override;

  // Lines of a multi-line paste that wait for Enter after the input line.
  const std::vector<std::string>& pasted_lines() const { return pasted_; }
  // /secret is on: lines sent are kept out of the history file.
  bool secret() const { return secret_; }
  bool searching_history() const { return reverse_.has_value(); }
  bool finding() const { return find_.has_value(); }

 private:
  // The find prompt: its text, edited like the input line, and the search over the transcript.
  struct find_state {
    line_editor text{0};
    transcript_find find;
  };

  void reverse_key(const key& k, session_state& s, std::time_t now);
  // Ends Ctrl-R's search with its match (if any) in the input line, the cursor where it matched.
  void accept_reverse();
  void open_find(std::string text, session_state& s);
  void find_key(const key& k, session_state& s);
  // Scrolls the view to the current match.
  void show_match(session_state& s) const;
  void enter(session_state& s, std::time_t now);
  // A line typed alone that starts with a slash: true when it was a command (or not one, and
  // said so); false when it is a line to send (after "//" became "/").
  bool command(session_state& s, std::time_t now);

  std::size_t capacity_;
  line_editor editor_;
  std::vector<std::string> pasted_;
  std::vector<reply_rule> replies_;
  std::optional<reverse_search> reverse_;
  std::string last_reverse_query_;
  // Mutable: the matches catch up with the entries that arrived when the status bar or the
  // highlight is asked for.
  mutable std::optional<find_state> find_;
  bool secret_ = false;
};

}  // namespace echochat
