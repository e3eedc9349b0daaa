// Fuzzes the sanitizer: its output is always safe to write to a terminal (no control, no invisible
// or layout character outside an emoji), and sanitizing safe text changes nothing.
#include "echochat/core/sanitize.hpp"
#include "echochat/core/utf8.hpp"

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
  // Every code point left is shown as it is: escaped ones appear only as a ZWJ (which is not one)
  // or as the tags of a subdivision flag.
  std::string_view rest = once;
  while (!rest.empty()) {
    const echochat::utf8_char ch = echochat::decode_utf8(rest);
    if (ch.status != echochat::utf8_status::ok) __builtin_trap();
    const bool tag = ch.value >= 0xE0020 && ch.value <= 0xE007F;
    if (echochat::is_escaped_code_point(ch.value) && !tag) __builtin_trap();
    rest.remove_prefix(ch.length);
  }
  return 0;
}
