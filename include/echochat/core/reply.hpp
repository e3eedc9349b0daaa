// --reply: a received line that matches a pattern gets an answer, so a line protocol's keep-alive
// (IRC's PING) needs no typing. Pure.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

// The same, with the index of the rule that matched.
struct reply_match {
  std::size_t rule = 0;
  std::string answer;
};
std::optional<reply_match> match_reply(std::span<const reply_rule> rules, std::string_view line);

// Bounds each rule's answers: a rule that would answer more than `burst` times within one second
// (one that answers its own answers through an echoing peer loops for ever) is paused for `pause`.
class reply_limiter {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t burst = 5;
  static constexpr std::chrono::seconds pause{60};

  enum class verdict { answer, paused_now, paused };

  explicit reply_limiter(std::size_t rules) : rules_(rules) {}
  // Whether rule `i` may answer a line received at `at`; paused_now is the first refusal of a pause.
  verdict check(std::size_t i, clock::time_point at);

 private:
  struct rule_state {
    std::array<clock::time_point, burst> recent{};  // the last answers' times, a ring
    std::size_t next = 0;
    std::size_t count = 0;
    clock::time_point paused_until{};
  };
  std::vector<rule_state> rules_;
};

// The words of a pause, for the sys entry.
std::string reply_paused_text(const reply_rule& rule);

}  // namespace echochat
