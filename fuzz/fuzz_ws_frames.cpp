// Fuzzes the WebSocket frame parser and its inflater: whatever a server sends and however the
// reads cut it, the same messages come out (or the same failure), a text message is always UTF-8,
// none is over the limit (inflated ones included), and the parser never holds more than a frame's
// worth beyond it. The first byte picks the pieces' size and whether permessage-deflate (with or
// without context takeover) was agreed.
#include "echochat/core/ws_frames.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct result {
  std::vector<std::string> messages;  // kind, then payload
  std::optional<echochat::ws_failure> failure;
};

constexpr std::size_t limit = 4096;  // small, so that fragments reach it

result run(std::string_view in, std::size_t piece, int deflate) {
  echochat::ws_frame_parser parser(limit);
  if (deflate > 0) {
    echochat::ws_deflate_params params;
    params.server_no_context_takeover = deflate == 2;
    parser.use_deflate(params);
  }
  result r;
  std::vector<echochat::ws_message> out;
  for (std::size_t i = 0; i < in.size(); i += piece) {
    out.clear();
    r.failure = parser.feed(in.substr(i, piece), out);
    for (const echochat::ws_message& m : out) {
      if (m.type == echochat::ws_message::kind::text || m.type == echochat::ws_message::kind::binary) {
        if (m.payload.size() > limit) __builtin_trap();
      }
      if (m.type == echochat::ws_message::kind::text) {
        echochat::utf8_checker check;
        if (!check.feed(m.payload) || !check.complete()) __builtin_trap();
      }
      r.messages.push_back(std::to_string(static_cast<int>(m.type)) + ":" + std::to_string(m.code) + ":" +
                           std::string{m.payload});
    }
    // Unparsed bytes: at most one frame (header 14, payload within the limit) and the fragments.
    if (parser.buffered() > 2 * limit + 14 + piece) __builtin_trap();
    if (r.failure) break;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 13;
  const int deflate = (data[0] / 13) % 3;
  const std::string_view in{reinterpret_cast<const char*>(data + 1), size - 1};
  const result whole = run(in, in.empty() ? 1 : in.size(), deflate);
  const result cut = run(in, piece, deflate);
  if (whole.messages != cut.messages || whole.failure != cut.failure) __builtin_trap();
  return 0;
}
