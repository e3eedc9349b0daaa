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
  for (char c : typed)
    ev.keys.push_back(c == '\r' ? named_key(key_code::enter) : char_key(static_cast<char32_t>(c)));
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
inline const line_editor& input_line(const session& s) {
  return dynamic_cast<const chat_mode&>(s.base_mode()).input_line();
}

// Chat mode's lines of a multi-line paste that wait for Enter.
inline const std::vector<std::string>& pasted_lines(const session& s) {
  return dynamic_cast<const chat_mode&>(s.base_mode()).pasted_lines();
}

// The sub-mode M (a search) is open on top of the mode stack: it takes the keys.
template <class M>
bool is_open(const session& s) {
  return dynamic_cast<const M*>(&s.top_mode()) != nullptr;
}

// One read's worth of lines from the server, as the chat client sends them: one event.
inline net_lines_event server_lines(std::vector<std::string> texts) {
  net_lines_event e;
  for (auto& t : texts) e.lines.push_back(net_line{std::move(t), false});
  return e;
}
inline net_lines_event server_line(std::string text) { return server_lines({std::move(text)}); }

}  // namespace echochat::testing
