// --reply: a received line that matches a pattern gets an answer, so a line protocol's keep-alive
// (IRC's PING) needs no typing. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace echochat {

// "PATTERN=ANSWER": a whole line equal to PATTERN, or, when PATTERN ends with '*', a line that
// starts with what comes before it (the rest is captured). Each '*' in ANSWER is the capture.
struct reply_rule {
  std::string pattern;
  std::string answer;
  friend bool operator==(const reply_rule&, const reply_rule&) = default;
};

// The rule, or why the text is not one (no '=', an empty pattern).
std::variant<reply_rule, std::string> parse_reply_rule(std::string_view text);

// The answer of the first rule `line` matches, if any.
std::optional<std::string> answer_for(std::span<const reply_rule> rules, std::string_view line);

}  // namespace echochat
