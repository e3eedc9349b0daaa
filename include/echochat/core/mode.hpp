// The rules that differ between modes, narrow as kakoune's InputMode: what a key and a paste do
// (input_mode, which the sub-modes on the stack share: Ctrl-R's search, the find prompt) and, for
// a mode the program runs in (local echo, chat), what data lines and server lines do and when the
// work is done. What the frame shows of a mode is asked once per frame, as one presentation.
#pragma once

#include "echochat/core/event.hpp"
#include "echochat/core/key.hpp"
#include "echochat/core/presentation.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

struct session_state;
enum class quit_reason : std::uint8_t;

// Keys and pastes, and what the frame shows: what every layer of the mode stack does.
class input_mode {
 public:
  virtual ~input_mode() = default;

  // A key the keys shared by every mode (paging, Ctrl-C, Ctrl-Z) did not take.
  virtual void on_key(const key& k, session_state& s, std::time_t now) = 0;
  // A bracketed paste: text, not keys.
  virtual void on_paste(std::string_view text, session_state& s, std::time_t now) = 0;
  // Adds what this layer shows to `p` (the layers below it have added theirs).
  virtual void present(const session_state& s, presentation& p) const = 0;
};

// A mode the program runs in: the bottom of the stack.
class mode : public input_mode {
 public:
  // Lines of data from standard input when it is not a terminal: no key in them means anything.
  virtual void on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) = 0;
  // Lines from the server (one read's worth). By default each is shown as a net entry.
  virtual void on_net_lines(net_lines_event& e, session_state& s, std::time_t now);
  // Without a terminal, once the input and the slow task are done: how the program ends now,
  // or nothing while this mode still has work (lines to send, a connection to close).
  virtual std::optional<quit_reason> finished(const session_state& s) const = 0;
  // The rows under the transcript: the status bar, and an input line if the mode has one.
  virtual int bar_rows() const { return 1; }
};

}  // namespace echochat
