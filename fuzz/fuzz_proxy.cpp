// Fuzzes what echochat reads from a proxy and of a proxy: the first byte chooses the parser, the
// rest is its input. Proxy URLs (a URL or a reason; the password never shown; its span inside
// the text), the SOCKS5 answers (a choice, a password answer, a reply whose remaining length is
// that of its address), the HTTP CONNECT answer's head and NO_PROXY lists: never a crash.
#include "echochat/core/proxy.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

void proxy_url(std::string_view text) {
  auto r = echochat::parse_proxy_url(text);
  if (const auto span = echochat::proxy_password_span(text)) {
    if (span->first > text.size() || span->second > text.size() - span->first) __builtin_trap();
  }
  (void)echochat::masked_proxy_text(text);
  if (auto* why = std::get_if<std::string>(&r)) {
    if (why->empty()) __builtin_trap();
    return;
  }
  const auto& p = std::get<echochat::proxy_url>(r);
  const std::string shown = echochat::to_string(p);
  if (shown.empty() || echochat::proxy_host_text(p).empty()) __builtin_trap();
  if (p.user && !p.password.empty() && shown.find(":***@") == std::string::npos) __builtin_trap();
}

void socks5(std::string_view bytes) {
  if (bytes.size() >= 2) {
    const auto choice = echochat::read_socks5_choice(bytes.substr(0, 2), bytes.size() % 2 == 0);
    if (choice.refusal && choice.refusal->empty()) __builtin_trap();
    (void)echochat::read_socks5_password_answer(bytes.substr(0, 2));
  }
  auto reply = echochat::read_socks5_reply(bytes.substr(0, 5));
  if (auto* left = std::get_if<std::size_t>(&reply)) {
    // The rest of the bound address (at most a 255-byte name) and the 2-byte port.
    if (*left > 255 + 2) __builtin_trap();
  } else if (std::get<std::string>(reply).empty()) {
    __builtin_trap();
  }
}

void http_answer(std::string_view bytes) {
  const auto end = echochat::http_head_end(bytes);
  if (end && *end > bytes.size()) __builtin_trap();
  const std::string_view head = end ? bytes.substr(0, *end) : bytes;
  const auto refusal = echochat::read_http_connect_answer(head, bytes.size() % 2 == 0);
  if (refusal && refusal->empty()) __builtin_trap();
}

void no_proxy(std::string_view bytes) {
  const std::size_t nl = bytes.find('\n');
  const std::string_view list = bytes.substr(0, nl);
  const std::string_view host = nl == std::string_view::npos ? std::string_view{} : bytes.substr(nl + 1);
  (void)echochat::no_proxy_exempts(list, host);
  (void)echochat::ipv4_bytes(host);
  (void)echochat::ipv6_bytes(host);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 4) {
    case 0: proxy_url(in); break;
    case 1: socks5(in); break;
    case 2: http_answer(in); break;
    default: no_proxy(in); break;
  }
  return 0;
}
