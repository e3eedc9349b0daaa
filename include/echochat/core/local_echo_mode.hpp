// Local echo, the original program's rules: every key shows at once in the `you` entry being
// typed, Enter starts a new one, q quits.
#pragma once

#include "echochat/core/mode.hpp"

namespace echochat {

class local_echo_mode final : public mode {
 public:
  void on_key(const key& k, session_state& s, std::time_t now) override;
  void on_paste(std::string_view text, session_state& s, std::time_t now) override;
  void on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) override;
  std::optional<quit_reason> finished(const session_state& s) const override;
  void present(const session_state& s, presentation& p) const override;
};

}  // namespace echochat
