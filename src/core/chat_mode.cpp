// Chat mode's rules: the input line, Enter and the bound on waiting lines, pastes, quitting.
#include "echochat/core/chat_mode.hpp"

#include "echochat/core/session.hpp"

namespace echochat {

void chat_mode::on_key(const key& k, session_state& s, std::time_t now) {
  if (k.mods == key_mod::none) {
    switch (k.code) {
      case key_code::enter:
        s.view.to_live();
        return send_input(s, now);
      case key_code::character:
        if (k.ch == U'q' && editor_.text().empty() && pasted_.empty()) return s.exit.quit(quit_reason::key);
        break;
      default: break;
    }
  }
  if (k.code == key_code::ctrl && k.ch == U'u') pasted_.clear();  // Ctrl-U drops a pending paste too
  if (editor_.handle(k)) s.view.to_live();
}

void chat_mode::on_paste(std::string_view text, session_state& s, std::time_t) {
  // The first line goes into the input line at the cursor; the others wait for Enter.
  s.view.to_live();
  std::size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    std::size_t stop = text.find_first_of("\r\n", start);
    if (stop == std::string_view::npos) stop = text.size();
    const std::string_view piece = text.substr(start, stop - start);
    if (first) {
      editor_.insert(piece);
      first = false;
    } else if (!piece.empty()) {
      line_editor clean;  // the same rules as typed text: valid UTF-8, no controls
      clean.insert(piece);
      pasted_.push_back(clean.text());
    }
    if (stop < text.size() && text[stop] == '\r' && stop + 1 < text.size() && text[stop + 1] == '\n') ++stop;
    start = stop + 1;
  }
}

void chat_mode::send_input(session_state& s, std::time_t now) {
  std::vector<std::string> lines;
  if (!editor_.text().empty()) lines.push_back(editor_.text());
  for (const auto& l : pasted_) {
    if (!l.empty()) lines.push_back(l);
  }
  if (lines.empty()) return;  // an empty line sends nothing
  if (s.net.waiting + lines.size() > capacity_) {
    // Refused, never silently dropped: the text stays in the input line.
    s.add(now, source::sys,
          "not sent: " + std::to_string(s.net.waiting) +
              " lines are already waiting for the connection (the most is " + std::to_string(capacity_) + ")");
    return;
  }
  editor_.submit();
  pasted_.clear();
  s.send(now, std::move(lines));
}

std::optional<quit_reason> chat_mode::finished(const session_state& s) const {
  // The connection is over once the outbox was sent and the server closed (or it gave up).
  if (s.net.state != net_state::closed) return std::nullopt;
  return s.net.waiting == 0 ? quit_reason::finished : quit_reason::unsent;
}

void chat_mode::status(const session_state& s, std::vector<status_part>& parts) const {
  parts.push_back({s.net.target, 3});
  switch (s.net.state) {
    case net_state::connecting: parts.push_back({"connecting", 9}); break;
    case net_state::online: parts.push_back({"online", 9}); break;
    case net_state::offline:
      parts.push_back({"offline, retry in " + std::to_string((s.net.retry_ms + 999) / 1000) + " s", 9});
      break;
    case net_state::closed: parts.push_back({"closed", 9}); break;
  }
  if (s.net.waiting > 0) parts.push_back({std::to_string(s.net.waiting) + " waiting", 8});
  if (!pasted_.empty()) {
    // The lines Enter will send: the input line (unless empty) and the waiting ones.
    const std::size_t lines = pasted_.size() + (editor_.text().empty() ? 0 : 1);
    parts.push_back({"Enter sends " + std::to_string(lines) + " pasted lines", 8});
  }
}

}  // namespace echochat
