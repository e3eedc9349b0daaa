// Fuzzes the key decoder: any bytes, split anywhere, decode to the same keys as unsplit, and a
// flush always leaves it empty.
#include "echochat/core/key_decoder.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view all{reinterpret_cast<const char*>(data + 1), size - 1};
  const std::size_t split = all.empty() ? 0 : data[0] % (all.size() + 1);

  echochat::key_decoder whole;
  std::vector<echochat::key> a;
  whole.feed(all, a);
  whole.flush(a);

  echochat::key_decoder parts;
  std::vector<echochat::key> b;
  parts.feed(all.substr(0, split), b);
  parts.feed(all.substr(split), b);
  parts.flush(b);

  if (a != b) __builtin_trap();
  if (whole.has_pending() && !whole.in_paste()) __builtin_trap();
  std::size_t paste_ends = 0;
  for (const auto& k : a) {
    if (echochat::key_name(k).empty()) __builtin_trap();
    if (k.code == echochat::key_code::paste_end) ++paste_ends;
  }
  if (paste_ends != whole.pastes().size()) __builtin_trap();  // one text for each paste_end
  return 0;
}
