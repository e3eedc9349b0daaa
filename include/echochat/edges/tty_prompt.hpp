// Asking the user for a secret (a key's passphrase) on the controlling terminal, before the screen
// exists: the prompt on /dev/tty, the answer not echoed, the terminal's modes back however the
// prompt ends (Enter, Ctrl-C, a signal).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace echochat {

// The line typed after `prompt`, without its newline; nothing when there is no terminal to ask on
// or the input ended (Ctrl-D, a hang-up). Ctrl-C and the signals that end the program do so with
// echo back on.
std::optional<std::string> ask_secret(std::string_view prompt);

}  // namespace echochat
