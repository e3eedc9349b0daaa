// --reply rules: parsing "PATTERN=ANSWER" and answering a line.
#include "echochat/core/reply.hpp"

#include <algorithm>

namespace echochat {

std::variant<reply_rule, std::string> parse_reply_rule(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) return std::string{"expected PATTERN=ANSWER"};
  reply_rule r{std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)}};
  if (r.pattern.empty() || r.pattern == "*") return std::string{"the pattern is empty"};
  return r;
}

std::optional<std::string> answer_for(std::span<const reply_rule> rules, std::string_view line) {
  if (auto m = match_reply(rules, line)) return std::move(m->answer);
  return std::nullopt;
}

std::optional<reply_match> match_reply(std::span<const reply_rule> rules, std::string_view line) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const reply_rule& r = rules[i];
    std::string_view captured;
    if (r.pattern.ends_with('*')) {
      const std::string_view head = std::string_view{r.pattern}.substr(0, r.pattern.size() - 1);
      if (!line.starts_with(head)) continue;
      captured = line.substr(head.size());
    } else if (line != r.pattern) {
      continue;
    }
    std::string answer;
    for (char c : r.answer) {
      if (c == '*') {
        answer += captured;
      } else {
        answer += c;
      }
    }
    return reply_match{i, std::move(answer)};
  }
  return std::nullopt;
}

reply_limiter::verdict reply_limiter::check(std::size_t i, clock::time_point at) {
  rule_state& r = rules_.at(i);
  if (at < r.paused_until) return verdict::paused;
  // The oldest of the last `burst` answers: within a second of this one, and this would be one
  // too many.
  if (r.count == burst && at - r.recent[r.next] < std::chrono::seconds{1}) {
    r.paused_until = at + pause;
    r.count = 0;
    return verdict::paused_now;
  }
  r.recent[r.next] = at;
  r.next = (r.next + 1) % burst;
  r.count = std::min(r.count + 1, burst);
  return verdict::answer;
}

std::string reply_paused_text(const reply_rule& rule) {
  return "--reply '" + rule.pattern + "=" + rule.answer + "' answered more than " +
         std::to_string(reply_limiter::burst) +
         " lines within a second (is it answering its own answers?): paused for " +
         std::to_string(reply_limiter::pause.count()) + " s";
}

}  // namespace echochat
