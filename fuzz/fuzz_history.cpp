// Fuzzes the history file's reader: any bytes give records, never a crash; every record has a
// destination and a text, none holding a TAB or a line break; and the compacted file reads back
// to the same newest records, with nothing corrupt and nothing unfinished.
#include "echochat/core/history.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in{reinterpret_cast<const char*>(data), size};
  const echochat::parsed_history h = echochat::parse_history(in);
  for (const auto& r : h.records) {
    if (r.destination.empty() || r.text.empty()) __builtin_trap();
    if (r.destination.find_first_of("\t\n") != std::string::npos ||
        r.text.find_first_of("\t\n") != std::string::npos)
      __builtin_trap();
  }
  constexpr std::size_t limit = 8;  // small, so that the fuzzer reaches the cut
  const echochat::parsed_history again = echochat::parse_history(echochat::compact_history(h, limit));
  const std::size_t kept = h.records.size() < limit ? h.records.size() : limit;
  const std::vector<echochat::history_record> newest(h.records.end() - static_cast<std::ptrdiff_t>(kept),
                                                     h.records.end());
  if (again.records != newest || again.corrupt != 0 || again.unfinished) __builtin_trap();
  if (echochat::needs_compaction(again, limit)) __builtin_trap();
  return 0;
}
