// Fuzzes the sanitizer: its output is always safe to write to a terminal, and sanitizing safe
// text changes nothing.
#include "echochat/core/sanitize.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in{reinterpret_cast<const char*>(data), size};
  const std::string once = echochat::sanitize(in);
  if (!echochat::is_safe_text(once)) __builtin_trap();
  if (echochat::sanitize(once) != once) __builtin_trap();
  for (const char ch : once) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) __builtin_trap();  // no C0 control, no DEL, ever
  }
  return 0;
}
