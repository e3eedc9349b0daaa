// Benchmark support: the flood server, and one program flooded through it in a pty, timed.
#include "flood.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

}  // namespace

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
