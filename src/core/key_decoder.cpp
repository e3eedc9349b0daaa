// The key decoder: a small hand-written state machine over the byte stream (see key_decoder.hpp).
#include "echochat/core/key_decoder.hpp"

#include "echochat/core/utf8.hpp"

#include <charconv>

namespace echochat {
namespace {

constexpr char esc = '\x1b';
constexpr std::string_view paste_end_marker = "\x1b[201~";
constexpr std::size_t max_sequence = 64;  // a longer "sequence" is noise, not a key

}  // namespace

key control_key(unsigned char b) {
  switch (b) {
    case 0x00: return ctrl_key(U' ');
    case 0x08: return named_key(key_code::backspace);
    case 0x09: return named_key(key_code::tab);
    case 0x0A:
    case 0x0D: return named_key(key_code::enter);
    case 0x1B: return named_key(key_code::escape);
    case 0x7F: return named_key(key_code::backspace);
    default: break;
  }
  if (b >= 0x01 && b <= 0x1A) return ctrl_key(static_cast<char32_t>('a' + b - 1));
  return ctrl_key(static_cast<char32_t>(b + 0x40));  // 0x1C..0x1F: \ ] ^ _
}

namespace {

// xterm encodes modifiers as 1 + (shift | alt << 1 | ctrl << 2).
key_mod xterm_mods(unsigned param) {
  if (param < 2) return key_mod::none;
  return static_cast<key_mod>((param - 1) & 7u);
}

key with_mods(key k, key_mod mods) {
  k.mods = k.mods | mods;
  return k;
}

key tilde_key(unsigned n) {
  switch (n) {
    case 1:
    case 7: return named_key(key_code::home);
    case 2: return named_key(key_code::insert);
    case 3: return named_key(key_code::del);
    case 4:
    case 8: return named_key(key_code::end);
    case 5: return named_key(key_code::page_up);
    case 6: return named_key(key_code::page_down);
    case 11:
    case 12:
    case 13:
    case 14:
    case 15: return fn_key(n - 10);
    case 17:
    case 18:
    case 19:
    case 20:
    case 21: return fn_key(n - 11);
    case 23:
    case 24:
    case 25:
    case 26: return fn_key(n - 12);
    case 28:
    case 29: return fn_key(n - 13);
    case 31:
    case 32:
    case 33:
    case 34: return fn_key(n - 14);
    case 200: return named_key(key_code::paste_begin);
    case 201: return named_key(key_code::paste_end);
    default: return named_key(key_code::unknown);
  }
}

// The key for a letter final byte (CSI or SS3): arrows, Home/End, F1-F4, keypad Enter, Shift-Tab.
key letter_key(char final) {
  switch (final) {
    case 'A': return named_key(key_code::up);
    case 'B': return named_key(key_code::down);
    case 'C': return named_key(key_code::right);
    case 'D': return named_key(key_code::left);
    case 'H': return named_key(key_code::home);
    case 'F': return named_key(key_code::end);
    case 'P': return fn_key(1);
    case 'Q': return fn_key(2);
    case 'R': return fn_key(3);
    case 'S': return fn_key(4);
    case 'M': return named_key(key_code::enter);
    case 'Z': return named_key(key_code::tab, key_mod::shift);
    default: return named_key(key_code::unknown);
  }
}

// Splits "a;b" CSI parameters into at most two numbers (missing ones are 0).
void csi_params(std::string_view params, unsigned& first, unsigned& second) {
  first = second = 0;
  const auto semi = params.find(';');
  auto parse = [](std::string_view s, unsigned& v) {
    const auto colon = s.find(':');  // kitty-style sub-parameters: keep the main value
    if (colon != std::string_view::npos) s = s.substr(0, colon);
    std::from_chars(s.data(), s.data() + s.size(), v);
  };
  parse(params.substr(0, semi), first);
  if (semi != std::string_view::npos) parse(params.substr(semi + 1), second);
}

// The key a whole CSI sequence stands for, from its parameters and its final byte.
key csi_key(std::string_view params, bool intermediates, char fin) {
  if (intermediates || (!params.empty() && (params[0] < '0' || params[0] > ';'))) {
    return named_key(key_code::unknown);  // intermediates or private markers: not a key we know
  }
  unsigned p1 = 0, p2 = 0;
  csi_params(params, p1, p2);
  if (fin == '~') return with_mods(tilde_key(p1), xterm_mods(p2));
  if (fin == 'M') return named_key(key_code::unknown);  // CSI M is a mouse report, not Enter
  return with_mods(letter_key(fin), xterm_mods(p2 != 0 ? p2 : (p1 > 1 ? p1 : 0)));
}

}  // namespace

std::optional<key> mouse_wheel(std::string_view params, bool press) {
  unsigned button = 0, x = 0;
  csi_params(params, button, x);
  return mouse_wheel_button(button, press);
}

std::optional<key> mouse_wheel_button(unsigned button, bool press) {
  // Bits 2-4 are Shift, Meta and Ctrl, 32 is motion, 64 the wheel; its low bits say which way
  // (0 up, 1 down, 2 and 3 the horizontal wheel, not used here).
  if (!press || (button & 64U) == 0 || (button & (32U | 128U)) != 0) return std::nullopt;
  switch (button & 3U) {
    case 0: return named_key(key_code::wheel_up);
    case 1: return named_key(key_code::wheel_down);
    default: return std::nullopt;
  }
}

void key_decoder::feed(std::string_view bytes, std::vector<key>& out) {
  if (pending_.empty()) {
    decode_all(bytes, out);  // the usual case: nothing kept, no copy
    return;
  }
  std::string joined = std::move(pending_);
  pending_.clear();
  joined.append(bytes);
  decode_all(joined, out);
}

void key_decoder::decode_all(std::string_view in, std::vector<key>& out) {
  while (!in.empty()) {
    if (paste_mode_) {
      feed_paste(in, out);
      continue;
    }
    // Typing and unbracketed pastes are mostly runs of printable ASCII: one key per byte, with
    // no need for the state machine.
    std::size_t run = 0;
    while (run < in.size() && in[run] >= 0x20 && in[run] < 0x7F) ++run;
    if (run > 0) {
      for (std::size_t i = 0; i < run; ++i) out.push_back(char_key(static_cast<char32_t>(in[i])));
      in.remove_prefix(run);
      continue;
    }
    if (decode_one(in, out, false) == step::need_more) {
      pending_.assign(in);
      return;
    }
  }
}

void key_decoder::flush(std::vector<key>& out) {
  std::string rest = std::move(pending_);
  pending_.clear();
  std::string_view in = rest;
  while (!in.empty()) {
    if (paste_mode_) {
      feed_paste(in, out);
      if (!pending_.empty()) {  // a paste cut short by the end of input: keep what came
        keep_paste_text(pending_);
        pending_.clear();
      }
      continue;
    }
    decode_one(in, out, true);
  }
}

void key_decoder::feed_paste(std::string_view& in, std::vector<key>& out) {
  // Everything up to the end marker is text. The marker may be split across chunks: keep a
  // tail that could be its start.
  const auto end = in.find(paste_end_marker);
  if (end != std::string_view::npos) {
    keep_paste_text(in.substr(0, end));
    in.remove_prefix(end + paste_end_marker.size());
    paste_mode_ = false;
    if (std::exchange(paste_refused_, false)) {
      out.push_back(named_key(key_code::paste_refused));
    } else {
      out.push_back(named_key(key_code::paste_end));
      pastes_.push_back(std::move(paste_));
    }
    paste_.clear();
    return;
  }
  std::size_t keep = 0;
  for (std::size_t n = std::min(in.size(), paste_end_marker.size() - 1); n > 0; --n) {
    if (in.substr(in.size() - n) == paste_end_marker.substr(0, n)) {
      keep = n;
      break;
    }
  }
  keep_paste_text(in.substr(0, in.size() - keep));
  pending_.assign(in.substr(in.size() - keep));
  in = {};
}

void key_decoder::keep_paste_text(std::string_view text) {
  if (paste_refused_) return;
  if (paste_.size() + text.size() > max_paste_) {
    paste_refused_ = true;
    std::string{}.swap(paste_);  // the memory goes now, not at the end of the paste
    return;
  }
  paste_.append(text);
}

key_decoder::step key_decoder::decode_one(std::string_view& in, std::vector<key>& out, bool final) {
  const auto b = static_cast<unsigned char>(in[0]);
  if (b == static_cast<unsigned char>(esc)) return decode_escape(in, out, final);
  if (b < 0x20 || b == 0x7F) {
    out.push_back(control_key(b));
    in.remove_prefix(1);
    return step::done;
  }
  // The core's one UTF-8 rule (as the framer and the line editor): each maximal ill-formed
  // subpart is one U+FFFD; a valid prefix waits for the rest of its character.
  const utf8_char ch = decode_utf8(in);
  if (ch.status == utf8_status::truncated) {
    if (!final) return step::need_more;
    out.push_back(char_key(0xFFFD));  // a character cut short by the end of input
    in = {};
    return step::done;
  }
  out.push_back(char_key(ch.value));
  in.remove_prefix(ch.length);
  return step::done;
}

key_decoder::step key_decoder::decode_escape(std::string_view& in, std::vector<key>& out, bool final) {
  if (in.size() == 1) {
    if (!final) return step::need_more;
    out.push_back(named_key(key_code::escape));
    in = {};
    return step::done;
  }
  if (in[1] == '[') return decode_csi(in, out, final);
  if (in[1] == 'O') return decode_ss3(in, out, final);
  if (in[1] == esc) {
    // Esc Esc: the first is a key of its own; the second starts again.
    out.push_back(named_key(key_code::escape));
    in.remove_prefix(1);
    return step::done;
  }
  // Esc + key: that key with Alt.
  std::string_view rest = in.substr(1);
  std::vector<key> one;
  if (decode_one(rest, one, final) == step::need_more) return step::need_more;
  for (const key& k : one) out.push_back(with_mods(k, key_mod::alt));
  in = rest;
  return step::done;
}

key_decoder::step key_decoder::decode_csi(std::string_view& in, std::vector<key>& out, bool final) {
  // CSI: parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, one final byte 0x40-0x7E.
  std::size_t i = 2;
  while (i < in.size() && i < max_sequence && in[i] >= 0x30 && in[i] <= 0x3F) ++i;
  const std::size_t params_end = i;
  while (i < in.size() && i < max_sequence && in[i] >= 0x20 && in[i] <= 0x2F) ++i;
  if (i >= in.size() || i >= max_sequence) {
    if (!final && i < max_sequence) return step::need_more;
    // Cut short, or too long to be a key (decided the same however the bytes were chunked):
    // what came is Alt+[ and then ordinary keys.
    out.push_back(char_key(U'[', key_mod::alt));
    in.remove_prefix(2);
    return step::done;
  }
  const char fin = in[i];
  if (fin < 0x40 || fin > 0x7E) {  // malformed: drop the sequence up to the stray byte
    out.push_back(named_key(key_code::unknown));
    in.remove_prefix(i);
    return step::done;
  }
  if (fin == '[' && i == 2) return decode_linux_fn(in, out, final);
  if (fin == 'M' && i == 2) return decode_x10_mouse(in, out, final);
  const std::string_view params = in.substr(2, params_end - 2);
  const bool intermediates = i != params_end;
  in.remove_prefix(i + 1);
  if (params.starts_with('<') && !intermediates && (fin == 'M' || fin == 'm')) {
    // An SGR 1006 mouse report, CSI < b ; x ; y M (press) or m (release). Parsed whether or
    // not --mouse asked for them, so that one never shows as junk: the wheel is a key, the
    // rest (clicks, releases, motion) is dropped.
    if (const auto wheel = mouse_wheel(params.substr(1), fin == 'M')) out.push_back(*wheel);
    return step::done;
  }
  take_csi_key(csi_key(params, intermediates, fin), out);
  return step::done;
}

// An old-style X10 mouse report, ESC [ M and three bytes (the button and the column and row,
// each plus 32), sent by a terminal without SGR 1006 reporting: the wheel is a key, the rest is
// dropped, and none of its bytes is typed.
key_decoder::step key_decoder::decode_x10_mouse(std::string_view& in, std::vector<key>& out, bool final) {
  if (in.size() < 6) {
    if (!final) return step::need_more;
    in = {};  // cut short by the end of input: nothing of it is a key
    return step::done;
  }
  const auto button = static_cast<unsigned char>(in[3]);
  // In X10 encoding a release is button 3 and the wheel never releases: every report is a press.
  if (button >= 32) {
    if (const auto wheel = mouse_wheel_button(button - 32U, true)) out.push_back(*wheel);
  }
  in.remove_prefix(6);
  return step::done;
}

// The Linux console's F1-F5: ESC [ [ A..E.
key_decoder::step key_decoder::decode_linux_fn(std::string_view& in, std::vector<key>& out, bool final) {
  if (in.size() < 4) {
    if (!final) return step::need_more;
    out.push_back(named_key(key_code::unknown));
    in.remove_prefix(3);
    return step::done;
  }
  const char f = in[3];
  out.push_back(f >= 'A' && f <= 'E' ? fn_key(static_cast<unsigned>(f - 'A' + 1))
                                     : named_key(key_code::unknown));
  in.remove_prefix(4);
  return step::done;
}

void key_decoder::take_csi_key(key k, std::vector<key>& out) {
  if (k.code == key_code::paste_begin) {
    paste_mode_ = true;
    paste_refused_ = false;
    paste_.clear();
    return;  // the paste_end key reports the whole paste
  }
  if (k.code == key_code::paste_end) return;  // stray end marker: nothing to report
  out.push_back(k);
}

key_decoder::step key_decoder::decode_ss3(std::string_view& in, std::vector<key>& out, bool final) {
  // SS3: application cursor keys, F1-F4, keypad.
  if (in.size() < 3) {
    if (!final) return step::need_more;
    out.push_back(char_key(U'O', key_mod::alt));
    in.remove_prefix(2);
    return step::done;
  }
  const char fin = in[2];
  key k = letter_key(fin);
  if (fin >= 'j' && fin <= 'y') k = char_key(static_cast<char32_t>("*+,-./0123456789"[fin - 'j']));
  if (fin == 'X') k = char_key(U'=');
  in.remove_prefix(3);
  out.push_back(k);
  return step::done;
}

}  // namespace echochat
