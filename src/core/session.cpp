// The shared rules: events every mode sees (slow task, signals, end of input, the connection),
// the keys every mode shares, and when the program ends. The rest goes to the mode.
#include "echochat/core/session.hpp"

#include "echochat/core/key_decoder.hpp"

#include <algorithm>
#include <csignal>
#include <type_traits>
#include <utility>

namespace echochat {

namespace {

constexpr int wheel_rows = 3;  // a wheel notch scrolls three rows, as most terminals do

}  // namespace

void exit_state::quit(quit_reason reason, int signal_number) {
  if (done()) return;
  why = reason;
  signo = signal_number;
}

int exit_state::code() const {
  switch (why) {
    case quit_reason::signal: return 128 + signo;
    case quit_reason::hangup: return 128 + SIGHUP;
    case quit_reason::unsent:
    case quit_reason::unanswered: return 1;
    case quit_reason::none:
    case quit_reason::key:
    case quit_reason::finished: break;
  }
  return 0;
}

session_state::session_state(const session_config& config, std::unique_ptr<mode> base,
                             std::unique_ptr<observer> watcher_)
    : terminal(config.terminal),
      keep_fresh(config.keep_fresh),
      entries(config.scrollback),
      view(base->bar_rows()),
      modes(std::move(base)),
      watcher(std::move(watcher_)),
      record_history(config.record_history) {
  net.target = config.chat_target;
}

void mode_stack::pop() {
  if (pushed_.empty()) return;
  retired_.push_back(std::move(pushed_.back()));
  pushed_.pop_back();
}

void mode_stack::present(const session_state& s, presentation& p) const {
  base_->present(s, p);
  for (const auto& m : pushed_) m->present(s, p);
}

void session_state::add(std::time_t now, source src, std::string text) {
  mark_leading_combining(text);  // the same text for the screen, plain output and the log
  if (keep_fresh) fresh.push_back(entry{now, src, text, {}});
  unread.arrived(entries.finished_total(), view.scroll() > 0);
  view.hold(text);
  entries.add(now, src, std::move(text));
}

bool session_state::amend(std::uint64_t id, std::string_view more) {
  const entry* e = entries.find(id);
  if (e == nullptr) return false;
  if (const int scroll = view.scroll(); scroll > 0) {
    // The entry grows at its last row: the rows above that move up. When the view is above it
    // (fewer rows than the scroll below it), it moves up with them, as hold() does for an entry
    // added at the bottom; when the entry is in view, it just grows there.
    const int text_cols = text_width_for(view.cols());
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    auto rows_of = [&](std::string_view text) {
      wrap_text(text, text_cols, pieces);
      return static_cast<int>(pieces.size());
    };
    int below = entries.typing() ? rows_of(entries.typing()->text) : 0;
    for (std::uint64_t later = entries.finished_total(); later > id + 1 && below < scroll; --later) {
      below += rows_of(entries.find(later - 1)->text);
    }
    if (below < scroll) {
      const int before = rows_of(e->text);
      view.scroll_to(scroll + rows_of(e->text + std::string{more}) - before);
    }
  }
  return entries.amend(id, more);
}

void session_state::record(std::time_t now, source src, std::string text) {
  mark_leading_combining(text);
  if (keep_fresh) fresh.push_back(entry{now, src, std::move(text), {}});
}

void session_state::finish_typing(std::time_t now) {
  entries.finish_typing(now);
  if (keep_fresh) fresh.push_back(entries.finished().back());
}

void session_state::queue(std::string line, std::uint64_t entry, source as, std::time_t now) {
  if (watcher) watcher->on_sent(line, entry, as, *this, now);
  outgoing.push(std::move(line), entry);
}

void session_state::send(std::time_t now, std::vector<std::string> lines, source as) {
  for (auto& l : lines) {
    add(now, as, l);
    queue(std::move(l), entries.finished_total() - 1, as, now);
  }
}

void session_state::send_unshown(std::time_t now, std::string line) {
  queue(std::move(line), no_entry, source::you, now);
}

void session_state::show_net_line(net_line& l, observer::clock::time_point at, std::time_t now) {
  if (l.cut) l.text += " [cut]";
  if (watcher && watcher->on_received(l, at, *this, now)) return;
  add(now, source::net, std::move(l.text));
}

void mode::on_net_lines(net_lines_event& e, session_state& s, std::time_t now) {
  for (auto& l : e.lines) s.show_net_line(l, e.received, now);
}

session::session(const session_config& config) : state_(config, make_mode(config), make_observer(config)) {}

void session::check_finished() {
  // Without a terminal, end of input ends the program once every source is done: the slow task
  // reported, the watcher sends nothing more, and the mode has nothing left to do.
  if (state_.terminal || !state_.input_closed || !state_.slow.done || sends_more()) return;
  if (const auto why = state_.modes.base().finished(state_)) state_.exit.quit(*why);
}

void session::apply(event ev, std::time_t now) {
  dispatch(ev, now);
  state_.modes.end_event();
  if (state_.view.scroll() == 0) state_.unread.at_live();
}

void session::dispatch(event& ev, std::time_t now) {
  session_state& s = state_;
  std::visit(
      [&](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, keys_event>) {
          on_keys(e, now);
        } else if constexpr (std::is_same_v<T, slow_tick_event>) {
          s.slow.seconds_left = e.seconds_left;
        } else if constexpr (std::is_same_v<T, slow_done_event>) {
          s.slow.seconds_left.reset();
          s.slow.done = true;
          s.add(now, source::slow, "something slow is done");
          check_finished();
        } else if constexpr (std::is_same_v<T, signal_event>) {
          if (e.signo == SIGTSTP) {
            s.suspend = s.terminal;
          } else {
            s.exit.quit(e.signo == SIGHUP ? quit_reason::hangup : quit_reason::signal, e.signo);
          }
        } else if constexpr (std::is_same_v<T, input_closed_event>) {
          s.input_closed = true;
          if (s.terminal) {
            s.exit.quit(quit_reason::hangup, SIGHUP);
          } else {
            check_finished();
          }
        } else if constexpr (std::is_same_v<T, input_lines_event>) {
          s.modes.base().on_lines(std::move(e.lines), s, now);
        } else if constexpr (std::is_same_v<T, net_lines_event>) {
          s.modes.base().on_net_lines(e, s, now);
          check_finished();
        } else if constexpr (std::is_same_v<T, net_writing_event>) {
          if (s.watcher) s.watcher->on_writing(e.at, s, now);
        } else if constexpr (std::is_same_v<T, timer_event>) {
          if (s.watcher) s.watcher->on_timer(e, s, now);
          check_finished();
        } else if constexpr (std::is_same_v<T, net_state_event>) {
          on_net_state(e, now);
        } else if constexpr (std::is_same_v<T, net_sent_event>) {
          s.outgoing.written();
          if (s.watcher) s.watcher->on_written(s, now);
        } else if constexpr (std::is_same_v<T, net_unacked_event>) {
          for (const std::uint64_t id : s.outgoing.unacknowledged(e.lines, e.resent)) {
            s.entries.amend(id, e.resent ? "  (not acknowledged: sent again)"
                                         : "  (not acknowledged: may not have arrived)");
          }
        } else if constexpr (std::is_same_v<T, net_greeting_event>) {
          s.add(now, source::you, std::move(e.line));
        } else if constexpr (std::is_same_v<T, sys_event>) {
          s.add(now, source::sys, e.text);
        } else if constexpr (std::is_same_v<T, log_failed_event>) {
          s.log_failed = true;
          s.add(now, source::sys, e.text);
        } else {
          static_assert(std::is_same_v<T, resize_event>, "every event is handled");
          // The printer asks the screen for the new size and calls resize().
        }
      },
      ev);
}

void session::on_net_state(net_state_event& e, std::time_t now) {
  session_state& s = state_;
  s.net.state = e.state;
  s.net.retry_ms = e.retry_ms;
  // Connecting keeps the last failure's reason until the attempt's outcome is known.
  if (e.state != net_state::connecting) s.net.detail = std::move(e.detail);
  s.net.unverified = s.net.unverified || e.unverified;
  s.net.unanswered = e.unanswered;
  if (e.state == net_state::online) s.outgoing.connected();
  // Every line's net_sent_event came before this: the count is exact now.
  if (const std::size_t n = s.outgoing.waiting(); e.state == net_state::closed && n > 0) {
    s.add(now, source::sys,
          std::to_string(n) + (n == 1 ? " line was" : " lines were") + " not sent: the connection is closed");
  }
  if (s.watcher) s.watcher->on_connection(e.state, s, now);
  check_finished();
}

void session::on_keys(const keys_event& ev, std::time_t now) {
  std::size_t paste = 0;  // the i-th paste_end key ends the i-th paste
  for (const key& k : ev.keys) {
    if (done()) return;
    ++state_.keys;
    const bool live = state_.view.scroll() == 0;
    if (k.code == key_code::paste_end) {
      if (paste < ev.pastes.size()) state_.modes.top().on_paste(ev.pastes[paste++], state_, now);
    } else if (k.code == key_code::paste_refused) {
      state_.add(now, source::sys,
                 "paste refused: it was bigger than " + std::to_string(key_decoder::default_max_paste >> 20) +
                     " MiB, and none of it was kept");
    } else if (on_shared_key(k)) {
      continue;
    } else {
      state_.modes.top().on_key(k, state_, now);
    }
    if (live) state_.unread.typed();  // typed at the live end: the "new" marker was seen
  }
}

bool session::on_shared_key(const key& k) {
  // The keys that mean the same in every mode: scrolling, quitting, suspending.
  if (k.code == key_code::wheel_up) {
    state_.view.scroll_up(wheel_rows, state_.entries);
    return true;
  }
  if (k.code == key_code::wheel_down) {
    state_.view.scroll_down(wheel_rows);
    return true;
  }
  if (k.mods != key_mod::none) return false;
  switch (k.code) {
    case key_code::page_up: state_.view.page_up(state_.entries); return true;
    case key_code::page_down: state_.view.page_down(); return true;
    case key_code::ctrl:
      if (k.ch == U'c') {
        state_.exit.quit(quit_reason::key);
        return true;
      }
      if (k.ch == U'z' && state_.terminal) {
        state_.suspend = true;
        return true;
      }
      return false;
    default: return false;
  }
}

presentation session::present() const {
  presentation p;
  state_.modes.present(state_, p);
  if (state_.watcher) state_.watcher->present(state_, p);
  return p;
}

std::optional<observer::clock::time_point> session::wake_at() const {
  return state_.watcher ? state_.watcher->wake_at() : std::nullopt;
}

bool session::sends_more() const { return state_.watcher && state_.watcher->sends_more(); }

bool session::lingers() const { return !state_.watcher || !state_.watcher->awaited_all_replies(); }

std::string session::report() const { return state_.watcher ? state_.watcher->report() : std::string{}; }

int session::exit_code() const {
  const int code = state_.watcher ? state_.watcher->exit_code(state_.exit.code()) : state_.exit.code();
  return code == 0 && state_.log_failed ? 1 : code;
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

}  // namespace echochat
