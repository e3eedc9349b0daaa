// The rules of local echo mode: keys echo into the transcript, q quits, the slow task reports.
#include "echochat/core/session.hpp"

#include "echochat/core/key.hpp"
#include "echochat/core/key_decoder.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/core/text_width.hpp"

#include <algorithm>
#include <csignal>
#include <type_traits>
#include <utility>

namespace echochat {

session::session(session_config config)
    : config_(std::move(config)), log_(config_.scrollback), outbox_(config_.outbox_capacity) {}

int session::exit_code() const {
  switch (quit_) {
    case quit_reason::signal: return 128 + quit_signal_;
    case quit_reason::hangup: return 128 + SIGHUP;
    case quit_reason::unsent: return 1;
    case quit_reason::none:
    case quit_reason::key:
    case quit_reason::finished: break;
  }
  return 0;
}

std::vector<entry> session::take_fresh() { return std::exchange(fresh_, {}); }

int session::transcript_rows() const {
  // Status bar on the last row (chat mode: the input line below it), a separator above it when
  // there is room for it and some text.
  const int bars = config_.chat ? 2 : 1;
  if (rows_ <= bars) return 0;
  if (rows_ == bars + 1) return 1;
  return rows_ - bars - 1;
}

void session::resize(int rows, int cols) {
  rows_ = std::max(rows, 1);
  cols_ = std::max(cols, 1);
}

void session::quit(quit_reason why, int signo) {
  if (quit_ != quit_reason::none) return;
  quit_ = why;
  quit_signal_ = signo;
}

void session::check_finished() {
  // Without a terminal, end of input ends the program once every source is done: the slow task
  // reported and, in chat mode, the outbox was sent and the connection is over.
  if (config_.terminal || !input_closed_ || !slow_done_) return;
  if (!config_.chat) return quit(quit_reason::finished);
  if (net_ != net_state::closed) return;
  quit(outbox_.empty() ? quit_reason::finished : quit_reason::unsent);
}

void session::add(std::time_t now, source src, std::string text) {
  if (config_.keep_fresh) fresh_.push_back(entry{now, src, text, {}});
  log_.add(now, src, std::move(text));
}

void session::finish_entry(std::time_t now) {
  log_.finish_typing(now);
  if (config_.keep_fresh) fresh_.push_back(log_.finished().back());
}

void session::apply(const event& ev, std::time_t now) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, keys_event>) {
          on_keys(e, now);
        } else if constexpr (std::is_same_v<T, slow_tick_event>) {
          slow_left_ = e.seconds_left;
        } else if constexpr (std::is_same_v<T, slow_done_event>) {
          slow_left_.reset();
          slow_done_ = true;
          add(now, source::slow, "something slow is done");
          check_finished();
        } else if constexpr (std::is_same_v<T, signal_event>) {
          if (e.signo == SIGTSTP) {
            suspend_ = config_.terminal;
          } else {
            quit(e.signo == SIGHUP ? quit_reason::hangup : quit_reason::signal, e.signo);
          }
        } else if constexpr (std::is_same_v<T, input_closed_event>) {
          input_closed_ = true;
          if (config_.terminal) {
            quit(quit_reason::hangup, SIGHUP);
          } else {
            check_finished();
          }
        } else if constexpr (std::is_same_v<T, net_line_event>) {
          add(now, source::net, e.cut ? e.text + " [cut]" : e.text);
        } else if constexpr (std::is_same_v<T, net_state_event>) {
          net_ = e.state;
          retry_ms_ = e.retry_ms;
          if (e.state == net_state::closed && !outbox_.empty()) {
            add(now, source::sys, std::to_string(outbox_.size()) + (outbox_.size() == 1 ? " line was" : " lines were") +
                                      " not sent: the connection is closed");
          }
          check_finished();
        } else if constexpr (std::is_same_v<T, sys_event>) {
          add(now, source::sys, e.text);
        } else {
          // resize is handled by the printer (it asks the screen); the rest belongs to chat mode.
        }
      },
      ev);
}

void session::on_keys(const keys_event& ev, std::time_t now) {
  for (const key& k : ev.keys) {
    if (done()) return;
    ++keys_;
    const bool paste = k.code == key_code::paste_end && k.ch < ev.pastes.size();
    if (config_.chat) {
      if (paste) {
        on_chat_paste(ev.pastes[k.ch]);
      } else {
        on_chat_key(k, now);
      }
    } else if (paste) {
      on_paste(ev.pastes[k.ch], now);
    } else {
      on_key(k, now);
    }
  }
}

bool session::on_shared_key(const key& k) {
  // The keys that mean the same in local echo and chat mode: scrolling, quitting, suspending.
  if (k.mods != key_mod::none) return false;
  const int page = std::max(transcript_rows() - 1, 1);
  switch (k.code) {
    case key_code::page_up:
      // Clamp at the top, so that PgDn moves at once after paging past it.
      scroll_ = layout(log_, cols_, transcript_rows(), scroll_ + page).scroll;
      return true;
    case key_code::page_down:
      scroll_ = std::max(scroll_ - page, 0);
      return true;
    case key_code::ctrl:
      if (k.ch == U'c') {
        quit(quit_reason::key);
        return true;
      }
      if (k.ch == U'z' && config_.terminal) {
        suspend_ = true;
        return true;
      }
      return false;
    default:
      return false;
  }
}

void session::on_chat_key(const key& k, std::time_t now) {
  if (on_shared_key(k)) return;
  if (k.mods == key_mod::none) {
    switch (k.code) {
      case key_code::enter:
        scroll_ = 0;
        return send_input(now);
      case key_code::character:
        if (k.ch == U'q' && editor_.text().empty() && pasted_.empty()) return quit(quit_reason::key);
        break;
      default: break;
    }
  }
  if (k.code == key_code::ctrl && k.ch == U'u') pasted_.clear();  // Ctrl-U drops a pending paste too
  if (editor_.handle(k)) scroll_ = 0;
}

void session::on_chat_paste(const std::string& text) {
  // The first line goes into the input line at the cursor; the others wait for Enter.
  scroll_ = 0;
  std::size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    std::size_t stop = text.find_first_of("\r\n", start);
    if (stop == std::string::npos) stop = text.size();
    const std::string_view piece{text.data() + start, stop - start};
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

void session::send_input(std::time_t now) {
  std::vector<std::string> lines;
  if (!editor_.text().empty()) lines.push_back(editor_.text());
  for (const auto& l : pasted_) {
    if (!l.empty()) lines.push_back(l);
  }
  if (lines.empty()) return;  // an empty line sends nothing
  if (outbox_.size() + lines.size() > outbox_.capacity()) {
    // Refused, never silently dropped: the text stays in the input line.
    add(now, source::sys, "not sent: " + std::to_string(outbox_.size()) +
                              " lines are already waiting for the connection (the most is " +
                              std::to_string(outbox_.capacity()) + ")");
    return;
  }
  editor_.submit();
  pasted_.clear();
  for (auto& l : lines) {
    add(now, source::you, l);
    outbox_.push(std::move(l));
  }
}

void session::on_key(const key& k, std::time_t now) {
  if (on_shared_key(k)) return;
  scroll_ = 0;  // typing jumps back to the live end
  if (is_printable(k)) {
    if (k.ch == U'q') return quit(quit_reason::key);
    std::string utf8;
    append_utf8(utf8, k.ch);
    // A C1 control or a bidi override typed (or pasted unbracketed) is shown escaped, as a
    // peer's would be: raw, it would drive the terminal or reorder the line.
    log_.type(now, is_escaped_code_point(k.ch) ? sanitize(utf8) : utf8);
    return;
  }
  if (k.mods == key_mod::none) {
    if (k.code == key_code::enter) return finish_entry(now);
    if (k.code == key_code::backspace) {
      log_.backspace();
      return;
    }
  }
  log_.type_token(now, key_name(k));
}

void session::on_paste(const std::string& text, std::time_t now) {
  // A paste is text: its characters append (a q in it is a letter), its line breaks end entries.
  // Controls other than line breaks are not text: they show by name.
  scroll_ = 0;
  std::string run;
  auto flush = [&] {
    if (!run.empty()) log_.type(now, sanitize(run));  // invalid UTF-8, C1 controls
    run.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == '\r' || b == '\n') {
      flush();
      if (b == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      finish_entry(now);
    } else if (b < 0x20 || b == 0x7F) {
      // The same name the key would have had typed: decoded by the decoder itself.
      flush();
      key_decoder one;
      std::vector<key> keys;
      one.feed(std::string_view{&text[i], 1}, keys);
      one.flush(keys);
      for (const key& k : keys) log_.type_token(now, key_name(k));
    } else {
      run.push_back(static_cast<char>(b));
    }
  }
  flush();
}

countdown countdown_step(std::int64_t ms_left) {
  if (ms_left <= 0) return {0, 0};
  const std::int64_t s = (ms_left + 999) / 1000;
  if (s >= 120) {
    const std::int64_t m = (s + 59) / 60;
    return {s, ms_left - std::max<std::int64_t>((m - 1) * 60'000, 119'000)};
  }
  return {s, ms_left - (s - 1) * 1000};
}

std::string session::status_line() const {
  // The parts in the order shown, each with how much it matters: when the terminal is too
  // narrow for all of them, the least important go first, so the state of the connection and
  // how to quit stay in view.
  struct part {
    std::string text;
    int weight;
  };
  std::vector<part> parts;
  parts.push_back({"echochat", 6});
  if (config_.chat) {
    parts.push_back({config_.chat_target, 3});
    switch (net_) {
      case net_state::connecting: parts.push_back({"connecting", 9}); break;
      case net_state::online: parts.push_back({"online", 9}); break;
      case net_state::offline:
        parts.push_back({"offline, retry in " + std::to_string((retry_ms_ + 999) / 1000) + " s", 9});
        break;
      case net_state::closed: parts.push_back({"closed", 9}); break;
    }
    if (!outbox_.empty()) parts.push_back({std::to_string(outbox_.size()) + " waiting", 8});
    if (!pasted_.empty()) {
      // The lines Enter will send: the input line (unless empty) and the waiting ones.
      const std::size_t lines = pasted_.size() + (editor_.text().empty() ? 0 : 1);
      parts.push_back({"Enter sends " + std::to_string(lines) + " pasted lines", 8});
    }
  } else {
    parts.push_back({"local echo", 8});
  }
  if (slow_done_) {
    parts.push_back({"slow task done", 4});
  } else if (slow_left_) {
    const std::int64_t left = *slow_left_;
    parts.push_back({"slow task in " + (left >= 120 ? std::to_string((left + 59) / 60) + " min"
                                                    : std::to_string(left) + " s"),
                     4});
  } else {
    parts.push_back({"slow task pending", 4});
  }
  parts.push_back({std::to_string(keys_) + (keys_ == 1 ? " key" : " keys"), 2});
  if (scroll_ > 0) parts.push_back({"scrolled back (PgDn)", 7});
  parts.push_back({config_.chat ? "q on an empty line quits" : "q quits", 10});

  const std::string_view sep = " · ";
  auto width = [&] {
    int w = 0;
    for (const auto& p : parts) w += text_width(p.text);
    return w + 3 * static_cast<int>(parts.size() - 1);
  };
  while (parts.size() > 1 && width() > cols_) {
    const auto least = std::min_element(parts.begin(), parts.end(),
                                        [](const part& a, const part& b) { return a.weight < b.weight; });
    parts.erase(least);
  }
  std::string s;
  for (const auto& p : parts) {
    if (!s.empty()) s += sep;
    s += p.text;
  }
  return s;
}

}  // namespace echochat
