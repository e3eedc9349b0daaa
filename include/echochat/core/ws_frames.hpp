// WebSocket frames (RFC 6455 section 5) without I/O: a parser that turns whatever one read of the
// socket brought into every complete message it holds, and the encoder of a client's masked frames.
#pragma once

#include "echochat/core/ws_deflate.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace echochat {

// A message larger than this is refused (code 1009) instead of filling memory.
inline constexpr std::size_t ws_message_limit = 16 * 1024 * 1024;

enum class ws_opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

// The close codes the client itself sends (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t ws_close_normal = 1000;
inline constexpr std::uint16_t ws_close_protocol_error = 1002;
inline constexpr std::uint16_t ws_close_no_status = 1005;  // a close frame without a code
inline constexpr std::uint16_t ws_close_invalid_payload = 1007;
inline constexpr std::uint16_t ws_close_too_big = 1009;

// One complete message or control frame. `payload` points into the parser (see feed()).
struct ws_message {
  enum class kind : std::uint8_t { text, binary, ping, pong, close };
  kind type = kind::text;
  std::string_view payload;  // close: the reason (valid UTF-8)
  std::uint16_t code = 0;    // close: the code, ws_close_no_status when the frame had none
};

// Why the connection must be failed: the code for the close frame and the words for the user.
struct ws_failure {
  std::uint16_t code = ws_close_protocol_error;
  std::string reason;  // short, ASCII: fits a close frame (at most 123 bytes)
  friend bool operator==(const ws_failure&, const ws_failure&) = default;
};

// A code that may appear in a close frame received (RFC 6455 section 7.4, the IANA registry):
// 1000-1003, 1007-1014, 3000-4999.
bool is_valid_close_code(std::uint16_t code);

// Checks UTF-8 that arrives in pieces (the fragments of a text message): a character may be split
// between pieces, and an ill-formed byte is reported in the piece where it appears, without
// waiting for the message's end.
class utf8_checker {
 public:
  // False as soon as the bytes so far cannot be the start of valid UTF-8.
  bool feed(std::string_view bytes);
  // True when no character is left unfinished: the text so far is valid UTF-8 as a whole.
  bool complete() const { return carried_ == 0; }
  void reset() { carried_ = 0; }

 private:
  std::array<char, 4> carry_{};  // the start of a character the last piece cut short
  std::size_t carried_ = 0;
};

// Turns the bytes a server sends, in whatever pieces they arrive, into messages. The caller reads
// from the socket straight into the parser's buffer:
//   auto space = parser.prepare(64 * 1024);
//   n = read_some(space);
//   failure = parser.commit(n, messages);
// (or hands it bytes it already has, with feed()). What a server sends the client cannot be
// masked, and no extension is negotiated, so a masked frame or a reserved bit fails it.
class ws_frame_parser {
 public:
  explicit ws_frame_parser(std::size_t max_message = ws_message_limit);

  // permessage-deflate was agreed: a message whose first frame has RSV1 set is inflated, its
  // inflated size bounded by the limit (1009), bytes that do not inflate refused (1007).
  void use_deflate(const ws_deflate_params& params);

  // Room for at least `size` more bytes. What earlier messages pointed to may move: a message's
  // payload is valid until the next prepare() or feed().
  std::span<char> prepare(std::size_t size);

  // `size` bytes were written at the start of what prepare() gave. Appends to `out` every message
  // and control frame they complete, in order. A protocol error (code 1002), a text message that
  // is not UTF-8 (1007) or one larger than the limit (1009, said as soon as a frame's header
  // shows it, before its payload arrives) ends the parse: the messages before it are in `out`,
  // and that failure is returned now and by every later call. After a close frame nothing more is
  // parsed (the server may send nothing after it).
  std::optional<ws_failure> commit(std::size_t size, std::vector<ws_message>& out);

  // prepare() and commit() for bytes at hand.
  std::optional<ws_failure> feed(std::string_view bytes, std::vector<ws_message>& out);

  // A close frame was parsed.
  bool closed() const { return closed_; }
  // Bytes held: the unparsed part of a frame, and the fragments of a message so far.
  std::size_t buffered() const { return end_ - begin_ + assembled_.size(); }
  // Memory held for the messages handed out since the last prepare(): those inflated or joined
  // from fragments (the others point into the read buffer).
  std::size_t message_bytes_held() const;

 private:
  enum class step : std::uint8_t { more, done, failed };
  step parse_one(std::vector<ws_message>& out);
  step data_frame(bool fin, bool compressed, ws_opcode op, std::string_view payload,
                  std::vector<ws_message>& out);
  // A compressed message in one frame: inflated onto the read's arena.
  step whole_compressed(std::string_view payload, std::vector<ws_message>& out);
  step control_frame(ws_opcode op, std::string_view payload, std::vector<ws_message>& out);
  step fail(std::uint16_t code, std::string reason);
  // The first `arrived` bytes of a text frame's payload have come (the rest not yet): false if
  // they cannot begin valid UTF-8, the message's earlier fragments counted for a continuation.
  bool check_partial_text(bool continuation, std::string_view arrived);

  std::size_t max_message_;
  // Grown without zero-filling: a page no read has written to is not resident, so a thousand idle
  // connections do not each hold 64 KiB.
  template <class T>
  struct uninitialized_allocator : std::allocator<T> {
    template <class U>
    struct rebind {
      using other = uninitialized_allocator<U>;
    };
    using std::allocator<T>::allocator;
    template <class U>
    void construct(U* p) noexcept {
      ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  };
  std::vector<char, uninitialized_allocator<char>> buffer_;  // bytes read; [begin_, end_) not parsed yet
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool in_message_ = false;                // a fragmented message goes on
  bool text_ = false;                      // ... and it is text
  bool compressed_ = false;                // ... and compressed
  std::unique_ptr<ws_inflater> inflater_;  // when permessage-deflate was agreed
  std::string assembled_;                  // its fragments so far
  utf8_checker utf8_;                      // its text so far
  // A text frame not all here yet: how much of its payload was checked, and the check's state.
  std::size_t partial_checked_ = 0;
  utf8_checker partial_utf8_;
  std::deque<std::string> finished_;  // fragmented messages completed since the last prepare()
  // Compressed messages in one frame inflated since the last prepare(), one after another; their
  // payloads in `out` are set when commit() ends, as the arena may move while it grows.
  std::string inflated_;
  struct inflated_ref {
    std::size_t index;  // in commit()'s `out`
    std::size_t offset;
    std::size_t size;
  };
  std::vector<inflated_ref> inflated_refs_;
  std::optional<ws_failure> failure_;
  bool closed_ = false;
};

// Appends one frame as a client sends it: FIN set, RSV1 when the payload is `compressed`
// (permessage-deflate), the payload masked with `mask` (RFC 6455 section 5.3), the length in the
// shortest form.
void append_ws_frame(std::string& out, ws_opcode op, std::string_view payload,
                     std::array<std::uint8_t, 4> mask, bool compressed = false);

// A close frame's payload: the code (big-endian) and the reason, cut to fit 125 bytes.
std::string ws_close_payload(std::uint16_t code, std::string_view reason);

}  // namespace echochat
