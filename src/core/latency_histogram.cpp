#include "echochat/core/latency_histogram.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

namespace echochat {

namespace {

// HdrHistogram's layout for 1 µs..1 hour at 3 significant digits: 2,048 sub-buckets (2 × 10³
// rounded up to a power of two), 22 buckets, each a doubling of the one before.
constexpr int sub_bucket_count_magnitude = 11;
constexpr int sub_bucket_half_count_magnitude = sub_bucket_count_magnitude - 1;
constexpr std::int64_t sub_bucket_count = std::int64_t{1} << sub_bucket_count_magnitude;
constexpr std::int64_t sub_bucket_half_count = sub_bucket_count / 2;
constexpr std::int64_t sub_bucket_mask = sub_bucket_count - 1;
constexpr int leading_zero_count_base = 64 - sub_bucket_count_magnitude;

// V2's cookies, with 0x10 in the low byte as every implementation writes them.
constexpr std::uint32_t encoding_cookie = 0x1c849303U | 0x10U;
constexpr std::uint32_t compressed_cookie = 0x1c849304U | 0x10U;
constexpr std::size_t header_bytes = 40;

int bucket_of(std::int64_t v) {
  return leading_zero_count_base - std::countl_zero(static_cast<std::uint64_t>(v | sub_bucket_mask));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xffU));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xffU));
}
std::uint64_t get_be(const std::string& in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

// HdrHistogram's ZigZag LEB128: seven bits a byte, the ninth byte carries eight.
void put_zigzag(std::string& out, std::int64_t value) {
  std::uint64_t v = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if (v < 0x80) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7fU) | 0x80U));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
bool get_zigzag(const std::string& in, std::size_t& at, std::int64_t& value) {
  std::uint64_t v = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= in.size()) return false;
    const auto byte = static_cast<unsigned char>(in[at++]);
    if (i == 8) {
      v |= std::uint64_t{byte} << 56;
      break;
    }
    v |= std::uint64_t{byte & 0x7fU} << (7 * i);
    if ((byte & 0x80U) == 0) break;
  }
  value = static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1U);
  return true;
}

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

latency_histogram::latency_histogram() : counts_(counts_length, 0) {}

std::size_t latency_histogram::index_of(std::int64_t us) {
  const int bucket = bucket_of(us);
  const std::int64_t sub = us >> bucket;
  return static_cast<std::size_t>((static_cast<std::int64_t>(bucket + 1) << sub_bucket_half_count_magnitude) +
                                  (sub - sub_bucket_half_count));
}

std::int64_t latency_histogram::value_of(std::size_t index) {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude) - 1;
  std::int64_t sub = static_cast<std::int64_t>(index & (sub_bucket_half_count - 1)) + sub_bucket_half_count;
  if (bucket < 0) {
    sub -= sub_bucket_half_count;
    bucket = 0;
  }
  return sub << bucket;
}

std::int64_t latency_histogram::highest_equivalent(std::int64_t value) {
  const int bucket = bucket_of(value);
  const std::int64_t sub = value >> bucket;
  const int adjusted = bucket + (sub >= sub_bucket_count ? 1 : 0);
  const std::int64_t lowest_equivalent = sub << bucket;
  return lowest_equivalent + (std::int64_t{1} << adjusted) - 1;
}

void latency_histogram::record(std::int64_t us, std::uint64_t times) {
  us = std::clamp<std::int64_t>(us, 0, highest);
  counts_[index_of(us)] += times;
  total_ += times;
  max_ = std::max(max_, us);
  min_ = min_ < 0 ? us : std::min(min_, us);
}

void latency_histogram::add(const latency_histogram& other) {
  if (other.total_ == 0) return;
  for (std::size_t i = 0; i < counts_length; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  max_ = std::max(max_, other.max_);
  min_ = min_ < 0 ? other.min_ : std::min(min_, other.min_);
}

void latency_histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  max_ = 0;
  min_ = -1;
}

std::int64_t latency_histogram::min() const { return min_ < 0 ? 0 : min_; }

std::int64_t latency_histogram::max() const { return total_ == 0 ? 0 : highest_equivalent(max_); }

double latency_histogram::mean() const {
  if (total_ == 0) return 0;
  double sum = 0;
  for (std::size_t i = 0; i < counts_length; ++i) {
    if (counts_[i] == 0) continue;
    // HdrHistogram's mean: each value at the middle of its bucket.
    const std::int64_t low = value_of(i);
    const auto middle = static_cast<double>(low) + static_cast<double>(highest_equivalent(low) - low + 1) / 2;
    sum += middle * static_cast<double>(counts_[i]);
  }
  return sum / static_cast<double>(total_);
}

std::int64_t latency_histogram::at_percentile(double p) const {
  if (total_ == 0) return 0;
  const double wanted = std::min(std::max(p, 0.0), 100.0) / 100.0 * static_cast<double>(total_);
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(wanted)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_length; ++i) {
    seen += counts_[i];
    if (seen >= rank) return highest_equivalent(value_of(i));
  }
  return max();
}

std::vector<std::pair<std::int64_t, std::uint64_t>> latency_histogram::buckets() const {
  std::vector<std::pair<std::int64_t, std::uint64_t>> out;
  for (std::size_t i = 0; i < counts_length; ++i) {
    if (counts_[i] != 0) out.emplace_back(highest_equivalent(value_of(i)), counts_[i]);
  }
  return out;
}

std::string latency_histogram::encode() const {
  std::string out;
  out.reserve(header_bytes + 64);
  put_u32(out, encoding_cookie);
  put_u32(out, 0);  // the payload's length, filled in below
  put_u32(out, 0);  // normalizing index offset
  put_u32(out, significant_digits);
  put_u64(out, lowest);
  put_u64(out, highest);
  put_u64(out, std::bit_cast<std::uint64_t>(1.0));  // integer to double conversion ratio
  const std::size_t limit = total_ == 0 ? 0 : index_of(max_) + 1;
  for (std::size_t i = 0; i < limit;) {
    const std::uint64_t count = counts_[i++];
    if (count != 0) {
      put_zigzag(out, static_cast<std::int64_t>(count));
      continue;
    }
    std::int64_t zeros = 1;
    while (i < limit && counts_[i] == 0) {
      ++zeros;
      ++i;
    }
    put_zigzag(out, zeros > 1 ? -zeros : 0);
  }
  const auto payload = static_cast<std::uint32_t>(out.size() - header_bytes);
  for (int b = 0; b < 4; ++b)
    out[4 + static_cast<std::size_t>(b)] = static_cast<char>((payload >> (24 - 8 * b)) & 0xffU);
  return out;
}

std::string latency_histogram::encode_compressed_base64() const {
  const std::string plain = encode();
  uLongf size = compressBound(static_cast<uLong>(plain.size()));
  std::string deflated(size, '\0');
  // zlib's format (a header and an Adler-32), as java.util.zip.Deflater writes it.
  if (compress2(reinterpret_cast<Bytef*>(deflated.data()), &size,
                reinterpret_cast<const Bytef*>(plain.data()), static_cast<uLong>(plain.size()),
                Z_DEFAULT_COMPRESSION) != Z_OK) {
    return {};
  }
  deflated.resize(size);
  std::string out;
  put_u32(out, compressed_cookie);
  put_u32(out, static_cast<std::uint32_t>(deflated.size()));
  out += deflated;
  return base64_encode(out);
}

bool latency_histogram::add_compressed_base64(const std::string& text) {
  std::string bytes;
  if (!base64_decode(text, bytes) || bytes.size() < 8 || get_be(bytes, 0, 4) != compressed_cookie)
    return false;
  const std::uint64_t length = get_be(bytes, 4, 4);
  if (length != bytes.size() - 8) return false;
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return false;
  std::string plain;
  std::array<char, 16384> chunk{};
  z.next_in = reinterpret_cast<Bytef*>(bytes.data() + 8);
  z.avail_in = static_cast<uInt>(length);
  int rc = Z_OK;
  while (rc == Z_OK && plain.size() < (std::size_t{1} << 24)) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    plain.append(chunk.data(), chunk.size() - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || plain.size() < header_bytes || get_be(plain, 0, 4) != encoding_cookie)
    return false;
  if (get_be(plain, 8, 4) != 0 || get_be(plain, 12, 4) != significant_digits ||
      get_be(plain, 16, 8) != lowest) {
    return false;
  }
  const std::uint64_t payload = get_be(plain, 4, 4);
  if (payload != plain.size() - header_bytes) return false;
  latency_histogram read;
  std::size_t at = header_bytes;
  std::size_t index = 0;
  while (at < plain.size()) {
    std::int64_t v = 0;
    if (!get_zigzag(plain, at, v)) return false;
    if (v < 0) {
      index += static_cast<std::size_t>(-v);
      continue;
    }
    if (index >= counts_length) return false;
    if (v > 0) read.record(value_of(index), static_cast<std::uint64_t>(v));
    ++index;
  }
  add(read);
  return true;
}

std::string base64_encode(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0U);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out.push_back(k <= n ? alphabet[(v >> (18 - 6 * k)) & 0x3fU] : '=');
    }
  }
  return out;
}

bool base64_decode(const std::string& text, std::string& bytes) {
  bytes.clear();
  std::uint32_t v = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const auto at = alphabet.find(c);
    if (at == std::string_view::npos) return false;
    v = (v << 6) | static_cast<std::uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((v >> bits) & 0xffU));
    }
  }
  return true;
}

}  // namespace echochat
