#include "echochat/core/load.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <cmath>
#include <cstdio>

namespace echochat {

namespace {

constexpr load_ns late_after = 10'000'000;  // a write 10 ms past its time is late
constexpr std::size_t seconds_kept = 3600;

// "1,234,567", as the summaries count.
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A latency in µs as milliseconds, three decimals (µs resolution).
std::string ms(std::int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 3); }

std::string rate_text(double r) {
  return grouped(static_cast<std::uint64_t>(std::llround(std::max(r, 0.0))));
}

double achieved(const load_counts& c, double seconds) {
  return seconds > 0 ? static_cast<double>(c.sent) / seconds : 0;
}

std::string pad_left(std::string s, std::size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

std::string percentiles_row(const load_percentiles& p) {
  std::string row;
  for (const std::int64_t v : {p.p50, p.p90, p.p99, p.p999, p.max}) row += pad_left(ms(v), 10);
  return row;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string json_latency(const latency_histogram& h) {
  const auto p = load_percentiles::of(h);
  return "{\"count\":" + std::to_string(h.count()) + ",\"min\":" + ms(h.min()) +
         ",\"mean\":" + fixed(h.mean() / 1000.0, 3) + ",\"p50\":" + ms(p.p50) + ",\"p90\":" + ms(p.p90) +
         ",\"p99\":" + ms(p.p99) + ",\"p99_9\":" + ms(p.p999) + ",\"max\":" + ms(p.max) + "}";
}

// The measured seconds: the run's time after the warm-up.
double measured_seconds(const load_status& st) {
  return std::max(0.0, st.elapsed - st.started - st.settings.warmup);
}

// Why the rate was not kept, or empty.
std::string behind_words(const load_status& st, const load_meter& m) {
  const auto& t = m.total();
  if (!st.settings.rate || t.late == 0) return {};
  std::string why = grouped(t.late) + " message" + (t.late == 1 ? "" : "s") +
                    " went out 10 ms or more late (max " + ms(m.max_send_lag() / 1000) + " ms): ";
  if (t.late_full * 2 >= t.late)
    return why + "the sockets were full (the server or the network did not keep up)";
  return why + "echochat could not keep the rate (its own CPU)";
}

}  // namespace

void write_load_message(std::string& m, std::uint32_t conn, std::uint64_t seq, std::size_t size) {
  m.clear();
  char digits[24];
  auto put = [&](std::uint64_t n) {
    const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), n);
    m.append(digits, end);
  };
  put(conn);
  m.push_back('.');
  put(seq);
  m.push_back(' ');
  // Filler a server cannot mistake for anything: the alphabet, from a place the message picks.
  for (std::size_t i = 0; m.size() < size; ++i) m.push_back(static_cast<char>('a' + (seq + i) % 26));
}

std::string load_message(std::uint32_t conn, std::uint64_t seq, std::size_t size) {
  std::string m;
  write_load_message(m, conn, seq, size);
  return m;
}

std::optional<std::pair<std::uint32_t, std::uint64_t>> parse_load_message(std::string_view line) {
  const auto dot = line.find('.');
  const auto space = line.find(' ');
  if (dot == std::string_view::npos || space == std::string_view::npos || space < dot) return std::nullopt;
  std::uint32_t conn = 0;
  std::uint64_t seq = 0;
  const char* b = line.data();
  if (auto [p, ec] = std::from_chars(b, b + dot, conn); ec != std::errc{} || p != b + dot)
    return std::nullopt;
  if (auto [p, ec] = std::from_chars(b + dot + 1, b + space, seq); ec != std::errc{} || p != b + space) {
    return std::nullopt;
  }
  return std::pair{conn, seq};
}

load_ns load_due(double rate, std::uint32_t connections, std::uint32_t conn, std::uint64_t k) {
  const double slot = static_cast<double>(k) * connections + conn;
  return static_cast<load_ns>(slot * 1e9 / rate);
}

std::uint64_t load_matcher::send(load_ns planned) {
  flights_.push_back({next_seq_, planned, -1});
  ++unwritten_;
  return next_seq_++;
}

void load_matcher::written(load_ns t) {
  if (unwritten_ == 0) return;
  flights_[flights_.size() - unwritten_].written = t;
  --unwritten_;
}

load_echo load_matcher::echo(std::string_view line) {
  load_echo e;
  const auto id = parse_load_message(line);
  if (!id || id->first != conn_ || flights_.empty() || id->second < flights_.front().seq) return e;
  const std::uint64_t at = id->second - flights_.front().seq;
  // Only a message written can be echoed.
  if (at >= flights_.size() - unwritten_) return e;
  for (std::uint64_t i = 0; i < at; ++i) {
    e.lost_planned.push_back(flights_.front().planned);
    flights_.pop_front();
  }
  e.lost = at;
  const flight f = flights_.front();
  flights_.pop_front();
  e.planned = f.planned;
  e.written = f.written;
  write_load_message(expected_, conn_, f.seq, size_);
  e.what = line == expected_ ? load_echo::kind::echoed : load_echo::kind::differed;
  return e;
}

std::uint64_t load_matcher::expire(load_ns deadline, std::vector<load_ns>& planned) {
  std::uint64_t n = 0;
  while (flights_.size() > unwritten_ && flights_.front().planned < deadline) {
    planned.push_back(flights_.front().planned);
    flights_.pop_front();
    ++n;
  }
  return n;
}

std::uint64_t load_matcher::drop(std::vector<load_ns>& planned) {
  const std::uint64_t n = flights_.size();
  for (const flight& f : flights_) planned.push_back(f.planned);
  flights_.clear();
  unwritten_ = 0;
  return n;
}

load_percentiles load_percentiles::of(const latency_histogram& h) {
  return {h.at_percentile(50), h.at_percentile(90), h.at_percentile(99), h.at_percentile(99.9), h.max()};
}

void load_meter::written(load_ns planned, load_ns at, bool queued_behind) {
  ++second_.counts.sent;
  const load_ns lag = at - planned;
  const bool late = lag >= late_after;
  if (late) {
    ++second_.counts.late;
    if (queued_behind) ++second_.counts.late_full;
  }
  if (!counted(planned)) return;
  ++total_.sent;
  max_lag_ = std::max(max_lag_, lag);
  if (late) {
    ++total_.late;
    if (queued_behind) ++total_.late_full;
  }
}

void load_meter::echoed(const load_echo& e, load_ns now) {
  for (const load_ns p : e.lost_planned) lost(p);
  if (e.what == load_echo::kind::unexpected) {
    unexpected();
    return;
  }
  const bool exact = e.what == load_echo::kind::echoed;
  // A message written before its time (the ticker sends what falls due within a timer's lateness)
  // counts from its write: never less than its round trip.
  const std::int64_t from_schedule = (now - std::min(e.planned, e.written)) / 1000;
  second_.schedule.record(from_schedule);
  ++(exact ? second_.counts.echoed : second_.counts.differed);
  if (!counted(e.planned)) return;
  ++(exact ? total_.echoed : total_.differed);
  schedule_.record(from_schedule);
  write_.record((now - e.written) / 1000);
}

void load_meter::lost(load_ns planned, std::uint64_t n) {
  second_.counts.lost += n;
  if (counted(planned)) total_.lost += n;
}

void load_meter::not_sent(load_ns planned) {
  ++second_.counts.not_sent;
  if (counted(planned)) ++total_.not_sent;
}

const load_meter::second& load_meter::roll() {
  second_.p = load_percentiles::of(second_.schedule);
  std::swap(last_, second_);
  second_.counts = {};
  second_.schedule.reset();
  p99s_.push_back(last_.schedule.count() == 0 ? -1 : last_.p.p99);
  if (p99s_.size() > seconds_kept) p99s_.pop_front();
  return last_;
}

std::string load_plain_line(const load_status& st, const load_meter& m) {
  const auto& s = m.last();
  std::string line = fixed(st.elapsed, 0) + " s: sent " + grouped(s.counts.sent) + "/s, echoed " +
                     grouped(s.counts.echoed + s.counts.differed) + "/s";
  if (s.schedule.count() > 0) {
    line += ", p50 " + ms(s.p.p50) + " ms, p99 " + ms(s.p.p99) + " ms, max " + ms(s.p.max) + " ms";
  }
  line += ", " + std::to_string(st.open) + " open";
  if (st.connecting > 0) line += ", " + std::to_string(st.connecting) + " connecting";
  if (s.counts.lost > 0) line += ", " + grouped(s.counts.lost) + " lost";
  if (s.counts.not_sent > 0) line += ", " + grouped(s.counts.not_sent) + " not sent";
  if (s.counts.late > 0) line += ", " + grouped(s.counts.late) + " late";
  if (st.warming) line += " (warming up)";
  return line + "\n";
}

namespace {

// One cell a second: the p99 of each second, eight heights of block, scaled to the highest.
std::string over_time(const std::deque<std::int64_t>& p99s, int cols, std::int64_t& top) {
  static constexpr const char* blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const std::size_t n = std::min<std::size_t>(p99s.size(), static_cast<std::size_t>(std::max(cols, 1)));
  top = 0;
  for (std::size_t i = p99s.size() - n; i < p99s.size(); ++i) top = std::max(top, p99s[i]);
  std::string line;
  for (std::size_t i = p99s.size() - n; i < p99s.size(); ++i) {
    if (p99s[i] < 0 || top <= 0) {
      line.push_back(' ');
      continue;
    }
    const auto level = static_cast<std::size_t>(std::min<std::int64_t>(7, p99s[i] * 8 / (top + 1)));
    line += blocks[level];
  }
  return line;
}

// The distribution in bars: one row per band of latency (1-2-5 steps), the share of messages in
// it. Bands between the lowest and highest used.
std::vector<std::string> distribution(const latency_histogram& h, int rows, int cols) {
  std::vector<std::string> out;
  if (h.count() == 0 || rows <= 0) return out;
  std::vector<std::int64_t> edges;  // upper bounds, µs
  for (std::int64_t decade = 1; decade <= latency_histogram::highest; decade *= 10) {
    for (const std::int64_t f : {1, 2, 5}) edges.push_back(decade * f);
  }
  std::vector<std::uint64_t> in(edges.size() + 1, 0);
  for (const auto& [value, count] : h.buckets()) {
    const auto at = std::lower_bound(edges.begin(), edges.end(), value) - edges.begin();
    in[static_cast<std::size_t>(at)] += count;
  }
  std::size_t first = 0;
  while (first < in.size() && in[first] == 0) ++first;
  std::size_t last = in.size() - 1;
  while (last > first && in[last] == 0) --last;
  // Too many bands for the rows: merge neighbours.
  const std::size_t bands = last - first + 1;
  const std::size_t per = (bands + static_cast<std::size_t>(rows) - 1) / static_cast<std::size_t>(rows);
  std::uint64_t most = 0;
  std::vector<std::pair<std::int64_t, std::uint64_t>> merged;
  for (std::size_t b = first; b <= last; b += per) {
    std::uint64_t sum = 0;
    std::size_t upto = std::min(last, b + per - 1);
    for (std::size_t k = b; k <= upto; ++k) sum += in[k];
    const std::int64_t bound = upto < edges.size() ? edges[upto] : latency_histogram::highest;
    merged.emplace_back(bound, sum);
    most = std::max(most, sum);
  }
  const int bar_cells = std::max(1, cols - 26);
  for (const auto& [bound, sum] : merged) {
    const double share = static_cast<double>(sum) / static_cast<double>(h.count());
    std::string row = "  ≤ " + pad_left(ms(bound), 10) + " ms " + pad_left(fixed(share * 100, 1), 5) + "% ";
    const auto cells =
        most == 0 ? 0 : static_cast<int>(static_cast<double>(sum) * bar_cells / static_cast<double>(most));
    for (int i = 0; i < cells; ++i) row += "█";
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

std::vector<std::string> load_view(const load_status& st, const load_meter& m, int rows, int cols) {
  std::vector<std::string> out;
  const auto& set = st.settings;
  std::string head = "echochat load · " + st.target + " · " + std::to_string(set.connections) +
                     " connection" + (set.connections == 1 ? "" : "s") + " · ";
  head += set.rate ? "rate " + rate_text(*set.rate) + "/s" : std::string{"closed loop"};
  head += " · " + fixed(st.elapsed, 0) + " s";
  if (set.duration) head += " of " + fixed(set.warmup + *set.duration, 0);
  if (st.warming) head += " · warming up";
  if (st.stopping) head += " · waiting for the last echoes";
  out.push_back(head);
  const auto& s = m.last();
  out.push_back("achieved " + grouped(s.counts.sent) + "/s sent, " +
                grouped(s.counts.echoed + s.counts.differed) + "/s echoed" +
                (set.rate ? " of " + rate_text(*set.rate) + "/s" : std::string{}) +
                "   connections: " + std::to_string(st.open) + " open, " + std::to_string(st.connecting) +
                " connecting, " + std::to_string(st.failed) + " failed");
  std::string behind = behind_words(st, m);
  out.push_back(behind.empty() ? std::string{} : "behind: " + behind);
  out.push_back("latency (ms)        p50       p90       p99     p99.9       max");
  out.push_back("last second " + percentiles_row(s.p));
  out.push_back("whole run   " + percentiles_row(load_percentiles::of(m.from_schedule())));
  out.push_back("from write  " + percentiles_row(load_percentiles::of(m.from_write())));
  const auto& t = m.total();
  out.push_back("sent " + grouped(t.sent) + "  echoed " + grouped(t.echoed) + "  differed " +
                grouped(t.differed) + "  lost " + grouped(t.lost) + "  not sent " + grouped(t.not_sent) +
                "  errors " + [&] {
                  std::uint64_t n = 0;
                  for (const auto& [kind, c] : m.errors()) n += c;
                  return grouped(n);
                }());
  std::int64_t top = 0;
  const std::string line = over_time(m.p99_by_second(), cols - 2, top);
  out.push_back("p99 a second (top " + ms(top) + " ms):");
  out.push_back("  " + line);
  out.push_back("distribution (whole run):");
  const int left = rows - static_cast<int>(out.size()) - 1;
  for (auto& row : distribution(m.from_schedule(), left, cols)) out.push_back(std::move(row));
  if (static_cast<int>(out.size()) < rows) out.push_back("q or Ctrl-C: stop and print the summary");
  if (static_cast<int>(out.size()) > rows) out.resize(static_cast<std::size_t>(std::max(rows, 0)));
  return out;
}

std::string load_summary(const load_status& st, const load_meter& m) {
  const auto& t = m.total();
  const double seconds = measured_seconds(st);
  std::string out = "--- " + st.target + " load statistics ---\n";
  out += grouped(t.sent) + " sent, " + grouped(t.echoed) + " echoed, " + grouped(t.differed) + " differed, " +
         grouped(t.lost) + " lost";
  if (t.not_sent > 0) out += ", " + grouped(t.not_sent) + " not sent (connection down)";
  if (t.unexpected > 0) out += ", " + grouped(t.unexpected) + " unexpected";
  out += ", " + std::to_string(st.settings.connections) + " connection" +
         (st.settings.connections == 1 ? "" : "s") + ", " + fixed(seconds, 1) + " s\n";
  out += "rate " + rate_text(achieved(t, seconds)) + "/s achieved";
  if (st.settings.rate) out += " of " + rate_text(*st.settings.rate) + "/s requested";
  out += " (" + std::string{st.settings.rate ? "open loop" : "closed loop"} + ")\n";
  if (const std::string behind = behind_words(st, m); !behind.empty()) out += "behind: " + behind + "\n";
  const auto line = [](const char* what, const latency_histogram& h) {
    const auto p = load_percentiles::of(h);
    return std::string{what} + " min/p50/p90/p99/p99.9/max = " + ms(h.min()) + "/" + ms(p.p50) + "/" +
           ms(p.p90) + "/" + ms(p.p99) + "/" + ms(p.p999) + "/" + ms(p.max) + " ms\n";
  };
  out += line("latency from schedule", m.from_schedule());
  out += line("latency from write   ", m.from_write());
  out += line("connect              ", m.connect_times());
  if (!m.errors().empty()) {
    out += "errors:";
    bool first = true;
    for (const auto& [kind, n] : m.errors()) {
      out += std::string{first ? " " : ", "} + grouped(n) + " " + kind;
      first = false;
    }
    out += "\n";
  }
  return out;
}

std::string load_json(const load_status& st, const load_meter& m) {
  const auto& t = m.total();
  const auto& set = st.settings;
  const double seconds = measured_seconds(st);
  std::string out =
      "{\"target\":" + json_string(st.target) + ",\"connections\":" + std::to_string(set.connections);
  out += ",\"rate_requested\":" + (set.rate ? fixed(*set.rate, 3) : std::string{"null"});
  out += ",\"seconds\":" + fixed(seconds, 3) + ",\"warmup\":" + fixed(set.warmup, 3) +
         ",\"size\":" + std::to_string(set.size);
  out += ",\"sent\":" + std::to_string(t.sent) + ",\"echoed\":" + std::to_string(t.echoed) +
         ",\"differed\":" + std::to_string(t.differed) + ",\"lost\":" + std::to_string(t.lost) +
         ",\"unexpected\":" + std::to_string(t.unexpected) + ",\"not_sent\":" + std::to_string(t.not_sent);
  out += ",\"rate_achieved\":" + fixed(achieved(t, seconds), 3);
  out += ",\"late\":" + std::to_string(t.late) + ",\"late_socket_full\":" + std::to_string(t.late_full) +
         ",\"max_send_lag_ms\":" + ms(m.max_send_lag() / 1000);
  out += ",\"connections_opened\":" + std::to_string(st.opened);
  out += ",\"latency_ms\":" + json_latency(m.from_schedule());
  out += ",\"latency_from_write_ms\":" + json_latency(m.from_write());
  out += ",\"connect_ms\":" + json_latency(m.connect_times());
  out += ",\"errors\":{";
  bool first = true;
  for (const auto& [kind, n] : m.errors()) {
    out += (first ? "" : ",") + json_string(kind) + ":" + std::to_string(n);
    first = false;
  }
  return out + "}}\n";
}

std::string hdr_log_header(double start_epoch_seconds) {
  const std::string start = fixed(start_epoch_seconds, 3);
  return "#[Histogram log format version 1.3]\n#[StartTime: " + start + " (seconds since epoch)]\n" +
         "#[BaseTime: " + start + " (seconds since epoch)]\n" +
         "#[Values are latencies from the schedule in microseconds]\n"
         "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
}

std::string hdr_log_line(double start_offset, double length, const latency_histogram& h) {
  // Interval_Max in milliseconds, as the log's readers show it for values in microseconds.
  return fixed(start_offset, 3) + "," + fixed(length, 3) + "," +
         fixed(static_cast<double>(h.max()) / 1000.0, 3) + "," + h.encode_compressed_base64() + "\n";
}

}  // namespace echochat
