// Test support: building key events for a session and reading its transcript back, shared by
// the session unit tests and the in-process pipeline tests.
#pragma once

#include "echochat/core/chat_mode.hpp"
#include "echochat/core/line_editor.hpp"
#include "echochat/core/session.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace echochat::testing {

// Plain mode (no terminal): what runs when stdin or stdout is not a tty. keep_fresh is on
// because plain output prints the entries finished since the last draw.
inline session_config plain_config() {
  session_config c;
  c.terminal = false;
  c.keep_fresh = true;
  return c;
}

// One event with a key per character of `typed` ('\r' is Enter): what a burst of typing reads as.
inline keys_event keys(std::string_view typed) {
  keys_event ev;
  for (char c : typed) ev.keys.push_back(c == '\r' ? named_key(key_code::enter) : char_key(static_cast<char32_t>(c)));
  return ev;
}

// One event holding the single key `k`.
inline keys_event one(key k) {
  keys_event ev;
  ev.keys.push_back(k);
  return ev;
}

// Every entry of the transcript as "tag text", oldest first.
inline std::vector<std::string> texts(const session& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.entries().size(); ++i) {
    const entry& e = s.entries().at(i);
    out.push_back(std::string{source_tag(e.src)} + " " + e.text);
  }
  return out;
}

// Chat mode's input line.
inline const line_editor& input_line(const session& s) { return *s.rules().input_line(); }

// Chat mode's lines of a multi-line paste that wait for Enter.
inline const std::vector<std::string>& pasted_lines(const session& s) {
  return dynamic_cast<const chat_mode&>(s.rules()).pasted_lines();
}

}  // namespace echochat::testing
