// WebSocket frames: each byte of a read is looked at once, a whole frame's payload is handed on
// where it lies in the buffer, and only a fragmented message is copied (to join its fragments).
#include "echochat/core/ws_frames.hpp"

#include "echochat/core/utf8.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace echochat {
namespace {

// Eight bytes at once while they are all ASCII: most chat text is.
std::size_t ascii_prefix(std::string_view bytes) {
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, 8);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  while (i < bytes.size() && is_ascii(bytes[i])) ++i;
  return i;
}

bool is_valid_utf8(std::string_view bytes) {
  utf8_checker check;
  return check.feed(bytes) && check.complete();
}

}  // namespace

bool is_valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

bool utf8_checker::feed(std::string_view bytes) {
  // First the character the last piece cut short, a byte at a time (at most 3).
  while (carried_ > 0 && !bytes.empty()) {
    carry_[carried_++] = bytes.front();
    bytes.remove_prefix(1);
    const utf8_char c = decode_utf8({carry_.data(), carried_});
    if (c.status == utf8_status::invalid) return false;
    if (c.status == utf8_status::ok) carried_ = 0;
  }
  while (!bytes.empty()) {
    bytes.remove_prefix(ascii_prefix(bytes));
    if (bytes.empty()) break;
    const utf8_char c = decode_utf8(bytes);
    if (c.status == utf8_status::invalid) return false;
    if (c.status == utf8_status::truncated) {
      std::copy(bytes.begin(), bytes.end(), carry_.begin());
      carried_ = bytes.size();
      break;
    }
    bytes.remove_prefix(c.length);
  }
  return true;
}

ws_frame_parser::ws_frame_parser(std::size_t max_message) : max_message_(max_message) {}

void ws_frame_parser::use_deflate(const ws_deflate_params& params) {
  inflater_ = std::make_unique<ws_inflater>(params);
}

std::span<char> ws_frame_parser::prepare(std::size_t size) {
  finished_.clear();
  // The last read's inflated messages are gone; a big batch's memory goes back.
  if (inflated_.capacity() > 1024 * 1024) {
    inflated_ = std::string{};
  } else {
    inflated_.clear();
  }
  if (begin_ > 0) {
    // What is left of a frame goes to the front: a few bytes, unless a big frame is arriving.
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_),
              buffer_.begin() + static_cast<std::ptrdiff_t>(end_), buffer_.begin());
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < end_ + size) buffer_.resize(end_ + size);
  // A big message's memory goes back once it has been parsed.
  if (end_ == 0 && buffer_.size() > 4 * size && buffer_.size() > 1024 * 1024) {
    buffer_.resize(size);
    buffer_.shrink_to_fit();
  }
  return {buffer_.data() + end_, buffer_.size() - end_};
}

std::optional<ws_failure> ws_frame_parser::commit(std::size_t size, std::vector<ws_message>& out) {
  end_ += std::min(size, buffer_.size() - end_);
  while (!failure_ && !closed_) {
    if (parse_one(out) != step::done) break;
  }
  if (closed_) begin_ = end_;  // nothing after a close frame counts
  // The arena no longer grows: the inflated messages' payloads can point into it.
  for (const inflated_ref& r : inflated_refs_) {
    out[r.index].payload = std::string_view{inflated_}.substr(r.offset, r.size);
  }
  inflated_refs_.clear();
  return failure_;
}

std::optional<ws_failure> ws_frame_parser::feed(std::string_view bytes, std::vector<ws_message>& out) {
  const std::span<char> space = prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  return commit(bytes.size(), out);
}

ws_frame_parser::step ws_frame_parser::parse_one(std::vector<ws_message>& out) {
  const std::size_t available = end_ - begin_;
  if (available < 2) return step::more;
  const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + begin_);
  const bool fin = (p[0] & 0x80U) != 0;
  const unsigned rsv = p[0] & 0x70U;
  const auto op = static_cast<ws_opcode>(p[0] & 0x0FU);
  const bool masked = (p[1] & 0x80U) != 0;
  std::uint64_t length = p[1] & 0x7FU;
  std::size_t header = 2;
  if (length == 126) {
    if (available < 4) return step::more;
    length = (std::uint64_t{p[2]} << 8) | p[3];
    header = 4;
  } else if (length == 127) {
    if (available < 10) return step::more;
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | p[i];
    header = 10;
    if ((length >> 63) != 0) return fail(ws_close_protocol_error, "a frame length with its top bit set");
  }
  // Everything the header alone shows is refused before the payload is waited for.
  // RSV1 is permessage-deflate's, on the first frame of a message only.
  const bool compressed = rsv == 0x40U && inflater_ && (op == ws_opcode::text || op == ws_opcode::binary);
  if (rsv != 0 && !compressed) return fail(ws_close_protocol_error, "reserved bits set, no extension agreed");
  if (masked) return fail(ws_close_protocol_error, "a masked frame from the server");
  const bool control = (static_cast<unsigned>(op) & 0x08U) != 0;
  if (control) {
    if (op != ws_opcode::close && op != ws_opcode::ping && op != ws_opcode::pong) {
      return fail(ws_close_protocol_error, "a reserved opcode");
    }
    if (!fin) return fail(ws_close_protocol_error, "a fragmented control frame");
    if (length > 125) return fail(ws_close_protocol_error, "a control frame over 125 bytes");
  } else {
    if (op != ws_opcode::continuation && op != ws_opcode::text && op != ws_opcode::binary) {
      return fail(ws_close_protocol_error, "a reserved opcode");
    }
    if (op == ws_opcode::continuation && !in_message_) {
      return fail(ws_close_protocol_error, "a continuation frame outside a message");
    }
    if (op != ws_opcode::continuation && in_message_) {
      return fail(ws_close_protocol_error, "a new message inside a fragmented one");
    }
    const std::size_t so_far = in_message_ ? assembled_.size() : 0;
    if (length > max_message_ - so_far) return fail(ws_close_too_big, "a message over the size limit");
  }
  if (available - header < length) {
    // A text frame still arriving is checked as far as it has come: a bad byte fails the message
    // when it arrives, not when the frame ends (Autobahn's strict 6.4).
    const bool text =
        !compressed && (op == ws_opcode::text || (op == ws_opcode::continuation && text_ && !compressed_));
    if (text && !check_partial_text(op == ws_opcode::continuation,
                                    {buffer_.data() + begin_ + header, available - header})) {
      return fail(ws_close_invalid_payload, "a text message not in UTF-8");
    }
    return step::more;
  }
  const std::string_view payload{buffer_.data() + begin_ + header, static_cast<std::size_t>(length)};
  begin_ += header + static_cast<std::size_t>(length);
  partial_checked_ = 0;
  return control ? control_frame(op, payload, out) : data_frame(fin, compressed, op, payload, out);
}

bool ws_frame_parser::check_partial_text(bool continuation, std::string_view arrived) {
  if (partial_checked_ == 0) partial_utf8_ = continuation ? utf8_ : utf8_checker{};
  const bool ok = partial_utf8_.feed(arrived.substr(partial_checked_));
  partial_checked_ = arrived.size();
  return ok;
}

ws_frame_parser::step ws_frame_parser::data_frame(bool fin, bool compressed, ws_opcode op,
                                                  std::string_view payload, std::vector<ws_message>& out) {
  if (op != ws_opcode::continuation) {
    text_ = op == ws_opcode::text;
    compressed_ = compressed;
    if (fin && !compressed_) {
      // The common case: a whole message in one frame, handed on where it lies.
      if (text_ && !is_valid_utf8(payload))
        return fail(ws_close_invalid_payload, "a text message not in UTF-8");
      out.push_back({text_ ? ws_message::kind::text : ws_message::kind::binary, payload, 0});
      return step::done;
    }
    if (fin) return whole_compressed(payload, out);
    in_message_ = true;
    assembled_.clear();
    utf8_.reset();
  }
  const std::size_t before = assembled_.size();
  if (compressed_) {
    switch (inflater_->inflate(payload, fin, assembled_, max_message_)) {
      case ws_inflater::result::ok: break;
      case ws_inflater::result::too_big:
        return fail(ws_close_too_big, "a message over the size limit once inflated");
      case ws_inflater::result::corrupt:
        return fail(ws_close_invalid_payload, "a compressed message that does not inflate");
    }
  } else {
    assembled_.append(payload);
  }
  if (text_ && !utf8_.feed(std::string_view{assembled_}.substr(before))) {
    return fail(ws_close_invalid_payload, "a text message not in UTF-8");
  }
  if (!fin) return step::done;
  if (text_ && !utf8_.complete()) return fail(ws_close_invalid_payload, "a text message not in UTF-8");
  in_message_ = false;
  finished_.push_back(std::exchange(assembled_, std::string{}));
  out.push_back({text_ ? ws_message::kind::text : ws_message::kind::binary, finished_.back(), 0});
  return step::done;
}

ws_frame_parser::step ws_frame_parser::whole_compressed(std::string_view payload,
                                                        std::vector<ws_message>& out) {
  const std::size_t start = inflated_.size();
  switch (inflater_->inflate(payload, true, inflated_, start + max_message_)) {
    case ws_inflater::result::ok: break;
    case ws_inflater::result::too_big:
      return fail(ws_close_too_big, "a message over the size limit once inflated");
    case ws_inflater::result::corrupt:
      return fail(ws_close_invalid_payload, "a compressed message that does not inflate");
  }
  const std::size_t size = inflated_.size() - start;
  if (text_ && !is_valid_utf8(std::string_view{inflated_}.substr(start, size))) {
    return fail(ws_close_invalid_payload, "a text message not in UTF-8");
  }
  inflated_refs_.push_back({out.size(), start, size});
  out.push_back({text_ ? ws_message::kind::text : ws_message::kind::binary, {}, 0});
  return step::done;
}

std::size_t ws_frame_parser::message_bytes_held() const {
  std::size_t n = inflated_.capacity();
  for (const std::string& m : finished_) n += m.capacity();
  return n;
}

ws_frame_parser::step ws_frame_parser::control_frame(ws_opcode op, std::string_view payload,
                                                     std::vector<ws_message>& out) {
  if (op == ws_opcode::ping || op == ws_opcode::pong) {
    out.push_back({op == ws_opcode::ping ? ws_message::kind::ping : ws_message::kind::pong, payload, 0});
    return step::done;
  }
  std::uint16_t code = ws_close_no_status;
  if (payload.size() == 1) return fail(ws_close_protocol_error, "a close frame with a 1-byte payload");
  if (payload.size() >= 2) {
    code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8U) |
                                      static_cast<unsigned char>(payload[1]));
    if (!is_valid_close_code(code))
      return fail(ws_close_protocol_error, "a close frame with an invalid code");
    payload.remove_prefix(2);
    if (!is_valid_utf8(payload)) return fail(ws_close_invalid_payload, "a close reason not in UTF-8");
  }
  out.push_back({ws_message::kind::close, payload, code});
  closed_ = true;
  return step::done;
}

ws_frame_parser::step ws_frame_parser::fail(std::uint16_t code, std::string reason) {
  failure_ = ws_failure{code, std::move(reason)};
  return step::failed;
}

void append_ws_frame(std::string& out, ws_opcode op, std::string_view payload,
                     std::array<std::uint8_t, 4> mask, bool compressed) {
  out.push_back(static_cast<char>(0x80U | (compressed ? 0x40U : 0U) | static_cast<unsigned>(op)));
  const std::size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80U | n));
  } else if (n < 65536) {
    out.push_back(static_cast<char>(0x80U | 126U));
    out.push_back(static_cast<char>(n >> 8U));
    out.push_back(static_cast<char>(n & 0xFFU));
  } else {
    out.push_back(static_cast<char>(0x80U | 127U));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((std::uint64_t{n} >> shift) & 0xFFU));
  }
  for (const std::uint8_t m : mask) out.push_back(static_cast<char>(m));
  const std::size_t start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i) {
    out[start + i] = static_cast<char>(static_cast<unsigned char>(out[start + i]) ^ mask[i % 4]);
  }
}

std::string ws_close_payload(std::uint16_t code, std::string_view reason) {
  std::string payload{static_cast<char>(code >> 8U), static_cast<char>(code & 0xFFU)};
  payload.append(reason.substr(0, 123));
  return payload;
}

}  // namespace echochat
