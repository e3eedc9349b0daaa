// The rules of local echo mode: keys echo into the transcript, q quits, the slow task reports.
#include "echochat/core/session.hpp"

#include "echochat/core/key.hpp"

#include <algorithm>
#include <csignal>
#include <type_traits>
#include <utility>

namespace echochat {

session::session(session_config config) : config_(config), log_(config.scrollback) {}

int session::exit_code() const {
  switch (quit_) {
    case quit_reason::signal: return 128 + quit_signal_;
    case quit_reason::hangup: return 128 + SIGHUP;
    case quit_reason::none:
    case quit_reason::key:
    case quit_reason::finished: break;
  }
  return 0;
}

std::vector<entry> session::take_fresh() { return std::exchange(fresh_, {}); }

int session::transcript_rows() const {
  // Status bar on the last row, a separator above it when there is room for both and text.
  if (rows_ <= 1) return 0;
  if (rows_ == 2) return 1;
  return rows_ - 2;
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
  // Without a terminal, end of input ends the program once every source is done.
  if (!config_.terminal && input_closed_ && slow_done_) quit(quit_reason::finished);
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
          quit(e.signo == SIGHUP ? quit_reason::hangup : quit_reason::signal, e.signo);
        } else if constexpr (std::is_same_v<T, input_closed_event>) {
          input_closed_ = true;
          if (config_.terminal) {
            quit(quit_reason::hangup, SIGHUP);
          } else {
            check_finished();
          }
        } else if constexpr (std::is_same_v<T, net_line_event>) {
          add(now, source::net, e.text);
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
    if (k.code == key_code::paste_end && k.ch < ev.pastes.size()) {
      on_paste(ev.pastes[k.ch], now);
    } else {
      on_key(k, now);
    }
  }
}

void session::on_key(const key& k, std::time_t now) {
  const int page = std::max(transcript_rows() - 1, 1);
  switch (k.code) {
    case key_code::page_up:
      if (k.mods == key_mod::none) {
        // Clamp at the top, so that PgDn moves at once after paging past it.
        scroll_ = layout(log_, cols_, transcript_rows(), scroll_ + page).scroll;
        return;
      }
      break;
    case key_code::page_down:
      if (k.mods == key_mod::none) {
        scroll_ = std::max(scroll_ - page, 0);
        return;
      }
      break;
    case key_code::ctrl:
      if (k.ch == U'c' && k.mods == key_mod::none) return quit(quit_reason::key);
      break;
    default: break;
  }
  scroll_ = 0;  // typing jumps back to the live end
  if (is_printable(k)) {
    if (k.ch == U'q') return quit(quit_reason::key);
    std::string utf8;
    append_utf8(utf8, k.ch);
    log_.type(now, utf8);
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
    if (!run.empty()) log_.type(now, run);
    run.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == '\r' || b == '\n') {
      flush();
      if (b == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      finish_entry(now);
    } else if (b < 0x20 || b == 0x7F) {
      flush();
      log_.type_token(now, b == '\t' ? "<Tab>" : key_name(ctrl_key(static_cast<char32_t>(b + 0x60))));
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
  std::string s = "echochat · local echo · ";
  if (slow_done_) {
    s += "slow task done";
  } else if (slow_left_) {
    const std::int64_t left = *slow_left_;
    s += "slow task in ";
    if (left >= 120) {
      s += std::to_string((left + 59) / 60) + " min";
    } else {
      s += std::to_string(left) + " s";
    }
  } else {
    s += "slow task pending";
  }
  s += " · " + std::to_string(keys_) + (keys_ == 1 ? " key" : " keys");
  if (scroll_ > 0) s += " · scrolled back (PgDn)";
  s += " · q quits";
  return s;
}

}  // namespace echochat
