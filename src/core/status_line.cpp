// The status bar's text: the parts in the order shown, each with how much it matters.
#include "echochat/core/status_line.hpp"

#include "echochat/core/session.hpp"
#include "echochat/core/text_width.hpp"

#include <algorithm>

namespace echochat {

std::string join_status(std::vector<status_part> parts, int cols) {
  constexpr std::string_view sep = " · ";
  // Each part measured once: dropping one takes its width (and a separator's) off the total.
  int width = -3;
  std::size_t bytes = 0;
  for (const auto& p : parts) {
    width += text_width(p.text) + 3;
    bytes += p.text.size() + sep.size();
  }
  while (parts.size() > 1 && width > cols) {
    const auto least =
        std::min_element(parts.begin(), parts.end(),
                         [](const status_part& a, const status_part& b) { return a.weight < b.weight; });
    const int own = text_width(least->text);
    if (least->shortest > 0 && own > least->shortest) {
      // Cut to what fits (or to its shortest), "…" in the last cell; dropped only if that is not enough.
      const int room = std::max(least->shortest, own - (width - cols));
      const fitted kept = fit_cells(least->text, room - 1);
      least->text.resize(kept.bytes);
      least->text += "…";
      least->shortest = 0;  // once cut, it is dropped if the bar is still too wide
      width -= own - (kept.cells + 1);
      continue;
    }
    width -= own + 3;
    parts.erase(least);
  }
  std::string s;
  s.reserve(bytes);
  for (const auto& p : parts) {
    if (!s.empty()) s += sep;
    s += p.text;
  }
  return s;
}

std::string status_line(const session& s) {
  presentation p = s.present();
  return status_line(s, std::move(p.status), p.quit_hint);
}

std::string status_line(const session& s, std::vector<status_part> mode_parts, std::string_view quit_hint) {
  // When the terminal is too narrow for all of them, the least important go first, so the state
  // of the connection and how to quit stay in view.
  const session_state& st = s.state();
  std::vector<status_part> parts;
  parts.reserve(mode_parts.size() + 8);  // a frame's parts without growing the vector
  parts.push_back({"echochat", 6});
  for (auto& p : mode_parts) parts.push_back(std::move(p));
  if (st.slow.done) {
    parts.push_back({"slow task done", 4});
  } else if (st.slow.seconds_left) {
    const std::int64_t left = *st.slow.seconds_left;
    parts.push_back({"slow task in " + (left >= 120 ? std::to_string((left + 59) / 60) + " min"
                                                    : std::to_string(left) + " s"),
                     4});
  } else {
    parts.push_back({"slow task pending", 4});
  }
  parts.push_back({std::to_string(st.keys) + (st.keys == 1 ? " key" : " keys"), 2});
  if (st.log_failed) parts.push_back({"log failed", 8});
  if (st.view.scroll() > 0) parts.push_back({"scrolled back (PgDn)", 7});
  if (st.view.scroll() > 0 && st.unread.count() > 0) {
    parts.push_back({std::to_string(st.unread.count()) + " new ↓", 8});  // what arrived below
  }
  parts.push_back({std::string{quit_hint}, 10});
  return join_status(std::move(parts), st.view.cols());
}

}  // namespace echochat
