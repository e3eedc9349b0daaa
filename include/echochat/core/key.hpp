// A decoded key press: what the key decoder produces and everything downstream consumes.
#pragma once

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
  function,  // F1..F20, number in `fn`
  ctrl,      // Ctrl + letter or symbol; the letter (lower case) or symbol in `ch`
  paste_begin,
  paste_end,      // ends a bracketed paste: the i-th of a keys_event's paste_end keys, its i-th paste
  paste_refused,  // ends a bracketed paste too big to hold, whose text was let go (no paste text)
  wheel_up,       // the mouse wheel (an SGR 1006 mouse report)
  wheel_down,
  unknown,  // a well-formed escape sequence we have no name for
};

// Modifiers held with a key: a set of bits, xterm's order (shift 1, alt 2, ctrl 4).
enum class key_mod : std::uint8_t { none = 0, shift = 1, alt = 2, ctrl = 4 };
constexpr key_mod operator|(key_mod a, key_mod b) {
  return static_cast<key_mod>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
// True when `set` holds modifier `m`.
constexpr bool has(key_mod set, key_mod m) {
  return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(m)) != 0;
}

struct key {
  key_code code = key_code::character;
  key_mod mods = key_mod::none;
  char32_t ch = 0;      // character: the code point; ctrl: the letter (lower case) or symbol
  std::uint8_t fn = 0;  // function: the F-key's number

  friend bool operator==(const key&, const key&) = default;
};

constexpr key char_key(char32_t c, key_mod mods = key_mod::none) { return key{key_code::character, mods, c}; }
constexpr key named_key(key_code code, key_mod mods = key_mod::none) { return key{code, mods, 0}; }
constexpr key ctrl_key(char32_t c) { return key{key_code::ctrl, key_mod::none, c}; }
constexpr key fn_key(unsigned n, key_mod mods = key_mod::none) {
  return key{key_code::function, mods, 0, static_cast<std::uint8_t>(n)};
}

// True for a key that echoes as itself (a printable character without modifiers).
constexpr bool is_printable(const key& k) { return k.code == key_code::character && k.mods == key_mod::none; }

// The name shown for a non-printable key, with angle brackets: "<Up>", "<C-a>", "<M-x>", "<F5>",
// "<S-Tab>", "<C-Left>". For a printable key: its UTF-8 text.
std::string key_name(const key& k);

}  // namespace echochat
