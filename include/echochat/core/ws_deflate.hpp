// permessage-deflate (RFC 7692) without I/O: the offer, the server's answer checked, and the
// compression of the messages each way with zlib, the inflated size bounded.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace echochat {

// What the client asks for in Sec-WebSocket-Extensions: the extension, and leave to the server
// the window of what the client sends.
inline constexpr std::string_view ws_deflate_offer = "permessage-deflate; client_max_window_bits";

// What the server agreed to (RFC 7692 section 7.1).
struct ws_deflate_params {
  bool server_no_context_takeover = false;  // each message from the server starts afresh
  bool client_no_context_takeover = false;  // each message to the server must start afresh
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
  friend bool operator==(const ws_deflate_params&, const ws_deflate_params&) = default;
};

// The server's Sec-WebSocket-Extensions answer to ws_deflate_offer: nothing (empty: not
// agreed), the parameters, or why the connection must be failed (an extension not offered, an
// unknown or repeated parameter, a window outside 8-15).
std::variant<std::optional<ws_deflate_params>, std::string> ws_deflate_answer(std::string_view header);

// The parameters in words for the status bar: "deflate".
std::string describe(const ws_deflate_params& params);

// Inflates the messages of one connection, fragment by fragment.
class ws_inflater {
 public:
  enum class result : std::uint8_t { ok, too_big, corrupt };

  explicit ws_inflater(const ws_deflate_params& params);
  ~ws_inflater();
  ws_inflater(const ws_inflater&) = delete;
  ws_inflater& operator=(const ws_inflater&) = delete;

  // Appends to `out` what one fragment of a compressed message inflates to; `last` for the
  // message's final fragment. Never lets `out` grow past `limit` bytes: a message that would is
  // too_big, at once (a small frame that inflates to gigabytes takes no memory).
  result inflate(std::string_view fragment, bool last, std::string& out, std::size_t limit);

 private:
  struct state;
  std::unique_ptr<state> state_;
  bool reset_each_message_;
};

// Deflates the messages the client sends.
class ws_deflater {
 public:
  explicit ws_deflater(const ws_deflate_params& params);
  ~ws_deflater();
  ws_deflater(const ws_deflater&) = delete;
  ws_deflater& operator=(const ws_deflater&) = delete;

  // The payload of a compressed message (RSV1 set), or nothing when the message goes as it is
  // (an empty one, or a window zlib cannot keep to).
  std::optional<std::string> deflate(std::string_view message);

 private:
  struct state;
  std::unique_ptr<state> state_;
  bool reset_each_message_;
};

}  // namespace echochat
