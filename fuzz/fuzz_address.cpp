// Fuzzes the --connect address parser: any bytes give an address or a reason, never a crash; an
// address has a port in range (or a path), and it reads back to itself.
#include "echochat/core/address.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in{reinterpret_cast<const char*>(data), size};
  auto r = echochat::parse_address(in);
  if (auto* why = std::get_if<std::string>(&r)) {
    if (why->empty()) __builtin_trap();
    return 0;
  }
  const auto& a = std::get<echochat::address>(r);
  if (a.kind == echochat::transport::unix_socket) {
    if (a.path.empty() || a.path.size() > echochat::max_unix_path) __builtin_trap();
  } else {
    const int port = std::stoi(a.endpoint.port);
    if (a.endpoint.host.empty() || port < 1 || port > 65535) __builtin_trap();
  }
  auto again = echochat::parse_address(echochat::to_string(a));
  if (!std::holds_alternative<echochat::address>(again) || std::get<echochat::address>(again) != a)
    __builtin_trap();
  return 0;
}
