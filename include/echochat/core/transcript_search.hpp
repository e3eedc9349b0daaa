// /find over the transcript: which entries hold the text, which one is current, where its
// occurrences are (for the highlight), and how far to scroll to show it. Pure.
#pragma once

#include "echochat/core/text_search.hpp"
#include "echochat/core/transcript.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace echochat {

class transcript_find {
 public:
  // Searches the finished entries of `t` for `query`; the current match is the newest.
  transcript_find(std::string query, const transcript& t);

  const std::string& query() const { return finder_.needle(); }
  // A new search text: searched again, from the newest entry back.
  void set_query(std::string query, const transcript& t);
  // Takes in the entries finished (or amended) since the last call and forgets those the
  // scrollback dropped; the current match stays the same entry while it is kept.
  void update(const transcript& t);

  std::size_t count() const { return ids_.size(); }
  // The current match counted from the oldest (1 to count()), or nothing without a match.
  std::optional<std::size_t> position() const;
  // The next older / newer match; false when there is none (the current one stays).
  bool older();
  bool newer();

  // The current match's index in `t` (updated), or nothing.
  std::optional<std::size_t> current_index(const transcript& t) const;
  // The current match's entry in `t` (updated), or nullptr.
  const entry* current(const transcript& t) const;
  // Where the text occurs in `e`'s text: byte ranges, in order, not overlapping.
  std::vector<std::pair<std::size_t, std::size_t>> occurrences(const entry& e) const;

 private:
  void scan(const transcript& t, std::uint64_t from_id);

  text_finder finder_;
  std::vector<std::uint64_t> ids_;  // matching entries, oldest first, by transcript-wide number
  std::uint64_t scanned_ = 0;       // entries numbered below this have been looked at
  std::uint64_t amendments_ = 0;    // t.amendments() when they were: more, and they may match now
  std::size_t current_ = 0;         // index into ids_ (when not empty)
};

// How far back from the live end to scroll (rows) so that entry `index` of `t` shows in the
// middle of a transcript `height` rows tall and `cols` wide (clamped when laid out).
int scroll_to_show(const transcript& t, std::size_t index, int cols, int height);

}  // namespace echochat
