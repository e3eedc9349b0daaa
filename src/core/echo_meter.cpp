// Matching echoes to the lines sent, and ping's arithmetic.
#include "echochat/core/echo_meter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace echochat {

namespace {

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

std::string fixed3(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

double echo_stats::min_ms() const {
  return rtt_ms.empty() ? 0 : *std::min_element(rtt_ms.begin(), rtt_ms.end());
}
double echo_stats::max_ms() const {
  return rtt_ms.empty() ? 0 : *std::max_element(rtt_ms.begin(), rtt_ms.end());
}

double echo_stats::avg_ms() const {
  if (rtt_ms.empty()) return 0;
  double sum = 0;
  for (const double r : rtt_ms) sum += r;
  return sum / static_cast<double>(rtt_ms.size());
}

double echo_stats::mdev_ms() const {
  if (rtt_ms.empty()) return 0;
  double sum = 0, sum2 = 0;
  for (const double r : rtt_ms) {
    sum += r;
    sum2 += r * r;
  }
  const double n = static_cast<double>(rtt_ms.size());
  const double mean = sum / n;
  return std::sqrt(std::max(sum2 / n - mean * mean, 0.0));
}

double echo_stats::percentile_ms(double p) const {
  if (rtt_ms.empty()) return 0;
  std::vector<double> sorted = rtt_ms;
  std::sort(sorted.begin(), sorted.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const auto i = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size()))) - 1;
  return sorted[i];
}

std::uint64_t echo_meter::sent(std::string text, std::optional<std::uint64_t> entry) {
  const std::uint64_t seq = next_seq_++;
  waiting_.push_back(waiting_line{seq, std::move(text), std::nullopt, entry});
  ++stats_.sent;
  return seq;
}

void echo_meter::handed(echo_clock::time_point t) {
  for (auto& w : waiting_) {
    if (!w.handed) {
      w.handed = t;
      return;
    }
  }
}

std::optional<std::uint64_t> echo_meter::echoed_before(std::string_view text) const {
  for (auto it = echoed_.rbegin(); it != echoed_.rend(); ++it) {
    if (it->second == text) return it->first;
  }
  return std::nullopt;
}

echo_result echo_meter::received(std::string_view text, echo_clock::time_point t,
                                 std::vector<echo_result>* skipped) {
  const bool waiting = !waiting_.empty() && waiting_.front().handed;
  if (waiting && waiting_.front().text == text) return match_front(text, t);
  // Exactly a later line's text: the lines before it will never come back.
  const auto later = std::find_if(waiting_.begin(), waiting_.end(),
                                  [&](const waiting_line& w) { return w.handed && w.text == text; });
  if (later != waiting_.end()) {
    for (auto it = waiting_.begin(); it != later; ++it) {
      echo_result lost = lose(*it);
      lost.skipped = true;
      if (skipped != nullptr) skipped->push_back(std::move(lost));
    }
    waiting_.erase(waiting_.begin(), later);
    return match_front(text, t);
  }
  echo_result r;
  if (const auto seq = echoed_before(text)) {
    r.what = echo_result::kind::duplicate;
    r.seq = *seq;
    ++stats_.duplicates;
    return r;
  }
  if (!waiting) {
    r.what = echo_result::kind::unexpected;
    ++stats_.unexpected;
    return r;
  }
  return match_front(text, t);
}

echo_result echo_meter::match_front(std::string_view text, echo_clock::time_point t) {
  echo_result r;
  waiting_line w = std::move(waiting_.front());
  waiting_.pop_front();
  r.seq = w.seq;
  r.entry = w.entry;
  r.rtt = t - *w.handed;
  stats_.rtt_ms.push_back(ms(r.rtt));
  if (text == w.text) {
    r.what = echo_result::kind::echoed;
    ++stats_.echoed;
    if (echoed_.size() == remembered) echoed_.pop_front();
    echoed_.emplace_back(w.seq, std::move(w.text));
    return r;
  }
  r.what = echo_result::kind::differs;
  ++stats_.differed;
  r.trailing_cr = text.size() == w.text.size() + 1 && text.back() == '\r' && text.starts_with(w.text);
  const auto mismatch = std::mismatch(w.text.begin(), w.text.end(), text.begin(), text.end());
  r.differs_at = static_cast<std::size_t>(mismatch.first - w.text.begin()) + 1;
  r.sent = std::move(w.text);
  return r;
}

echo_result echo_meter::lose(waiting_line& w) {
  echo_result r;
  r.what = echo_result::kind::lost;
  r.seq = w.seq;
  r.entry = w.entry;
  r.sent = std::move(w.text);
  ++stats_.lost;
  return r;
}

std::vector<echo_result> echo_meter::expire(echo_clock::time_point now) {
  std::vector<echo_result> out;
  while (!waiting_.empty() && waiting_.front().handed && now - *waiting_.front().handed >= timeout_) {
    out.push_back(lose(waiting_.front()));
    waiting_.pop_front();
  }
  return out;
}

std::vector<echo_result> echo_meter::drop() {
  std::vector<echo_result> out;
  while (!waiting_.empty() && waiting_.front().handed) {
    out.push_back(lose(waiting_.front()));
    waiting_.pop_front();
  }
  return out;
}

std::optional<echo_clock::time_point> echo_meter::next_deadline() const {
  if (waiting_.empty() || !waiting_.front().handed) return std::nullopt;
  return *waiting_.front().handed + timeout_;
}

std::string format_rtt(std::chrono::nanoseconds rtt) { return fixed3(ms(rtt)) + " ms"; }

std::string echo_summary(const echo_stats& s, std::string_view target, std::chrono::milliseconds elapsed) {
  std::string out = "--- " + std::string{target} + " echo statistics ---\n";
  // As ping prints its loss: %g of the percentage.
  char lost_pct[32];
  std::snprintf(lost_pct, sizeof lost_pct, "%g",
                s.sent == 0 ? 0.0 : static_cast<double>(s.lost) * 100.0 / static_cast<double>(s.sent));
  out += std::to_string(s.sent) + " lines sent, " + std::to_string(s.echoed) + " echoed, ";
  if (s.duplicates > 0) out += "+" + std::to_string(s.duplicates) + " duplicates, ";
  if (s.unexpected > 0) out += "+" + std::to_string(s.unexpected) + " unexpected, ";
  out += std::to_string(s.differed) + " differed, " + lost_pct + "% lost, time " +
         std::to_string(elapsed.count()) + "ms\n";
  if (!s.rtt_ms.empty()) {
    out += "rtt min/avg/max/mdev = " + fixed3(s.min_ms()) + "/" + fixed3(s.avg_ms()) + "/" +
           fixed3(s.max_ms()) + "/" + fixed3(s.mdev_ms()) + " ms\n";
  }
  if (s.rtt_ms.size() >= 20) {
    out += "rtt p50/p99 = " + fixed3(s.percentile_ms(50)) + "/" + fixed3(s.percentile_ms(99)) + " ms\n";
  }
  return out;
}

}  // namespace echochat
