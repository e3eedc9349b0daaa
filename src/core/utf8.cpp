// UTF-8 decoding past ASCII (by Table 3-7 of the Unicode standard) and UTF-8 encoding.
#include "echochat/core/utf8.hpp"

namespace echochat {

namespace {

constexpr char32_t replacement = 0xFFFD;

// The range allowed for the second byte depends on the lead byte: this is what rules out
// overlong forms (E0, F0), surrogates (ED) and values beyond U+10FFFF (F4) in one place.
struct lead_info {
  std::size_t length;  // 0: not a valid lead byte
  unsigned char second_low;
  unsigned char second_high;
};

constexpr lead_info classify_lead(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

utf8_char decode_utf8_multibyte(std::string_view bytes) {
  const auto b0 = static_cast<unsigned char>(bytes.front());
  if (b0 < 0x80) return {b0, 1, utf8_status::ok};
  const lead_info lead = classify_lead(b0);
  if (lead.length == 0) return {replacement, 1, utf8_status::invalid};

  char32_t value = b0 & (0xFFU >> (lead.length + 1));
  for (std::size_t i = 1; i < lead.length; ++i) {
    if (i == bytes.size()) return {replacement, i, utf8_status::truncated};
    const auto b = static_cast<unsigned char>(bytes[i]);
    const unsigned char low = i == 1 ? lead.second_low : 0x80;
    const unsigned char high = i == 1 ? lead.second_high : 0xBF;
    if (b < low || b > high) return {replacement, i, utf8_status::invalid};
    value = (value << 6) | (b & 0x3FU);
  }
  return {value, lead.length, utf8_status::ok};
}

void append_utf8(std::string& out, char32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = replacement;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace echochat
