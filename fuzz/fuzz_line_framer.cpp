// Fuzzes the line framer: whatever the peer sends and however it is chunked, no piece and no
// buffered tail is ever longer than the limit, and no byte of text is invented.
#include "echochat/core/line_framer.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_line = 4 + data[0] % 60;  // small limits reach the cutting code often
  const std::size_t chunk = 1 + data[1] % 17;
  const std::string_view in{reinterpret_cast<const char*>(data + 2), size - 2};

  echochat::line_framer framer(max_line);
  std::vector<echochat::framed_line> out;
  std::size_t text_bytes = 0;
  for (std::size_t i = 0; i < in.size(); i += chunk) {
    framer.feed(in.substr(i, chunk), out);
    if (framer.buffered() > max_line) __builtin_trap();
  }
  if (auto tail = framer.finish()) out.push_back(std::move(*tail));
  for (const auto& l : out) {
    if (l.text.size() > max_line) __builtin_trap();
    text_bytes += l.text.size();
  }
  if (text_bytes > in.size()) __builtin_trap();
  return 0;
}
