// permessage-deflate: the extension's parameters parsed as RFC 7692 section 7 lists them, and
// zlib's raw deflate streams, flushed at each message's end with the 4 bytes the RFC drops.
#include "echochat/core/ws_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>

namespace echochat {
namespace {

constexpr std::string_view flush_tail{"\x00\x00\xff\xff", 4};
constexpr std::size_t chunk = 16 * 1024;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "10" or "\"10\"" within 8..15.
std::optional<int> window_bits(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  int bits = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), bits);
  if (ec != std::errc{} || end != value.data() + value.size() || bits < 8 || bits > 15) return std::nullopt;
  return bits;
}

}  // namespace

std::variant<std::optional<ws_deflate_params>, std::string> ws_deflate_answer(std::string_view header) {
  header = trimmed(header);
  if (header.empty()) return std::optional<ws_deflate_params>{};
  if (header.find(',') != std::string_view::npos)
    return std::string{"the server chose more than one extension"};
  ws_deflate_params params;
  bool first = true;
  std::array<bool, 4> seen{};
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    const std::string_view part = trimmed(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    if (first) {
      if (part != "permessage-deflate")
        return "the server chose an extension not offered: " + std::string{part};
      first = false;
      continue;
    }
    const std::size_t eq = part.find('=');
    const std::string_view name = trimmed(part.substr(0, eq));
    const std::optional<std::string_view> value =
        eq == std::string_view::npos ? std::nullopt : std::optional{trimmed(part.substr(eq + 1))};
    std::size_t which = 0;
    if (name == "server_no_context_takeover" && !value) {
      params.server_no_context_takeover = true;
    } else if (name == "client_no_context_takeover" && !value) {
      params.client_no_context_takeover = true;
      which = 1;
    } else if (name == "server_max_window_bits" && value && window_bits(*value)) {
      params.server_max_window_bits = *window_bits(*value);
      which = 2;
    } else if (name == "client_max_window_bits" && (!value || window_bits(*value))) {
      params.client_max_window_bits = value ? *window_bits(*value) : 15;
      which = 3;
    } else {
      return "the server answered permessage-deflate with a parameter it may not: " + std::string{part};
    }
    if (seen.at(which))
      return "the server answered permessage-deflate with a parameter twice: " + std::string{name};
    seen.at(which) = true;
  }
  return std::optional{params};
}

std::string describe(const ws_deflate_params&) { return "deflate"; }

struct ws_inflater::state {
  z_stream z{};
  state() {
    // Whatever window the server keeps to, 15 bits inflate it.
    if (inflateInit2(&z, -15) != Z_OK) throw std::bad_alloc{};
  }
  ~state() { inflateEnd(&z); }
  state(const state&) = delete;
  state& operator=(const state&) = delete;

  // Inflates `in` onto `out`, which never grows past limit + 1 bytes. zlib writes into `scratch`
  // and only what it wrote is appended: a 70-byte message costs 70 bytes, not a zero-filled chunk.
  result run(std::string_view in, std::string& out, std::size_t limit) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      const std::size_t room = std::min(chunk, limit + 1 - out.size());
      z.next_out = reinterpret_cast<Bytef*>(scratch.get());
      z.avail_out = static_cast<uInt>(room);
      const int rc = ::inflate(&z, Z_SYNC_FLUSH);
      out.append(scratch.get(), room - z.avail_out);
      if (out.size() > limit) return result::too_big;
      if (rc == Z_STREAM_END) {
        // A final block ended the stream: what follows starts a new one.
        inflateReset(&z);
        if (z.avail_in == 0) return result::ok;
        continue;
      }
      if (rc == Z_BUF_ERROR && z.avail_in == 0) return result::ok;
      if (rc != Z_OK) return result::corrupt;
      if (z.avail_in == 0 && z.avail_out != 0) return result::ok;
    }
  }

  std::unique_ptr<char[]> scratch = std::make_unique_for_overwrite<char[]>(chunk);
};

ws_inflater::ws_inflater(const ws_deflate_params& params)
    : state_(std::make_unique<state>()), reset_each_message_(params.server_no_context_takeover) {}

ws_inflater::~ws_inflater() = default;

ws_inflater::result ws_inflater::inflate(std::string_view fragment, bool last, std::string& out,
                                         std::size_t limit) {
  if (out.size() > limit) return result::too_big;
  if (const result r = state_->run(fragment, out, limit); r != result::ok) return r;
  if (!last) return result::ok;
  const result r = state_->run(flush_tail, out, limit);
  if (reset_each_message_) inflateReset(&state_->z);
  return r;
}

struct ws_deflater::state {
  z_stream z{};
  explicit state(int bits) {
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::bad_alloc{};
    }
  }
  ~state() { deflateEnd(&z); }
  state(const state&) = delete;
  state& operator=(const state&) = delete;
};

ws_deflater::ws_deflater(const ws_deflate_params& params)
    // zlib's raw deflate cannot keep to a 256-byte window (it makes 8 bits 9): then nothing is
    // compressed, which the extension allows message by message.
    : state_(params.client_max_window_bits > 8 ? std::make_unique<state>(params.client_max_window_bits)
                                               : nullptr),
      reset_each_message_(params.client_no_context_takeover) {}

ws_deflater::~ws_deflater() = default;

std::optional<std::string> ws_deflater::deflate(std::string_view message) {
  if (!state_ || message.empty()) return std::nullopt;
  z_stream& z = state_->z;
  std::string out(deflateBound(&z, static_cast<uLong>(message.size())) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  z.avail_in = static_cast<uInt>(message.size());
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(out.size() - used);
    const int rc = ::deflate(&z, Z_SYNC_FLUSH);
    used = out.size() - z.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return std::nullopt;
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  out.resize(used);
  if (out.ends_with(flush_tail)) out.resize(out.size() - flush_tail.size());
  if (reset_each_message_) deflateReset(&z);
  return out;
}

}  // namespace echochat
