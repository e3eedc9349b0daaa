// Turns the terminal's byte stream into keys: UTF-8, C0 controls, CSI / SS3 sequences (normal
// and application cursor mode), Alt-prefixed keys and bracketed paste. Pure: no I/O, no clock.
#pragma once

#include "echochat/core/key.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

// A C0 control byte or DEL as the key it is typed as: 0x01 is <C-a>, 0x0D Enter, 0x7F Backspace.
key control_key(unsigned char b);

// The key an SGR 1006 mouse report stands for, from its parameters after the '<' ("64;10;5"),
// and whether it was a press (final M) or a release (m): the wheel, up or down; a click, a
// release or a motion is no key.
std::optional<key> mouse_wheel(std::string_view params, bool press);
// The same from the button number alone (an X10 report's first byte, less 32).
std::optional<key> mouse_wheel_button(unsigned button, bool press);

class key_decoder {
 public:
  // A bracketed paste bigger than this is refused whole: its text is let go as it comes and it
  // ends with a paste_refused key instead of a paste_end, so memory stays bounded.
  static constexpr std::size_t default_max_paste = 16 * 1024 * 1024;
  explicit key_decoder(std::size_t max_paste = default_max_paste) : max_paste_(max_paste) {}

  // Decodes as much of `bytes` as it can, appending keys to `out`. Bytes that may still be the
  // start of a longer sequence (an Esc, a split UTF-8 character, an unfinished CSI) are kept
  // for the next call.
  void feed(std::string_view bytes, std::vector<key>& out);

  // Text pasted between the bracketed-paste markers is not decoded as keys: each finished paste
  // is reported by a key_code::paste_end key, and its text kept here, in the same order. The
  // caller takes them with the keys after each feed()/flush().
  std::vector<std::string>& pastes() { return pastes_; }

  // True when the kept bytes begin with Esc: the caller starts the short timer after which
  // they are taken for what they are (a lone Esc, Alt+[, ...) by calling flush().
  bool escape_pending() const { return !paste_mode_ && !pending_.empty() && pending_.front() == '\x1b'; }
  bool has_pending() const { return !pending_.empty(); }
  bool in_paste() const { return paste_mode_; }

  // Decides the kept bytes now (timeout or end of input): a lone Esc becomes <Esc>, an
  // unfinished sequence becomes the keys its bytes spell, a split UTF-8 character U+FFFD.
  void flush(std::vector<key>& out);

 private:
  enum class step { done, need_more };
  void decode_all(std::string_view in, std::vector<key>& out);
  step decode_one(std::string_view& in, std::vector<key>& out, bool final);
  step decode_escape(std::string_view& in, std::vector<key>& out, bool final);
  step decode_csi(std::string_view& in, std::vector<key>& out, bool final);
  static step decode_linux_fn(std::string_view& in, std::vector<key>& out, bool final);
  static step decode_x10_mouse(std::string_view& in, std::vector<key>& out, bool final);
  static step decode_ss3(std::string_view& in, std::vector<key>& out, bool final);
  void take_csi_key(key k, std::vector<key>& out);  // a paste marker is no key: it starts a paste
  void feed_paste(std::string_view& in, std::vector<key>& out);

  std::string pending_;
  std::string paste_;
  std::vector<std::string> pastes_;
  std::size_t max_paste_;
  bool paste_mode_ = false;
  bool paste_refused_ = false;  // the paste under way went past max_paste_
  void keep_paste_text(std::string_view text);
};

}  // namespace echochat
