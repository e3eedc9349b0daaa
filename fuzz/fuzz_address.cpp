// Fuzzes the --connect address as the option parser takes it: an address is accepted only
// without controls, and a refusal is one escaped line.
#include "echochat/core/options.hpp"
#include "echochat/core/sanitize.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // An argument is a C string: it ends at the first NUL, as the parser sees it.
  std::string value{reinterpret_cast<const char*>(data), size};
  value.resize(std::min(value.size(), value.find('\0')));
  const auto parsed = echochat::parse_options({"--connect", value});
  if (const auto* done = std::get_if<echochat::parse_exit>(&parsed)) {
    const std::string& err = done->err;
    if (done->code != 2 || err.empty() || std::count(err.begin(), err.end(), '\n') != 1) __builtin_trap();
    if (!echochat::is_safe_text(err.substr(0, err.size() - 1))) __builtin_trap();
    return 0;
  }
  const auto& opts = std::get<echochat::options>(parsed);
  if (!opts.connect || !echochat::is_safe_text(value)) __builtin_trap();
  // Written back the way people write it, it parses to the same address.
  const auto again = echochat::parse_options({"--connect", echochat::to_string(*opts.connect)});
  const auto* same = std::get_if<echochat::options>(&again);
  if (same == nullptr || same->connect != opts.connect) __builtin_trap();
  return 0;
}
