// Chat mode's rules: the input line, Enter, commands, the bound on waiting lines, pastes.
#include "echochat/core/chat_mode.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/core/session.hpp"

#include <array>

namespace echochat {

namespace {

constexpr std::array<chat_command, 2> commands{{
    {"/quit", "quits (so do Ctrl-D on an empty line and Ctrl-C)"},
    {"/help", "lists the keys and commands"},
}};

constexpr std::array<std::string_view, 6> help_lines{
    "keys: Enter sends the line; Left/Right, Home/End (Ctrl-A/Ctrl-E), Backspace/Del move and delete",
    "keys: Ctrl-U clears the line, Ctrl-W deletes a word, Up/Down walk the lines sent, PgUp/PgDn scroll",
    "keys: Ctrl-D on an empty line, Ctrl-C or /quit quits; q is a letter like any other",
    "a line that starts with a slash is a command; //text sends /text",
    "/quit quits",
    "/help lists the keys and commands",
};

std::string command_list() {
  std::string list;
  for (const auto& c : commands) {
    if (!list.empty()) list += ", ";
    list += c.name;
  }
  return list;
}

}  // namespace

std::span<const chat_command> chat_commands() { return commands; }

void chat_mode::on_key(const key& k, session_state& s, std::time_t now) {
  if (k.mods == key_mod::none) {
    if (k.code == key_code::enter) {
      s.view.to_live();
      return enter(s, now);
    }
    // Ctrl-D on an empty line is the end of what the user has to say, as in a shell.
    if (k.code == key_code::ctrl && k.ch == U'd' && editor_.text().empty() && pasted_.empty()) {
      return s.exit.quit(quit_reason::key);
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
      pasted_.push_back(clean.take_text());
    }
    if (stop < text.size() && text[stop] == '\r' && stop + 1 < text.size() && text[stop + 1] == '\n') ++stop;
    start = stop + 1;
  }
}

void chat_mode::on_lines(std::vector<std::string> lines, session_state& s, std::time_t now) {
  // Data, not typing: every line is sent as it is (made safe to show and to frame), commands
  // and all, and nothing here quits.
  for (auto& l : lines) {
    if (!is_safe_text(l)) l = sanitize(l);
  }
  s.send(now, std::move(lines));
}

void chat_mode::on_net_lines(net_lines_event& e, session_state& s, std::time_t now) {
  // A --reply answer goes out at once, shown (dimmed) right after the line it answers; a cut
  // piece is not a whole line, so it never matches.
  for (auto& l : e.lines) {
    std::optional<std::string> answer;
    if (!replies_.empty() && !l.cut) answer = answer_for(replies_, l.text);
    s.add_net_line(l, now);
    if (answer) s.send(now, {std::move(*answer)}, source::reply);
  }
}

bool chat_mode::command(session_state& s, std::time_t now) {
  std::string_view line = editor_.text();
  if (line.starts_with("//")) {
    editor_.erase_prefix(1);  // "//x" sends "/x"
    return false;
  }
  const std::string_view name = line.substr(0, line.find(' '));
  if (name == "/quit") {
    s.exit.quit(quit_reason::key);
  } else if (name == "/help") {
    for (const auto h : help_lines) s.add(now, source::sys, std::string{h});
    editor_.submit();
  } else {
    // Not sent by accident: said, and left in the input line to mend.
    s.add(now, source::sys,
          "not sent: " + sanitize(name) + " is not a command (" + command_list() + "; //text sends /text)");
  }
  return true;
}

void chat_mode::enter(session_state& s, std::time_t now) {
  if (pasted_.empty() && editor_.text().starts_with('/') && command(s, now)) return;
  std::size_t count = editor_.text().empty() ? 0U : 1U;
  for (const auto& l : pasted_) count += l.empty() ? 0U : 1U;
  if (count == 0) return;  // an empty line sends nothing
  // Online, any number of lines stream out as the socket takes them; the bound is for lines that
  // would wait while the connection is down.
  if (s.net.state != net_state::online && s.net.waiting + count > capacity_) {
    // Refused, never silently dropped: the text stays in the input line.
    s.add(now, source::sys,
          "not sent: the connection is down and " + std::to_string(s.net.waiting + count) +
              " lines would wait for it (the most is " + std::to_string(capacity_) + ")");
    return;
  }
  // Moved, not copied, from the editor and the paste to the connection: a big paste is held once.
  std::vector<std::string> lines;
  lines.reserve(count);
  if (auto typed = editor_.submit()) lines.push_back(std::move(*typed));
  for (auto& l : pasted_) {
    if (!l.empty()) lines.push_back(std::move(l));
  }
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
  if (s.net.unverified) parts.push_back({"UNVERIFIED", 10});
  switch (s.net.state) {
    case net_state::connecting: parts.push_back({"connecting", 9}); break;
    case net_state::online: parts.push_back({"online", 9}); break;
    case net_state::offline:
      parts.push_back({"offline, retry in " + std::to_string((s.net.retry_ms + 999) / 1000) + " s", 9});
      break;
    case net_state::closed: parts.push_back({"closed", 9}); break;
  }
  // Online: the protocol ("tls1.3"); offline: why the last attempt failed.
  const bool told = s.net.state == net_state::online || s.net.state == net_state::offline;
  if (told && !s.net.detail.empty()) parts.push_back({s.net.detail, 4});
  if (s.net.waiting > 0) parts.push_back({std::to_string(s.net.waiting) + " waiting", 8});
  if (!pasted_.empty()) {
    // The lines Enter will send: the input line (unless empty) and the waiting ones.
    const std::size_t lines = pasted_.size() + (editor_.text().empty() ? 0 : 1);
    parts.push_back({"Enter sends " + std::to_string(lines) + " pasted lines", 8});
  }
}

}  // namespace echochat
