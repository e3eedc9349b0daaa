// Test support: a WebSocket frame as a server may send it, for the frame parser's and the
// permessage-deflate unit tests and the wire-level pipeline tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace echochat::testing {

// Any first byte (FIN, RSV, opcode), unmasked unless `masked` (a server may not mask: the
// parser's tests send one to see it refused), the length in the shortest form unless
// `long_form` asks for the 64-bit one.
inline std::string server_frame(std::uint8_t first, std::string_view payload, bool masked = false,
                                bool long_form = false) {
  std::string f(1, static_cast<char>(first));
  const std::size_t n = payload.size();
  const auto mask_bit = static_cast<std::uint8_t>(masked ? 0x80 : 0);
  if (n < 126 && !long_form) {
    f += static_cast<char>(mask_bit | n);
  } else if (n < 65536 && !long_form) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) f += static_cast<char>((std::uint64_t{n} >> shift) & 0xFF);
  }
  if (masked) f += "\x01\x02\x03\x04";
  f += payload;
  return f;
}

}  // namespace echochat::testing
