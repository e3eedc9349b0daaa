// Fuzzes --header: any bytes give a header or a reason, never a crash; a header's name is an HTTP
// token and its value holds no control character (no header injected into the request); the
// header written back as "Name: value" parses to itself; and its shown value never crashes.
#include "echochat/core/ws_handshake.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in{reinterpret_cast<const char*>(data), size};
  auto r = echochat::parse_http_header(in);
  if (auto* why = std::get_if<std::string>(&r)) {
    if (why->empty()) __builtin_trap();
    return 0;
  }
  const auto& h = std::get<echochat::http_header>(r);
  if (!echochat::is_http_token(h.name)) __builtin_trap();
  if (std::any_of(h.value.begin(), h.value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }))
    __builtin_trap();
  auto again = echochat::parse_http_header(h.name + ": " + h.value);
  if (!std::holds_alternative<echochat::http_header>(again) || std::get<echochat::http_header>(again) != h)
    __builtin_trap();
  (void)echochat::shown_value(h);
  return 0;
}
