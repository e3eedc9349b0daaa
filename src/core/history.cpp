// The history file's format, parsing, compaction and recall order.
#include "echochat/core/history.hpp"

#include "echochat/core/sanitize.hpp"

#include <algorithm>

namespace echochat {

std::optional<std::string> history_path(const char* xdg_state_home, const char* home) {
  if (xdg_state_home != nullptr && xdg_state_home[0] == '/') {
    return std::string{xdg_state_home} + "/echochat/history";
  }
  if (home != nullptr && home[0] != '\0') return std::string{home} + "/.local/state/echochat/history";
  return std::nullopt;
}

std::string format_history_line(std::string_view destination, std::string_view text) {
  std::string line;
  line.reserve(destination.size() + text.size() + 2);
  line.append(destination);
  line.push_back('\t');
  line.append(text);
  line.push_back('\n');
  return line;
}

parsed_history parse_history(std::string_view content) {
  parsed_history h;
  while (!content.empty()) {
    const std::size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    if (nl == std::string_view::npos) {
      h.unfinished = true;
      content = {};
    } else {
      content.remove_prefix(nl + 1);
    }
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0 || tab + 1 == line.size()) {
      ++h.corrupt;
      continue;
    }
    // A TAB in the text can only be damage: it becomes "^I", visible and harmless.
    h.records.push_back({sanitize(line.substr(0, tab)), sanitize(line.substr(tab + 1))});
  }
  return h;
}

bool needs_compaction(const parsed_history& h, std::size_t limit) {
  return h.records.size() > limit || h.corrupt > 0 || h.unfinished;
}

std::string compact_history(const parsed_history& h, std::size_t limit) {
  const std::size_t skip = h.records.size() > limit ? h.records.size() - limit : 0;
  // Sized once: the kept lines can be tens of megabytes, and growing by doubling would hold
  // twice that for a moment.
  std::size_t size = 0;
  for (std::size_t i = skip; i < h.records.size(); ++i) {
    size += h.records[i].destination.size() + h.records[i].text.size() + 2;
  }
  std::string out;
  out.reserve(size);
  for (std::size_t i = skip; i < h.records.size(); ++i) {
    out += format_history_line(h.records[i].destination, h.records[i].text);
  }
  return out;
}

std::vector<std::string> recall_order(const std::vector<history_record>& records,
                                      std::string_view destination) {
  std::vector<std::string> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    if (r.destination != destination) out.push_back(r.text);
  }
  for (const auto& r : records) {
    if (r.destination == destination) out.push_back(r.text);
  }
  return out;
}

}  // namespace echochat
