// Fuzzes the option parser as a whole: the input, split at NUL bytes, is the argument vector.
// Whatever it is, parsing ends in options or in one escaped line on stderr, never in a crash.
// One option_parser serves every input (a unit test holds it to what a fresh parse gives): building
// CLI11's parser anew for each made it seven times as slow.
#include "echochat/core/options.hpp"
#include "echochat/core/sanitize.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  std::vector<std::string> args;
  while (!in.empty() && args.size() < 16) {
    const std::size_t nul = in.find('\0');
    args.emplace_back(in.substr(0, nul));
    in.remove_prefix(nul == std::string_view::npos ? in.size() : nul + 1);
  }
  static echochat::option_parser parser;
  const auto parsed = parser.parse(args);
  if (const auto* done = std::get_if<echochat::parse_exit>(&parsed)) {
    if (done->code == 0) return 0;  // --help or --version
    if (done->code != 2) __builtin_trap();
    const std::string& err = done->err;
    // One line, and nothing in it that could drive the terminal.
    if (err.empty() || err.back() != '\n' || std::count(err.begin(), err.end(), '\n') != 1) __builtin_trap();
    if (!echochat::is_safe_text(std::string_view{err}.substr(0, err.size() - 1))) __builtin_trap();
    return 0;
  }
  const auto& opts = std::get<echochat::options>(parsed);
  if (opts.delay_seconds < 0 || opts.delay_seconds != opts.delay_seconds) __builtin_trap();
  if (opts.connect && !echochat::is_safe_text(echochat::to_string(*opts.connect))) __builtin_trap();
  return 0;
}
