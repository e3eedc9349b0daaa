// A decoded key press: what the key decoder produces and everything downstream consumes.
#pragma once

// Not needed here: for code that still takes append_utf8 from this header, its old home.
#include "echochat/core/utf8.hpp"

#include <cstdint>
#include <string>

namespace echochat {

enum class key_code : std::uint8_t {
  character,  // a Unicode scalar value in `ch` (may carry the alt modifier)
  enter,
  tab,
  backspace,
  escape,
  up,
  down,
  right,
  left,
  home,
  end,
  insert,
  del,
  page_up,
  page_down,
  function,   // F1..F20, number in `ch`
  ctrl,       // Ctrl + letter or symbol; the letter (lower case) or symbol in `ch`
  paste_begin,
  paste_end,
  unknown,    // a well-formed escape sequence we have no name for
};

namespace key_mod {
inline constexpr std::uint8_t none = 0;
inline constexpr std::uint8_t shift = 1;
inline constexpr std::uint8_t alt = 2;
inline constexpr std::uint8_t ctrl = 4;
}  // namespace key_mod

struct key {
  key_code code = key_code::character;
  std::uint8_t mods = key_mod::none;
  char32_t ch = 0;

  friend bool operator==(const key&, const key&) = default;
};

constexpr key char_key(char32_t c, std::uint8_t mods = key_mod::none) {
  return key{key_code::character, mods, c};
}
constexpr key named_key(key_code code, std::uint8_t mods = key_mod::none) {
  return key{code, mods, 0};
}
constexpr key ctrl_key(char32_t c) { return key{key_code::ctrl, key_mod::none, c}; }
constexpr key fn_key(unsigned n, std::uint8_t mods = key_mod::none) {
  return key{key_code::function, mods, static_cast<char32_t>(n)};
}

// True for a key that echoes as itself (a printable character without modifiers).
constexpr bool is_printable(const key& k) {
  return k.code == key_code::character && k.mods == key_mod::none;
}

// The name shown for a non-printable key, with angle brackets: "<Up>", "<C-a>", "<M-x>", "<F5>",
// "<S-Tab>", "<C-Left>". For a printable key: its UTF-8 text.
std::string key_name(const key& k);

}  // namespace echochat
