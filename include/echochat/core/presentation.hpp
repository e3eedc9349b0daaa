// What a frame shows of the modes: the status bar's parts, the input line or a prompt in its
// place, and the highlighted text. The modes fill it in (mode.hpp); the frame and the screens
// read it, and see nothing of the modes themselves.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

struct entry;
class line_editor;

// One piece of the status bar, and how much it matters: when the terminal is too narrow for all
// of them, the least important go first.
struct status_part {
  std::string text;
  int weight = 0;
  // A long text that still says enough cut short (the offline reason): when the bar is too
  // narrow it is shortened to no fewer than this many cells, ending in "…", before it is dropped.
  // 0: shown whole or not at all.
  int shortest = 0;
};

// What the input row shows instead of the line being edited (a search prompt), and the byte
// offset in it where the cursor goes.
struct input_prompt {
  std::string text;
  std::size_t cursor = 0;
};

// Text of an entry the screen shows highlighted (the current find match): byte ranges of e->text.
struct text_highlight {
  const entry* e = nullptr;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
};

// What a frame shows of the modes: each layer of the stack adds to it, bottom to top.
struct presentation {
  std::vector<status_part> status;     // after "echochat" and before the slow task
  std::string_view quit_hint;          // how to quit, the status bar's last part
  const line_editor* input = nullptr;  // the line being edited, if the mode has an input line
  std::optional<input_prompt> prompt;  // shown on the input row in place of the line
  text_highlight highlight;            // what the screen highlights in the transcript
};

}  // namespace echochat
