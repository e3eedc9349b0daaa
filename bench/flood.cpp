// Benchmark support: the flood server, and one program flooded through it in a pty, timed.
#include "flood.hpp"

#include "echochat/core/ws_deflate.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace echochat::bench {

namespace {

using std::chrono::duration;
using namespace std::chrono_literals;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "flood: " + what);
}

// Closes an fd when it goes.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

// Finds printable 'Z's in a terminal byte stream, skipping escape sequences (ncurses may move the
// cursor with CSI Z, back-tab), across reads.
class key_scanner {
 public:
  // How many printable 'Z's are in `bytes`.
  int count(std::string_view bytes) {
    int found = 0;
    for (const char ch : bytes) {
      const auto c = static_cast<unsigned char>(ch);
      switch (state_) {
        case state::ground:
          if (c == 0x1B) {
            state_ = state::escape;
          } else if (c == 'Z') {
            ++found;
          }
          break;
        case state::escape:
          if (c == '[') {
            state_ = state::csi;
          } else if (c >= 0x20 && c <= 0x2F) {
            state_ = state::intermediate;
          } else {
            state_ = state::ground;
          }
          break;
        case state::intermediate:
          if (c < 0x20 || c > 0x2F) state_ = state::ground;
          break;
        case state::csi:
          if (c >= 0x40 && c <= 0x7E) state_ = state::ground;
          break;
      }
    }
    return found;
  }

 private:
  enum class state { ground, escape, intermediate, csi };
  state state_ = state::ground;
};

// Finds a text in a byte stream read in pieces: keeps the tail of what came before.
class stream_matcher {
 public:
  explicit stream_matcher(std::string text) : text_(std::move(text)) {}

  bool feed(std::string_view bytes) {
    const std::size_t keep = text_.size() - 1;
    std::string seam = tail_;
    seam.append(bytes.substr(0, std::min(bytes.size(), keep)));
    const bool found = seam.find(text_) != std::string::npos || bytes.find(text_) != std::string_view::npos;
    if (bytes.size() >= keep) {
      tail_.assign(bytes.substr(bytes.size() - keep));
    } else {
      tail_ = seam.substr(seam.size() - std::min(seam.size(), keep));
    }
    return found;
  }

 private:
  std::string text_;
  std::string tail_;
};

double ms_between(bench_clock::time_point a, bench_clock::time_point b) {
  return duration<double, std::milli>(b - a).count();
}

// Starts `argv` with stdin on /dev/null (and stderr too when `quiet`; else stdout and stderr are
// the benchmark's); the pid.
pid_t spawn(const std::vector<std::string>& argv, bool quiet = false) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (quiet) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw std::system_error(err, std::generic_category(), "flood: cannot start " + argv[0]);
  return pid;
}

// Runs `argv` to its end, its stderr silenced; true if it exited with 0.
bool run_to_end(const std::vector<std::string>& argv) {
  const pid_t pid = spawn(argv, true);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A port on 127.0.0.1 that is free now (the kernel's pick; another program could take it before
// ours binds it, which is then an error, not a wrong figure).
int free_port() {
  fd_guard s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) throw_errno("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) throw_errno("bind");
  if (::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len) < 0) throw_errno("getsockname");
  return ntohs(a.sin_port);
}

// Something listens on 127.0.0.1:port (from /proc/net/tcp, so no connection is spent on asking).
bool listening(int port) {
  std::ifstream in("/proc/net/tcp");
  char want[32];
  std::snprintf(want, sizeof want, "0100007F:%04X", port);
  std::string line;
  std::getline(in, line);  // the heading
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (local == want && state == "0A") return true;
  }
  return false;
}

// The WebSocket upgrade's answer for the key a client sent (RFC 6455: SHA-1, then base64).
std::string websocket_accept(const std::string& key) {
  const std::string in = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(in.data(), in.size(), md, &md_len, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("flood: SHA-1 failed");
  }
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, md, static_cast<int>(md_len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

// Reads the client's upgrade request on the non-blocking `fd` (pumping the pty meanwhile) and
// answers 101.
void accept_websocket(int fd, pty_process& p, bool to_screen, bool deflate) {
  std::string request;
  const auto deadline = bench_clock::now() + 20s;
  while (request.find("\r\n\r\n") == std::string::npos) {
    if (bench_clock::now() > deadline || p.exited()) {
      throw std::runtime_error("'" + p.name() + "' sent no WebSocket upgrade request within 20 s");
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {p.master(), POLLIN, 0}};
    ::poll(fds, 2, 10);
    p.pump(to_screen);
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      request.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      throw std::runtime_error("'" + p.name() + "' closed the connection before its upgrade request");
    }
  }
  std::string lower = request;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string field = "\r\nsec-websocket-key:";
  const std::size_t at = lower.find(field);
  if (at == std::string::npos)
    throw std::runtime_error("flood: an upgrade request without Sec-WebSocket-Key");
  std::size_t begin = at + field.size();
  while (begin < request.size() && request[begin] == ' ') ++begin;
  std::size_t end = request.find("\r\n", begin);
  while (end > begin && request[end - 1] == ' ') --end;
  if (deflate && lower.find("permessage-deflate") == std::string::npos) {
    throw std::runtime_error("'" + p.name() + "' did not offer permessage-deflate");
  }
  const std::string answer =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      websocket_accept(request.substr(begin, end - begin)) + "\r\n" +
      (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n";
  std::size_t off = 0;
  while (off < answer.size()) {
    const ssize_t n = ::send(fd, answer.data() + off, answer.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw_errno("send");
    if (n > 0) off += static_cast<std::size_t>(n);
    if (n < 0) {
      pollfd out{fd, POLLOUT, 0};
      ::poll(&out, 1, 10);
    }
  }
}

}  // namespace

flood_text make_ws_flood(std::size_t lines) {
  flood_text f;
  f.bytes.reserve(lines * 14);
  char buf[32];
  for (std::size_t i = 0; i < lines; ++i) {
    const int n = std::snprintf(buf, sizeof buf, "line %07zu", i);
    f.bytes.push_back(static_cast<char>(0x81));  // FIN, text
    f.bytes.push_back(static_cast<char>(n));     // unmasked, under 126 bytes
    f.bytes.append(buf, static_cast<std::size_t>(n));
  }
  std::snprintf(buf, sizeof buf, "line %07zu", lines - 1);
  f.last_line = buf;
  return f;
}

namespace {

// A server's frame header: FIN, text, RSV1 when compressed, unmasked, the length in the shortest form.
void append_server_header(std::string& out, std::size_t n, bool compressed) {
  out.push_back(static_cast<char>(compressed ? 0xC1 : 0x81));
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n < 65536) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8U));
    out.push_back(static_cast<char>(n & 0xFFU));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((std::uint64_t{n} >> shift) & 0xFFU));
  }
}

}  // namespace

flood_text make_ws_json_flood(std::size_t lines, bool deflate) {
  // echochat's own deflater, as the tests' server side uses it: raw DEFLATE with a 32 KiB window at
  // zlib's default level, the context kept, each message flushed and its 4-byte tail left off,
  // which is what a server that agreed with no parameters sends.
  ws_deflater packer(ws_deflate_params{});
  flood_text f;
  char buf[160];
  for (std::size_t i = 0; i < lines; ++i) {
    const int n = std::snprintf(
        buf, sizeof buf, R"({"type":"message","room":"general","from":"alice","text":"line %07zu"})", i);
    const std::string_view message{buf, static_cast<std::size_t>(n)};
    const std::optional<std::string> packed = deflate ? packer.deflate(message) : std::nullopt;
    if (deflate && !packed) throw std::runtime_error("flood: deflate failed");
    const std::string_view payload = packed ? std::string_view{*packed} : message;
    append_server_header(f.bytes, payload.size(), deflate);
    f.bytes.append(payload);
  }
  const int n =
      std::snprintf(buf, sizeof buf,
                    R"({"type":"message","room":"general","from":"alice","text":"line %07zu"})", lines - 1);
  f.last_line.assign(buf, static_cast<std::size_t>(n));
  return f;
}

test_certificate::test_certificate() {
  std::string dir_template =
      (std::getenv("TMPDIR") != nullptr ? std::string{std::getenv("TMPDIR")} : "/tmp") +
      "/echochat-bench-XXXXXX";
  if (::mkdtemp(dir_template.data()) == nullptr) throw_errno("mkdtemp");
  dir_ = dir_template;
  if (!run_to_end({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                   "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key(), "-out", cert()})) {
    throw std::runtime_error("flood: openssl req could not make a test certificate");
  }
}

test_certificate::~test_certificate() {
  ::unlink(cert().c_str());
  ::unlink(key().c_str());
  ::rmdir(dir_.c_str());
}

tls_relay::tls_relay(const test_certificate& cert, const flood_server& backend) : port_(free_port()) {
  // -b 65536: socat's reads as big as the flood server's writes (its default is 8 KiB).
  // Its stderr is silenced: it reports the reset when a client is ended at the end of a round.
  pid_ = spawn({"socat", "-b", "65536",
                "OPENSSL-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,cert=" + cert.cert() +
                    ",key=" + cert.key() + ",verify=0",
                "TCP:" + backend.address()},
               true);
  const auto deadline = bench_clock::now() + 10s;
  while (!listening(port_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("flood: socat ended before it listened on port " + std::to_string(port_));
    }
    if (bench_clock::now() > deadline) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, &status, 0);
      throw std::runtime_error("flood: socat did not listen within 10 s");
    }
    std::this_thread::sleep_for(2ms);
  }
}

tls_relay::~tls_relay() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

flood_text make_flood(std::size_t lines) {
  flood_text f;
  f.bytes.reserve(lines * 13);
  char buf[32];
  for (std::size_t i = 0; i < lines; ++i) {
    const int n = std::snprintf(buf, sizeof buf, "line %07zu\n", i);
    f.bytes.append(buf, static_cast<std::size_t>(n));
  }
  std::snprintf(buf, sizeof buf, "line %07zu", lines - 1);
  f.last_line = buf;
  return f;
}

flood_server::flood_server() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw_errno("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) throw_errno("bind");
  if (::listen(fd_, 4) < 0) throw_errno("listen");
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) < 0) throw_errno("getsockname");
  port_ = ntohs(a.sin_port);
}

flood_server::~flood_server() {
  if (fd_ >= 0) ::close(fd_);
}

std::string flood_server::address() const { return "127.0.0.1:" + std::to_string(port_); }

flood_result run_flood(const std::vector<std::string>& argv, flood_server& server, const flood_text& flood,
                       const flood_config& config) {
  pty_process p(argv, config.rows, config.cols);

  // The program connects; the benchmark accepts, pumping the pty meanwhile.
  fd_guard conn;
  const auto accept_deadline = bench_clock::now() + 20s;
  while (conn.fd < 0) {
    pollfd fds[2] = {{server.fd(), POLLIN, 0}, {p.master(), POLLIN, 0}};
    ::poll(fds, 2, 10);
    p.pump(config.watch_screen);
    if ((fds[0].revents & POLLIN) != 0) {
      conn.fd = ::accept4(server.fd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (conn.fd < 0 && errno != EAGAIN && errno != EINTR) throw_errno("accept");
    }
    if (conn.fd < 0 && (p.exited() || bench_clock::now() > accept_deadline)) {
      throw std::runtime_error("'" + p.name() + "' did not connect to " + server.address() + " within 20 s");
    }
  }
  if (config.websocket) accept_websocket(conn.fd, p, config.watch_screen, config.deflate);
  // At rest first: connected, its first frame drawn, so the span measures the flood alone.
  p.settle(100, 2000, config.watch_screen);

  flood_result r;
  stream_matcher last_line(flood.last_line);
  key_scanner keys;
  std::string out;
  const std::string_view bytes = flood.bytes;
  std::size_t off = 0;
  std::optional<bench_clock::time_point> shown_at;
  // Not an optional: GCC 12 then warns, wrongly, that it may be read uninitialised.
  bool key_pending = false;
  auto key_sent_at = bench_clock::time_point{};
  const task_totals cpu_before = read_task_totals(p.pid());
  const std::uint64_t out_before = p.bytes_read();
  const auto t0 = bench_clock::now();
  const auto deadline = t0 + config.timeout;
  auto next_key = t0 + config.key_interval / 5;  // the first key early, so a short flood gets one too
  for (;;) {
    if (off < bytes.size()) {
      const ssize_t n = ::send(conn.fd, bytes.data() + off, bytes.size() - off, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        break;  // the program dropped the connection: the flood is not shown
      }
    }
    out.clear();
    p.pump(config.watch_screen, &out);
    const auto now = bench_clock::now();
    if (!out.empty()) {
      if (keys.count(out) > 0 && key_pending) {
        r.key_us.push_back(duration<double, std::micro>(now - key_sent_at).count());
        key_pending = false;
        p.write_some("\x7f");  // Backspace: the next key is drawn anew
      }
      const bool seen = last_line.feed(out) ||
                        (config.watch_screen && off == bytes.size() && p.screen_contains(flood.last_line));
      if (!shown_at && seen) {
        shown_at = now;
        r.ms = ms_between(t0, now);
        const task_totals cpu_after = read_task_totals(p.pid());
        r.cpu_ms = static_cast<double>(cpu_after.cpu_ns - cpu_before.cpu_ns) / 1e6;
        r.hwm_kib = static_cast<double>(read_status_kib(p.pid(), "VmHWM"));
        r.bytes_out = p.bytes_read() - out_before;
      }
    }
    if (shown_at) {
      // A key typed during the flood may still be on its way: give it a moment.
      if (!key_pending || now - *shown_at > 2s) break;
    } else if (now > deadline || p.exited()) {
      break;
    } else if (config.type_keys && !key_pending && now >= next_key) {
      p.write_some("Z");
      key_pending = true;
      key_sent_at = bench_clock::now();
      next_key = key_sent_at + config.key_interval;
    }
    pollfd fds[2] = {{p.master(), POLLIN, 0},
                     {conn.fd, static_cast<short>(off < bytes.size() ? POLLOUT : 0), 0}};
    int wait_ms = 10;
    if (config.type_keys && !key_pending && !shown_at) {
      wait_ms = static_cast<int>(std::clamp<long long>(
          std::chrono::ceil<std::chrono::milliseconds>(next_key - bench_clock::now()).count(), 0, 10));
    }
    ::poll(fds, 2, wait_ms);
  }
  if (key_pending) ++r.keys_lost;

  // Only now the connection closes (a program must not see it drop mid-measure); then the end.
  ::close(std::exchange(conn.fd, -1));
  if (!p.exited()) ::kill(p.pid(), SIGTERM);
  p.wait_until([&] { return p.exited(); }, 5s, false);
  return r;
}

}  // namespace echochat::bench
