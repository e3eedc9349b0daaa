// Key names as the transcript shows them.
#include "echochat/core/key.hpp"

#include "echochat/core/utf8.hpp"

namespace echochat {

namespace {

const char* base_name(key_code code) {
  switch (code) {
    case key_code::enter: return "Enter";
    case key_code::tab: return "Tab";
    case key_code::backspace: return "Backspace";
    case key_code::escape: return "Esc";
    case key_code::up: return "Up";
    case key_code::down: return "Down";
    case key_code::right: return "Right";
    case key_code::left: return "Left";
    case key_code::home: return "Home";
    case key_code::end: return "End";
    case key_code::insert: return "Ins";
    case key_code::del: return "Del";
    case key_code::page_up: return "PgUp";
    case key_code::page_down: return "PgDn";
    case key_code::paste_begin: return "PasteStart";
    case key_code::paste_end: return "PasteEnd";
    case key_code::paste_refused: return "PasteRefused";
    case key_code::wheel_up: return "WheelUp";
    case key_code::wheel_down: return "WheelDown";
    case key_code::unknown: return "?";
    case key_code::character:
    case key_code::function:
    case key_code::ctrl: break;
  }
  return "?";
}

}  // namespace

std::string key_name(const key& k) {
  std::string out;
  if (is_printable(k)) {
    append_utf8(out, k.ch);
    return out;
  }
  out.push_back('<');
  if (k.code == key_code::ctrl || has(k.mods, key_mod::ctrl)) out += "C-";
  if (has(k.mods, key_mod::alt)) out += "M-";
  if (has(k.mods, key_mod::shift)) out += "S-";
  switch (k.code) {
    case key_code::character:
    case key_code::ctrl:
      if (k.ch == U' ') {
        out += "Space";
      } else {
        append_utf8(out, k.ch);
      }
      break;
    case key_code::function:
      out.push_back('F');
      out += std::to_string(static_cast<unsigned>(k.fn));
      break;
    default: out += base_name(k.code); break;
  }
  out.push_back('>');
  return out;
}

}  // namespace echochat
