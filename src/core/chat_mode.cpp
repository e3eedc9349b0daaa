// Chat mode's rules: the input line, Enter, commands, the bound on waiting lines, pastes,
// --reply, and opening the two searches (Ctrl-R over the input history, /find over the transcript).
#include "echochat/core/chat_mode.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/core/search_modes.hpp"
#include "echochat/core/session.hpp"

#include <array>

namespace echochat {

namespace {

constexpr std::array<chat_command, 4> commands{{
    {"/quit", "/quit", "quits (so do Ctrl-D on an empty line and Ctrl-C)"},
    {"/help", "/help", "lists the keys and commands"},
    {"/find", "/find TEXT", "searches the transcript back for TEXT (as Ctrl-S does)"},
    {"/secret", "/secret", "turns secret on or off: lines sent meanwhile stay out of the history file"},
}};

constexpr std::array<std::string_view, 6> key_help{
    "keys: Enter sends the line; Left/Right, Home/End (Ctrl-A/Ctrl-E), Backspace/Del move and delete",
    "keys: Ctrl-U clears the line, Ctrl-W deletes a word, Up/Down walk the lines sent, PgUp/PgDn scroll",
    "keys: Ctrl-R searches the lines sent: type, Ctrl-R older, Enter sends, Esc edits, Ctrl-G cancels",
    "keys: Ctrl-S finds in the transcript: Up/Ctrl-R older, Down/Ctrl-S newer, Enter stays, Esc back",
    "keys: Ctrl-D on an empty line, Ctrl-C or /quit quits; q is a letter like any other",
    "a line that starts with a slash is a command; //text sends /text",
};

bool is_ctrl(const key& k, char32_t c) {
  return k.code == key_code::ctrl && k.mods == key_mod::none && k.ch == c;
}

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

chat_mode::chat_mode(std::size_t capacity, std::vector<std::string> history, std::vector<reply_rule> replies)
    : capacity_(capacity), replies_(std::move(replies)), limiter_(replies_.size()) {
  editor_.load_history(std::move(history));
}

void chat_mode::on_key(const key& k, session_state& s, std::time_t now) {
  if (is_ctrl(k, U'r')) {
    // The draft stays in the editor, untouched, until a match is taken.
    s.modes.push(std::make_unique<reverse_search_mode>(editor_, last_reverse_query_));
    s.view.to_live();
    return;
  }
  if (is_ctrl(k, U's')) return s.modes.push(std::make_unique<find_mode>(std::string{}, s));
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
  // A rule answering too often (its own answers, through an echoing peer) is paused, with a sys
  // entry once.
  for (auto& l : e.lines) {
    std::optional<reply_match> match;
    if (!replies_.empty() && !l.cut) match = match_reply(replies_, l.text);
    reply_limiter::verdict verdict = reply_limiter::verdict::paused;
    if (match) verdict = limiter_.check(match->rule, e.received);
    s.show_net_line(l, e.received, now);
    if (!match) continue;
    if (verdict == reply_limiter::verdict::answer) s.send(now, {std::move(match->answer)}, source::reply);
    if (verdict == reply_limiter::verdict::paused_now)
      s.add(now, source::sys, reply_paused_text(replies_[match->rule]));
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
    for (const auto h : key_help) s.add(now, source::sys, std::string{h});
    for (const auto& c : commands) s.add(now, source::sys, std::string{c.usage} + " " + std::string{c.what});
    s.add(now, source::sys, "lines sent are kept across runs in the history file, unless --no-history");
    editor_.submit();
  } else if (name == "/find") {
    const std::size_t space = line.find(' ');
    std::string text{space == std::string_view::npos ? std::string_view{} : line.substr(space + 1)};
    editor_.submit();
    s.modes.push(std::make_unique<find_mode>(text, s));
  } else if (name == "/secret") {
    secret_ = !secret_;
    s.add(now, source::sys,
          secret_ ? "secret on: the lines you send now stay out of the history file (/secret turns it off)"
                  : "secret off: the lines you send are kept in the history file again");
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
  if (s.net.state != net_state::online && s.outgoing.waiting() + count > capacity_) {
    // Refused, never silently dropped: the text stays in the input line.
    s.add(now, source::sys,
          "not sent: the connection is down and " + std::to_string(s.outgoing.waiting() + count) +
              " lines would wait for it (the most is " + std::to_string(capacity_) + ")");
    return;
  }
  // Moved, not copied, from the editor and the paste to the connection: a big paste is held once.
  std::vector<std::string> lines;
  lines.reserve(count);
  if (auto typed = editor_.submit()) {
    const bool keep = s.record_history && !secret_ && typed->size() <= line_editor::max_history_line;
    if (keep) s.recorded.push_back(*typed);
    lines.push_back(std::move(*typed));
  }
  for (auto& l : pasted_) {
    if (!l.empty()) lines.push_back(std::move(l));
  }
  pasted_.clear();
  s.send(now, std::move(lines));
}

std::optional<quit_reason> chat_mode::finished(const session_state& s) const {
  // The connection is over once the outbox was sent and the server closed (or it gave up).
  if (s.net.state != net_state::closed) return std::nullopt;
  if (s.outgoing.waiting() > 0) return quit_reason::unsent;
  return s.net.unanswered ? quit_reason::unanswered : quit_reason::finished;
}

void chat_mode::present(const session_state& s, presentation& p) const {
  p.quit_hint = "Ctrl-D quits";
  p.input = &editor_;
  std::vector<status_part>& parts = p.status;
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
  // An offline reason is cut short before it is dropped: its start says most of it.
  if (told && !s.net.detail.empty()) parts.push_back({s.net.detail, 4, 24});
  if (const std::size_t n = s.outgoing.waiting(); n > 0) parts.push_back({std::to_string(n) + " waiting", 8});
  if (secret_) parts.push_back({"secret: not kept in history", 9});
  if (!pasted_.empty()) {
    // The lines Enter will send: the input line (unless empty) and the waiting ones.
    const std::size_t lines = pasted_.size() + (editor_.text().empty() ? 0 : 1);
    parts.push_back({"Enter sends " + std::to_string(lines) + " pasted lines", 8});
  }
}

}  // namespace echochat
