// Ctrl-R, as readline does it: a search back through the input history that narrows as the
// user types, finds older matches on Ctrl-R again, and widens again on Backspace. Pure: it
// reads the history and says what to show; chat mode decides what the keys do.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

class reverse_search {
 public:
  // Over `history` (oldest first; it must outlive the search and stay as it is meanwhile).
  // `last_query`: the previous search's text, which Ctrl-R on an empty search takes again.
  explicit reverse_search(const std::deque<std::string>& history, std::string last_query = {});

  // Typing: the search text grows and the match is looked for from the current one back.
  void type(std::string_view text);
  // Ctrl-R again: the next older line that matches (and differs from the current match).
  void older();
  // Backspace: back to how the search was before the last key (readline's behaviour).
  void widen();

  const std::string& query() const { return steps_.back().query; }
  // The last key found nothing: the match is the one before it.
  bool failed() const { return steps_.back().failed; }
  // The index of the matching history line, if any yet.
  std::optional<std::size_t> match() const { return steps_.back().match; }
  // The matched line, or nothing.
  std::optional<std::string> match_text() const;
  // The byte offset of the search text in the matched line (0 without a match).
  std::size_t match_offset() const { return steps_.back().offset; }

  // The input row: "(reverse-i-search)'text': match", "(failed reverse-i-search)..." after a
  // miss; `cursor` gets the byte offset of where the match is in it (readline puts the cursor
  // there), or the end of the row without a match.
  std::string prompt(std::size_t& cursor) const;

 private:
  struct step {
    std::string query;
    std::optional<std::size_t> match;
    std::size_t offset = 0;
    bool failed = false;
  };
  // The newest line at or before `from` (an index + 1; 0: none left) that holds `query`,
  // skipping lines equal to `skip`.
  void search(const std::string& query, std::size_t from, const std::string* skip);

  const std::deque<std::string>* history_;
  std::string last_query_;
  std::vector<step> steps_;
};

}  // namespace echochat
