// Proxies as data: the URL, the environment's choice, and the bytes of SOCKS5 and HTTP CONNECT.
#include "echochat/core/proxy.hpp"

#include "echochat/core/sanitize.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace echochat {
namespace {

using namespace std::string_literals;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string hex_byte(std::uint8_t b) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", b);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// A user name as a URL carries it: what would end it or confuse a reader %-escaped.
std::string percent_encoded(std::string_view text) {
  static constexpr std::string_view kept = "-._~!$&'()*+,;=";
  std::string out;
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || kept.find(c) != std::string_view::npos) {
      out += c;
    } else {
      char esc[4];
      std::snprintf(esc, sizeof esc, "%%%02X", static_cast<unsigned char>(c));
      out += esc;
    }
  }
  return out;
}

struct scheme_name {
  std::string_view name;
  proxy_kind kind;
};
constexpr std::array<scheme_name, 3> proxy_schemes{{
    {"socks5", proxy_kind::socks5},
    {"socks5h", proxy_kind::socks5h},
    {"http", proxy_kind::http},
}};

std::string_view scheme_of(proxy_kind kind) {
  for (const auto& s : proxy_schemes) {
    if (s.kind == kind) return s.name;
  }
  return "http";
}

std::variant<proxy_kind, std::string> kind_of(std::string_view scheme) {
  const std::string s = lowered(scheme);
  for (const auto& known : proxy_schemes) {
    if (known.name == s) return known.kind;
  }
  if (s == "https")
    return "a proxy reached over TLS (https://) is not supported: use http://, socks5:// or socks5h://"s;
  if (s.starts_with("socks4") || s == "socks") {
    return "SOCKS4 is not supported: use socks5:// or socks5h://"s;
  }
  return "unknown proxy scheme '" + sanitize(scheme) + "' (use socks5://, socks5h:// or http://)";
}

// Where the authority starts: past "SCHEME://", or at 0 without one.
std::size_t authority_start(std::string_view text) {
  const auto sep = text.find("://");
  return sep == std::string_view::npos ? 0 : sep + 3;
}

// A CIDR match of `bits` leading bits.
template <std::size_t N>
bool same_prefix(const std::array<std::uint8_t, N>& a, const std::array<std::uint8_t, N>& b, unsigned bits) {
  for (std::size_t i = 0; i < N && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8U);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// One NO_PROXY entry against a host that is an IP address: the same address, or in its network.
template <std::size_t N, class Parse>
bool exempts_address(std::string_view entry, const std::array<std::uint8_t, N>& host, Parse parse) {
  unsigned bits = N * 8;
  if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
    const std::string_view digits = entry.substr(slash + 1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || bits > N * 8 || digits.empty()) {
      return false;
    }
    entry = entry.substr(0, slash);
  }
  const auto address = parse(entry);
  return address && same_prefix(*address, host, bits);
}

bool exempts(std::string_view entry, std::string_view host) {
  if (entry == "*") return true;
  if (const auto v4 = ipv4_bytes(host)) return exempts_address(entry, *v4, ipv4_bytes);
  if (const auto v6 = ipv6_bytes(host)) {
    if (entry.starts_with('[')) {
      const auto close = entry.find(']');
      if (close == std::string_view::npos) return false;
      const std::string rebuilt =
          std::string{entry.substr(1, close - 1)} + std::string{entry.substr(close + 1)};
      return exempts_address(std::string_view{rebuilt}, *v6, ipv6_bytes);
    }
    return exempts_address(entry, *v6, ipv6_bytes);
  }
  std::string name = lowered(entry);
  if (name.starts_with('.')) name.erase(0, 1);
  if (name.ends_with('.')) name.pop_back();
  if (name.empty()) return false;
  const std::string h = lowered(host);
  return h == name || (h.size() > name.size() && h.ends_with(name) && h[h.size() - name.size() - 1] == '.');
}

const std::string* set(const std::optional<std::string>& v) { return v && !v->empty() ? &*v : nullptr; }

std::string two_bytes_be(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }

}  // namespace

std::variant<proxy_url, std::string> parse_proxy_url(std::string_view text) {
  if (text.empty()) return "the proxy URL is empty"s;
  if (has_control(text)) return "a proxy URL has no control characters"s;
  proxy_url p;
  std::string_view rest = text;
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    auto kind = kind_of(text.substr(0, sep));
    if (const auto* why = std::get_if<std::string>(&kind)) return *why;
    p.kind = std::get<proxy_kind>(kind);
    rest = text.substr(sep + 3);
  }
  // The user information ends at the last '@': a password may hold one unescaped.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view info = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = info.find(':');
    auto user = percent_decoded(info.substr(0, colon));
    auto password = colon == std::string_view::npos ? std::optional<std::string>{""}
                                                    : percent_decoded(info.substr(colon + 1));
    if (!user || !password)
      return "a bad %-escape in the proxy's user name or password (%XX, two hex digits)"s;
    if (user->empty()) return "the proxy URL has an '@' but no user name before it"s;
    if (p.kind != proxy_kind::http && (user->size() > 255 || password->size() > 255)) {
      return "a SOCKS5 user name and password are 255 bytes at most"s;
    }
    p.user = std::move(*user);
    p.password = std::move(*password);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return "a proxy URL is SCHEME://[USER:PASSWORD@]HOST[:PORT], without a path"s;
  }
  if (rest.empty() || rest.front() == ':') return "the proxy URL names no host"s;
  const bool bracketed = rest.front() == '[';
  const auto close = rest.find(']');
  const bool has_port = bracketed ? close != std::string_view::npos && close + 1 < rest.size()
                                  : rest.find(':') != std::string_view::npos;
  const std::string authority =
      has_port ? std::string{rest} : std::string{rest} + ":" + std::string{default_proxy_port};
  auto endpoint = parse_host_port(authority);
  if (const auto* why = std::get_if<std::string>(&endpoint)) return "the proxy's " + *why;
  p.endpoint = std::get<host_port>(std::move(endpoint));
  return p;
}

std::string to_string(const proxy_url& proxy) {
  std::string text = std::string{scheme_of(proxy.kind)} + "://";
  if (proxy.user) {
    text += percent_encoded(*proxy.user);
    if (!proxy.password.empty()) text += ":***";
    text += "@";
  }
  return text + to_string(proxy.endpoint);
}

std::optional<std::pair<std::size_t, std::size_t>> proxy_password_span(std::string_view text) {
  const std::size_t start = authority_start(text);
  const auto at = text.rfind('@');
  if (at == std::string_view::npos || at < start) return std::nullopt;
  const auto colon = text.find(':', start);
  if (colon == std::string_view::npos || colon > at || colon + 1 == at) return std::nullopt;
  return std::pair{colon + 1, at - colon - 1};
}

std::string masked_proxy_text(std::string_view text) {
  const auto span = proxy_password_span(text);
  if (!span) return std::string{text};
  return std::string{text.substr(0, span->first)} + "***" +
         std::string{text.substr(span->first + span->second)};
}

std::string proxy_host_text(const proxy_url& proxy) { return to_string(proxy.endpoint); }

std::optional<proxy_choice> proxy_from_environment(const address& target, const proxy_environment& env) {
  if (target.kind == transport::unix_socket) return std::nullopt;
  const std::string* no_proxy = set(env.no_proxy) != nullptr ? set(env.no_proxy) : set(env.NO_PROXY);
  if (no_proxy != nullptr && no_proxy_exempts(*no_proxy, target.endpoint.host)) return std::nullopt;
  std::vector<std::pair<std::string_view, const std::optional<std::string>*>> order;
  if (uses_tls(target.kind)) {
    order = {{"https_proxy", &env.https_proxy}, {"HTTPS_PROXY", &env.HTTPS_PROXY}};
  } else {
    order = {{"http_proxy", &env.http_proxy}};
  }
  order.emplace_back("all_proxy", &env.all_proxy);
  order.emplace_back("ALL_PROXY", &env.ALL_PROXY);
  for (const auto& [name, value] : order) {
    if (const std::string* v = set(*value)) return proxy_choice{std::string{name}, *v};
  }
  return std::nullopt;
}

bool no_proxy_exempts(std::string_view list, std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::size_t i = 0;
  while (i < list.size()) {
    const auto end = list.find_first_of(", \t", i);
    const std::string_view entry =
        list.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (!entry.empty() && exempts(entry, host)) return true;
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return false;
}

// --- SOCKS5 ------------------------------------------------------------------------------------

std::string socks5_greeting(bool with_password) {
  return with_password ? std::string{"\x05\x02\x00\x02", 4} : std::string{"\x05\x01\x00", 3};
}

namespace {
std::string not_socks5(std::uint8_t version) {
  return "the proxy does not answer as a SOCKS5 proxy (version byte " + hex_byte(version) + ", not 0x05)";
}
}  // namespace

socks5_choice read_socks5_choice(std::string_view two_bytes, bool have_password) {
  if (two_bytes.size() != 2) return {false, "the proxy's answer to the greeting is not 2 bytes"};
  const auto version = static_cast<std::uint8_t>(two_bytes[0]);
  const auto method = static_cast<std::uint8_t>(two_bytes[1]);
  if (version != 5) return {false, not_socks5(version)};
  if (method == 0) return {};
  if (method == 2 && have_password) return {true, std::nullopt};
  if (method == 2) {
    return {false,
            "the proxy wants a user name and password (give them in the proxy URL: "
            "socks5://USER:PASSWORD@HOST:PORT)"};
  }
  if (method == 0xff) {
    return {false, have_password
                       ? "the proxy accepts neither no authentication nor a user name and password"
                       : "the proxy refuses to work without authentication (it may want a user name "
                         "and password: socks5://USER:PASSWORD@HOST:PORT)"};
  }
  return {false,
          "the proxy chose authentication method " + std::to_string(method) + ", which was not offered"};
}

std::string socks5_password_request(std::string_view user, std::string_view password) {
  std::string out{'\x01'};
  out += static_cast<char>(std::min<std::size_t>(user.size(), 255));
  out += user.substr(0, 255);
  out += static_cast<char>(std::min<std::size_t>(password.size(), 255));
  out += password.substr(0, 255);
  return out;
}

std::optional<std::string> read_socks5_password_answer(std::string_view two_bytes) {
  // The version byte is 1 by RFC 1929; some proxies send 5. Only the status counts.
  if (two_bytes.size() == 2 && two_bytes[1] == 0) return std::nullopt;
  return "the proxy refused the user name or password"s;
}

std::optional<std::string> socks5_connect_request(std::string_view host, std::uint16_t port) {
  std::string out{"\x05\x01\x00", 3};
  if (const auto v4 = ipv4_bytes(host)) {
    out += '\x01';
    out.append(v4->begin(), v4->end());
  } else if (const auto v6 = ipv6_bytes(host)) {
    out += '\x04';
    out.append(v6->begin(), v6->end());
  } else {
    if (host.empty() || host.size() > 255) return std::nullopt;
    out += '\x03';
    out += static_cast<char>(host.size());
    out += host;
  }
  return out + two_bytes_be(port);
}

std::string socks5_reply_words(std::uint8_t code) {
  switch (code) {
    case 1: return "general SOCKS server failure";
    case 2: return "connection not allowed by its rules";
    case 3: return "network unreachable";
    case 4: return "host unreachable";
    case 5: return "connection refused by the destination";
    case 6: return "TTL expired";
    case 7: return "command not supported";
    case 8: return "address type not supported";
    default: return "unknown failure";
  }
}

std::variant<std::size_t, std::string> read_socks5_reply(std::string_view first5) {
  if (first5.size() != 5) return "the proxy's reply is too short"s;
  const auto version = static_cast<std::uint8_t>(first5[0]);
  const auto code = static_cast<std::uint8_t>(first5[1]);
  if (version != 5) return not_socks5(version);
  if (code != 0) {
    return "the proxy says: " + socks5_reply_words(code) + " (SOCKS5 reply " + std::to_string(code) + ")";
  }
  switch (static_cast<std::uint8_t>(first5[3])) {
    case 1: return std::size_t{4 + 2 - 1};
    case 4: return std::size_t{16 + 2 - 1};
    case 3: return std::size_t{static_cast<std::uint8_t>(first5[4])} + 2;
    default:
      return "the proxy's reply has an unknown address type (" +
             std::to_string(static_cast<std::uint8_t>(first5[3])) + ")";
  }
}

// --- HTTP CONNECT --------------------------------------------------------------------------------

std::string http_connect_request(const host_port& target, const proxy_url& proxy) {
  const std::string authority = to_string(target);
  std::string out =
      "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: echochat\r\n";
  if (proxy.user) out += "Proxy-Authorization: Basic " + base64(*proxy.user + ":" + proxy.password) + "\r\n";
  return out + "\r\n";
}

std::optional<std::size_t> http_head_end(std::string_view text) {
  const auto crlf = text.find("\r\n\r\n");
  const auto lf = text.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::nullopt;
  if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) return crlf + 4;
  return lf + 2;
}

std::optional<std::string> read_http_connect_answer(std::string_view head, bool sent_password) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  const bool http =
      line.size() >= 12 && line.starts_with("HTTP/1.") && line[8] == ' ' &&
      std::all_of(line.begin() + 9, line.begin() + 12, [](char c) { return c >= '0' && c <= '9'; }) &&
      (line.size() == 12 || line[12] == ' ');
  if (!http) return "the proxy's answer is not HTTP: '" + sanitize(line.substr(0, 60)) + "'";
  const std::string_view code = line.substr(9, 3);
  if (code[0] == '2') return std::nullopt;
  std::string words = "the proxy answered " + std::string{code};
  if (line.size() > 13) words += " " + sanitize(line.substr(13));
  // 407 is the proxy's "who are you"; tinyproxy answers a wrong password with 401.
  if (code == "407" || code == "401") {
    words += sent_password
                 ? " (the proxy refused the user name or password)"
                 : " (give a user name and password in the proxy URL: http://USER:PASSWORD@HOST:PORT)";
  }
  return words;
}

std::string base64(std::string_view bytes) {
  static constexpr std::string_view digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? digits[n & 63] : '=';
  }
  return out;
}

std::optional<std::array<std::uint8_t, 4>> ipv4_bytes(std::string_view text) {
  std::array<std::uint8_t, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto dot = text.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    const std::string_view part = text.substr(0, dot);
    unsigned v = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || part.size() > 3 || ec != std::errc{} || ptr != part.data() + part.size() || v > 255) {
      return std::nullopt;
    }
    out[i] = static_cast<std::uint8_t>(v);
    text = i < 3 ? text.substr(dot + 1) : std::string_view{};
  }
  return out;
}

namespace {
// Groups of 1 to 4 hex digits between colons, the last one perhaps an IPv4 address.
bool ipv6_groups(std::string_view part, std::vector<std::uint8_t>& out, bool may_end_in_v4) {
  if (part.empty()) return true;
  for (;;) {
    const auto colon = part.find(':');
    const std::string_view group = part.substr(0, colon);
    if (colon == std::string_view::npos && may_end_in_v4 && group.find('.') != std::string_view::npos) {
      const auto v4 = ipv4_bytes(group);
      if (!v4) return false;
      out.insert(out.end(), v4->begin(), v4->end());
      return true;
    }
    unsigned v = 0;
    const auto [ptr, ec] = std::from_chars(group.data(), group.data() + group.size(), v, 16);
    if (group.empty() || group.size() > 4 || ec != std::errc{} || ptr != group.data() + group.size())
      return false;
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
    if (colon == std::string_view::npos) return true;
    part = part.substr(colon + 1);
  }
}
}  // namespace

std::optional<std::array<std::uint8_t, 16>> ipv6_bytes(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (const auto zone = text.find('%'); zone != std::string_view::npos) text = text.substr(0, zone);
  if (text.find(':') == std::string_view::npos) return std::nullopt;
  std::vector<std::uint8_t> head;
  std::vector<std::uint8_t> tail;
  const auto gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!ipv6_groups(text, head, true) || head.size() != 16) return std::nullopt;
  } else {
    const std::string_view right = text.substr(gap + 2);
    if (right.find("::") != std::string_view::npos) return std::nullopt;
    if (!ipv6_groups(text.substr(0, gap), head, false) || !ipv6_groups(right, tail, true))
      return std::nullopt;
    if (head.size() + tail.size() > 14) return std::nullopt;
  }
  std::array<std::uint8_t, 16> out{};
  std::copy(head.begin(), head.end(), out.begin());
  std::copy(tail.begin(), tail.end(), out.end() - static_cast<std::ptrdiff_t>(tail.size()));
  return out;
}

}  // namespace echochat
