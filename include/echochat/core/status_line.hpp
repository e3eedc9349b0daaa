// The status bar's text: a free function over a read-only session.
#pragma once

#include "echochat/core/presentation.hpp"

#include <string>
#include <vector>

namespace echochat {

class session;

// The parts joined with " · ", dropping the least important ones (lowest weight) until they fit
// in `cols` cells; the last one left is kept whatever its width.
std::string join_status(std::vector<status_part> parts, int cols);

// The modes' parts (`mode_parts`, from session::present()), the slow task, key count, scroll
// marker and how to quit, as wide as the session's screen.
std::string status_line(const session& s, std::vector<status_part> mode_parts, std::string_view quit_hint);
// The same, asking the session for the modes' parts.
std::string status_line(const session& s);

}  // namespace echochat
