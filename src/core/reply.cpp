// --reply rules: parsing "PATTERN=ANSWER" and answering a line.
#include "echochat/core/reply.hpp"

namespace echochat {

std::variant<reply_rule, std::string> parse_reply_rule(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) return std::string{"expected PATTERN=ANSWER"};
  reply_rule r{std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)}};
  if (r.pattern.empty() || r.pattern == "*") return std::string{"the pattern is empty"};
  return r;
}

std::optional<std::string> answer_for(std::span<const reply_rule> rules, std::string_view line) {
  for (const reply_rule& r : rules) {
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
    return answer;
  }
  return std::nullopt;
}

}  // namespace echochat
