// The sub-modes pushed on top of whichever mode runs, as kakoune pushes its prompts: Ctrl-R's
// search back through the lines sent, and the find prompt (/find, Ctrl-S) over the transcript.
// Each takes the keys while open and pops itself when done.
#pragma once

#include "echochat/core/line_editor.hpp"
#include "echochat/core/mode.hpp"
#include "echochat/core/reverse_search.hpp"
#include "echochat/core/transcript_search.hpp"

#include <string>

namespace echochat {

// Ctrl-R: searches the history of `editor` and, when done, puts the match into it.
class reverse_search_mode final : public input_mode {
 public:
  // `last_query`: the previous search's text, which Ctrl-R on an empty search takes again; it
  // gets this search's text when it ends. Both outlive the sub-mode (they are the chat mode's).
  reverse_search_mode(line_editor& editor, std::string& last_query);

  void on_key(const key& k, session_state& s, std::time_t now) override;
  void on_paste(std::string_view text, session_state& s, std::time_t now) override;
  void present(const session_state& s, presentation& p) const override;

 private:
  // Ends the search with its match (if any) in the input line, the cursor where it matched.
  void accept(session_state& s);
  void end(session_state& s);

  line_editor& editor_;
  std::string& last_query_;
  reverse_search search_;
};

// The find prompt: its text, edited like the input line, and the search over the transcript;
// the view scrolls to the current match, which the screen highlights.
class find_mode final : public input_mode {
 public:
  find_mode(const std::string& text, session_state& s);

  void on_key(const key& k, session_state& s, std::time_t now) override;
  void on_paste(std::string_view text, session_state& s, std::time_t now) override;
  void present(const session_state& s, presentation& p) const override;

 private:
  void show_match(session_state& s) const;

  line_editor text_{0};
  // Mutable: the matches catch up with the entries that arrived when the frame asks.
  mutable transcript_find find_;
};

// A key's or a paste's text as an input line would take it: its first line, valid UTF-8, no
// controls.
std::string clean_text(std::string_view text);

}  // namespace echochat
