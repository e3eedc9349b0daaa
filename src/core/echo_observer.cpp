// Echo mode's measuring: every line sent measured against its echo, and the probes of --count.
#include "echochat/core/echo_observer.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/core/session.hpp"

#include <algorithm>
#include <utility>
#include <cstdio>

namespace echochat {

namespace {

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

}  // namespace

echo_observer::echo_observer(echo_options options, std::string target)
    : options_(options), target_(std::move(target)), meter_(seconds(options.timeout_seconds)) {}

std::string echo_observer::probe_text(std::uint64_t seq, double unix_seconds, std::size_t size) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "echochat %llu %.6f", static_cast<unsigned long long>(seq), unix_seconds);
  std::string text = buf;
  if (text.size() < size) text.append(size - text.size(), '.');
  return text;
}

void echo_observer::on_sent(std::string_view line, std::uint64_t entry, source as, session_state&,
                            std::time_t) {
  // A --reply answer is not a probe: the server's answer to it is not its echo.
  if (as == source::reply) {
    outbox_.push_back(queued::unmeasured);
    return;
  }
  meter_.sent(std::string{line}, entry != session_state::no_entry ? std::optional{entry} : std::nullopt);
  outbox_.push_back(queued::measured);
}

void echo_observer::lose(const echo_result& r, std::string_view why, std::string_view note, session_state& s,
                         std::time_t now) {
  // ping's line for plain output; with a screen, "(lost: ...)" on the line's own `you` entry,
  // where its round trip would have shown, and that line for the log, which cannot change what
  // it wrote when the line was sent.
  const std::string said = "no echo for seq=" + std::to_string(r.seq) + " (" + std::string{why} + ")";
  if (!s.terminal) {
    s.add(now, source::echo, said);
  } else if (r.entry && s.amend(*r.entry, "  (lost: " + std::string{note} + ")")) {
    s.record(now, source::sys, said + ": " + sanitize(r.sent));
  } else {
    s.add(now, source::sys, said + ": " + sanitize(r.sent));  // its entry left the scrollback
  }
}

void echo_observer::show(const echo_result& r, session_state& s, std::time_t now,
                         const std::string& received) {
  // With a screen, the echo is a net entry with its result; in plain output, one line per result
  // as ping prints them.
  const std::string seq = "seq=" + std::to_string(r.seq);
  switch (r.what) {
    case echo_result::kind::echoed:
      if (s.terminal) {
        s.add(now, source::net, received + "  (" + format_rtt(r.rtt) + ")");
      } else {
        s.add(now, source::echo, "line from " + target_ + ": " + seq + " time=" + format_rtt(r.rtt));
      }
      break;
    case echo_result::kind::differs: show_differs(r, s, now, received); break;
    case echo_result::kind::duplicate:
      if (s.terminal) {
        s.add(now, source::net,
              received + "  (duplicate: seq=" + std::to_string(r.seq) + " was echoed already)");
      } else {
        s.add(now, source::echo, "line from " + target_ + ": " + seq + " (DUP!)");
      }
      break;
    case echo_result::kind::lost:
      if (r.skipped) {
        lose(r, "the next line's echo came first", "the next line's echo came first", s, now);
      } else {
        const std::string timeout = seconds_text(options_.timeout_seconds) + " s";
        lose(r, "timeout " + timeout, "no echo in " + timeout, s, now);
      }
      break;
    case echo_result::kind::unexpected:
      if (s.terminal) {
        s.add(now, source::net, received + "  (unexpected: nothing was waiting for an echo)");
      } else {
        s.add(now, source::echo, "unexpected line from " + target_ + ": " + received);
      }
      break;
  }
}

void echo_observer::show_differs(const echo_result& r, session_state& s, std::time_t now,
                                 const std::string& received) {
  const std::string how =
      r.trailing_cr ? "differs: the echo ends in \\r" : "differs at byte " + std::to_string(r.differs_at);
  if (s.terminal) {
    s.add(now, source::net,
          received + "  (" + format_rtt(r.rtt) + ", " + how + "; sent: " + sanitize(r.sent) + ")");
  } else {
    s.add(now, source::echo, "seq=" + std::to_string(r.seq) + " " + how + " time=" + format_rtt(r.rtt));
  }
}

bool echo_observer::on_received(net_line& l, clock::time_point at, session_state& s, std::time_t now) {
  last_ = std::max(last_, at);
  std::vector<echo_result> skipped;
  const echo_result r = meter_.received(l.text, at, &skipped);
  for (const auto& lost : skipped) show(lost, s, now, {});
  if (r.what == echo_result::kind::echoed || r.what == echo_result::kind::differs) last_rtt_ = r.rtt;
  show(r, s, now, l.text);
  check_done(s);
  return true;
}

void echo_observer::on_writing(clock::time_point at, session_state&, std::time_t) {
  // One line is written at a time and leaves once written, so a front line already handed is the
  // line a dropped connection was writing, written again: its clock does not start again (it was
  // lost with the connection, and its echo cannot be told from the first write's).
  if (outbox_.empty() || outbox_.front() == queued::handed) return;
  const bool measured = outbox_.front() == queued::measured;
  outbox_.front() = queued::handed;
  if (!measured) return;
  meter_.handed(at);
  if (!started_) started_ = at;
  last_ = std::max(last_, at);
}

void echo_observer::on_written(session_state&, std::time_t) {
  if (!outbox_.empty()) outbox_.pop_front();
}

void echo_observer::on_connection(net_state state, session_state& s, std::time_t now) {
  online_ = state == net_state::online;
  if (online_) return;
  // Lines the dropped connection took and did not echo are lost; an echo on the next connection
  // cannot be theirs. Sequence numbers go on.
  for (const auto& r : meter_.drop()) lose(r, "the connection dropped", "the connection dropped", s, now);
  check_done(s);
}

void echo_observer::send_probe(session_state& s, std::time_t now,
                               std::chrono::system_clock::time_point wall) {
  const double unix_seconds = std::chrono::duration<double>(wall.time_since_epoch()).count();
  std::string text = probe_text(meter_.stats().sent + 1, unix_seconds, options_.size);
  ++probes_sent_;
  if (s.terminal) {
    s.send(now, {std::move(text)});
  } else {
    s.send_unshown(now, std::move(text));  // plain output shows results, as ping does, not probes
  }
}

void echo_observer::on_timer(const timer_event& e, session_state& s, std::time_t now) {
  last_ = std::max(last_, e.now);
  for (const auto& r : meter_.expire(e.now)) show(r, s, now, {});
  if (online_ && probes_sent_ < options_.count && (!next_probe_ || *next_probe_ <= e.now)) {
    send_probe(s, now, e.wall);
    const auto interval = seconds(options_.interval_seconds);
    // On schedule, without drift; after a pause (offline) the schedule starts again from now.
    next_probe_ = next_probe_ && *next_probe_ + interval > e.now ? *next_probe_ + interval : e.now + interval;
  }
  check_done(s);
}

std::optional<echo_clock::time_point> echo_observer::wake_at() const {
  std::optional<echo_clock::time_point> at = meter_.next_deadline();
  if (online_ && probes_sent_ < options_.count) {
    const echo_clock::time_point probe = next_probe_.value_or(echo_clock::time_point{});  // unset: at once
    at = at ? std::min(*at, probe) : probe;
  }
  return at;
}

bool echo_observer::sends_more() const { return probes_sent_ < options_.count || meter_.pending() > 0; }

void echo_observer::check_done(session_state& s) {
  // A probe run ends once the last probe is echoed or lost (and every typed line too).
  if (options_.count > 0 && probes_sent_ == options_.count && meter_.pending() == 0) {
    s.exit.quit(quit_reason::finished);
  }
}

int echo_observer::exit_code(int code) const {
  const echo_stats& st = meter_.stats();
  return code == 0 && (st.lost > 0 || st.differed > 0) ? 1 : code;
}

std::string echo_observer::report() const {
  const auto elapsed = started_ ? std::chrono::duration_cast<std::chrono::milliseconds>(last_ - *started_)
                                : std::chrono::milliseconds{0};
  return echo_summary(meter_.stats(), target_, elapsed);
}

void echo_observer::present(const session_state&, presentation& p) const {
  const echo_stats& st = meter_.stats();
  std::string figures = "rtt " + (last_rtt_ ? format_rtt(*last_rtt_) : std::string{"-"});
  if (!st.rtt_ms.empty()) {
    char avg[32];
    std::snprintf(avg, sizeof avg, "%.2f", st.avg_ms());
    figures += std::string{" · avg "} + avg;
  }
  figures += " · " + std::to_string(st.lost) + " lost";
  p.status.push_back({figures, 7});
}

}  // namespace echochat
