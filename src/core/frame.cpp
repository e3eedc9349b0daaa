// Building frames: layout of the visible rows, the status bar fitted to the width, the input line.
#include "echochat/core/frame.hpp"

#include "echochat/core/line_editor.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/status_line.hpp"
#include "echochat/core/text_width.hpp"

#include <algorithm>

namespace echochat {

input_row fit_input_line(std::string_view text, int cursor_column, int cols) {
  const int prompt = cols >= 4 ? 2 : 0;
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
  row.text = prompt > 0 ? "> " : "";
  row.text.append(rest.substr(0, fit_cells(rest, cols - prompt).bytes));
  row.cursor = std::min(prompt + cursor_column - skipped, cols - 1);
  return row;
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
  const line_editor* editor = s.rules().input_line();
  f.status_row = f.rows - (editor != nullptr ? 2 : 1);
  f.status.clear();
  if (f.status_row >= 0) {
    f.status = status_line(s);
    f.status.resize(fit_cells(f.status, f.cols).bytes);
  }
  if (editor != nullptr) {
    f.input = fit_input_line(editor->text(), static_cast<int>(editor->cursor_column(char_width)), f.cols);
  } else {
    f.input.reset();
  }
  return f;
}

}  // namespace echochat
