// Building frames: layout of the visible rows, the status bar fitted to the width, the input line.
#include "echochat/core/frame.hpp"

#include "echochat/core/line_editor.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/status_line.hpp"
#include "echochat/core/text_width.hpp"

#include <algorithm>

namespace echochat {

std::vector<std::pair<std::size_t, std::size_t>> frame::marks(const layout_row& r) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (r.e == nullptr || r.e != highlight.e) return out;
  for (const auto& [b, e] : highlight.ranges) {
    const std::size_t from = std::max(b, r.begin);
    const std::size_t to = std::min(e, r.end);
    if (from < to) out.emplace_back(from - r.begin, to - r.begin);
  }
  return out;
}

input_row fit_input_line(std::string_view text, int cursor_column, int cols, std::string_view prompt_text) {
  const int prompt = !prompt_text.empty() && cols >= 4 ? text_width(prompt_text) : 0;
  const int room = std::max(cols - prompt - 1, 1);  // keep a cell for the cursor at the end
  const int skip = cursor_column >= room ? cursor_column - room + 1 : 0;
  std::size_t i = 0;
  int skipped = 0;
  while (i < text.size() && skipped < skip) {
    const text_char ch = char_at(text, i);
    skipped += ch.cells;
    i += ch.bytes;
  }
  const std::string_view rest = text.substr(i);
  input_row row;
  row.text = prompt > 0 ? std::string{prompt_text} : "";
  row.text.append(rest.substr(0, fit_cells(rest, cols - prompt).bytes));
  row.cursor = std::min(prompt + cursor_column - skipped, cols - 1);
  return row;
}

void frame_builder::add_marker(std::uint64_t id, const transcript& t, frame& f) {
  // The "── new ──" row goes above the marked entry's first row when that row is in view and
  // not the top one (the marker would be above the window then); the top row makes room.
  const entry* marked = t.find(id);
  if (marked == nullptr) return;
  const auto rows = f.transcript;
  std::size_t at = 0;
  while (at < rows.size() && !(rows[at].e == marked && rows[at].first)) ++at;
  if (at == rows.size()) return;
  const bool full = rows.size() >= static_cast<std::size_t>(f.text_rows);
  if (full && at == 0) return;
  marked_.assign(rows.begin() + (full ? 1 : 0), rows.begin() + static_cast<std::ptrdiff_t>(at));
  layout_row marker;
  marker.marker = true;
  marked_.push_back(marker);
  marked_.insert(marked_.end(), rows.begin() + static_cast<std::ptrdiff_t>(at), rows.end());
  f.transcript = marked_;
}

const frame& frame_builder::build(const session& s, std::span<const entry> fresh) {
  const viewport& view = s.view();
  frame& f = frame_;
  f.fresh = fresh;
  f.typing = s.entries().typing() ? &*s.entries().typing() : nullptr;
  if (entries_only_) {
    f.rows = 0;
    f.cols = 0;
    f.text_rows = 0;
    f.transcript = {};
    f.status_row = -1;
    f.input.reset();
    return f;
  }
  f.rows = view.rows();
  f.cols = view.cols();
  f.text_rows = view.transcript_rows();
  f.prefix = prefix_width(f.cols);
  f.transcript = layout_.update(s.entries(), f.cols, f.text_rows, view.scroll()).rows;
  presentation p = s.present();
  f.highlight = std::move(p.highlight);
  if (const auto marker = s.state().unread.marker()) add_marker(*marker, s.entries(), f);
  f.status_row = f.rows - s.base_mode().bar_rows();
  f.status.clear();
  if (f.status_row >= 0) {
    f.status = status_line(s, std::move(p.status), p.quit_hint);
    f.status.resize(fit_cells(f.status, f.cols).bytes);
  }
  if (p.prompt) {
    const std::string_view before_cursor = std::string_view(p.prompt->text).substr(0, p.prompt->cursor);
    f.input = fit_input_line(p.prompt->text, static_cast<int>(display_width(before_cursor, char_width)),
                             f.cols, "");
  } else if (p.input != nullptr) {
    f.input = fit_input_line(p.input->text(), static_cast<int>(p.input->cursor_column(char_width)), f.cols);
  } else {
    f.input.reset();
  }
  return f;
}

}  // namespace echochat
