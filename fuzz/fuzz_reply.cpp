// Fuzzes --reply: the input is a rule's text, a newline, and a received line. Any rule text gives
// a rule or a reason, never a crash; a rule has a pattern; a line equal to a whole-line pattern
// is answered with the answer as written, and a line that starts with a prefix pattern's prefix
// is answered.
#include "echochat/core/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in{reinterpret_cast<const char*>(data), size};
  const std::size_t nl = in.find('\n');
  const std::string_view text = in.substr(0, nl);
  const std::string_view line = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  auto r = echochat::parse_reply_rule(text);
  if (auto* why = std::get_if<std::string>(&r)) {
    if (why->empty()) __builtin_trap();
    return 0;
  }
  const auto& rule = std::get<echochat::reply_rule>(r);
  if (rule.pattern.empty()) __builtin_trap();
  const std::span<const echochat::reply_rule> rules{&rule, 1};
  const auto answer = echochat::answer_for(rules, line);
  const auto match = echochat::match_reply(rules, line);
  if (answer.has_value() != match.has_value()) __builtin_trap();
  const std::string_view pattern = rule.pattern;
  if (pattern.ends_with('*')) {
    if (line.starts_with(pattern.substr(0, pattern.size() - 1)) && !answer) __builtin_trap();
  } else {
    if ((line == pattern) != answer.has_value()) __builtin_trap();
  }
  (void)echochat::reply_paused_text(rule);
  return 0;
}
