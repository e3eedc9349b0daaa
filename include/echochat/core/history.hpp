// The persistent input history's pure parts: where the file lives, its line format, reading it
// back (corrupt lines counted, texts sanitized), compaction, and the order Up/Down walk it in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace echochat {

// One sent line and the destination (the --connect value) it went to.
struct history_record {
  std::string destination;
  std::string text;
  friend bool operator==(const history_record&, const history_record&) = default;
};

// The file keeps at most this many lines; a longer one is compacted at start.
constexpr std::size_t history_file_limit = 1000;

// $XDG_STATE_HOME/echochat/history, else $HOME/.local/state/echochat/history; nothing when
// neither is set (or XDG_STATE_HOME is not absolute, as the XDG spec asks, and HOME is unset).
std::optional<std::string> history_path(const char* xdg_state_home, const char* home);

// One line of the file: "DESTINATION<TAB>TEXT\n". The text never holds a TAB or a line break
// (the input line turns TAB into a space and has no line breaks), nor does a destination.
std::string format_history_line(std::string_view destination, std::string_view text);

struct parsed_history {
  std::vector<history_record> records;  // oldest first
  std::size_t corrupt = 0;              // lines without a destination, or with an empty text
  // The last line had no newline (a write cut short): kept, but the file is written again so
  // that the next line does not join it.
  bool unfinished = false;
};

// Reads a whole file's content. Texts and destinations go through the sanitizer, so whatever
// was in the file, what comes out is safe to show and to edit.
parsed_history parse_history(std::string_view content);

// Whether the file should be written again: longer than `limit`, corrupt lines, a cut line.
bool needs_compaction(const parsed_history& h, std::size_t limit = history_file_limit);

// The newest `limit` records as the file's new content.
std::string compact_history(const parsed_history& h, std::size_t limit = history_file_limit);

// The texts in the order the input line's history holds them (oldest first, so Up meets the
// last one first): the lines sent to other destinations, then those sent to `destination`.
// Up and Down therefore walk this destination's lines first, newest first.
std::vector<std::string> recall_order(const std::vector<history_record>& records,
                                      std::string_view destination);

}  // namespace echochat
