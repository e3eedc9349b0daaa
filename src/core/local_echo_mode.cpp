// Local echo mode's rules: keys echo into the transcript, q quits, a paste is text.
#include "echochat/core/local_echo_mode.hpp"

#include "echochat/core/key_decoder.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/utf8.hpp"

namespace echochat {

void local_echo_mode::on_key(const key& k, session_state& s, std::time_t now) {
  s.view.to_live();  // typing jumps back to the live end
  if (is_printable(k)) {
    if (k.ch == U'q') return s.exit.quit(quit_reason::key);
    std::string utf8;
    append_utf8(utf8, k.ch);
    // A C1 control or a bidi override typed (or pasted unbracketed) is shown escaped, as a
    // peer's would be: raw, it would drive the terminal or reorder the line.
    s.entries.type(now, is_escaped_code_point(k.ch) ? sanitize(utf8) : utf8);
    return;
  }
  if (k.mods == key_mod::none) {
    if (k.code == key_code::enter) return s.finish_typing(now);
    if (k.code == key_code::backspace) {
      s.entries.backspace();
      return;
    }
  }
  s.entries.type_token(now, key_name(k));
}

void local_echo_mode::on_paste(std::string_view text, session_state& s, std::time_t now) {
  // A paste is text: its characters append (a q in it is a letter), its line breaks end entries.
  // Controls other than line breaks are not text: they show by the name the key would have had.
  s.view.to_live();
  std::string run;
  auto flush = [&] {
    if (!run.empty()) s.entries.type(now, sanitize(run));  // invalid UTF-8, C1 controls
    run.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == '\r' || b == '\n') {
      flush();
      if (b == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      s.finish_typing(now);
    } else if (b < 0x20 || b == 0x7F) {
      flush();
      s.entries.type_token(now, key_name(control_key(b)));
    } else {
      run.push_back(static_cast<char>(b));
    }
  }
  flush();
}

void local_echo_mode::on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) {
  for (auto& l : lines) s.add(now, source::you, sanitize(l));
}

std::optional<quit_reason> local_echo_mode::finished(const session_state&) const {
  return quit_reason::finished;
}

void local_echo_mode::present(const session_state&, presentation& p) const {
  p.status.push_back({"local echo", 8});
  p.quit_hint = "q quits";
}

}  // namespace echochat
