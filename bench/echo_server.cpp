// The reference echo server for load mode's benchmark and tests: not echochat. One thread, epoll,
// edge-triggered, every byte read written back on the same connection at once (kept until the
// socket takes it). A connection that starts with "GET " is a WebSocket (RFC 6455): the upgrade
// answered, each message echoed as an unmasked frame of its own, pings answered, a close echoed.
// Listens on 127.0.0.1:PORT (0: any free port), prints the port on stdout, then serves until
// killed.
//   echo_server [PORT] [--drop-every N]   (--drop-every: close every Nth message's connection, once
//                                          each, to test reconnects)
#include <openssl/evp.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace {

struct peer {
  enum class kind { unknown, plain, websocket };
  kind what = kind::unknown;
  std::string in;       // WebSocket: bytes read and not yet parsed (the upgrade, a partial frame)
  std::string pending;  // bytes read and not yet written back
};

std::string accept_key(const std::string& key) {
  const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t n = 0;
  EVP_Q_digest(nullptr, "SHA1", nullptr, text.data(), text.size(), md, &n);
  unsigned char b64[64];
  const int len = EVP_EncodeBlock(b64, md, static_cast<int>(n));
  return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(len));
}

// Consumes what p.in holds: the upgrade request, then whole frames, echoed into p.pending.
// False when the connection is to be closed.
bool websocket(peer& p) {
  if (p.what == peer::kind::unknown) {
    const auto end = p.in.find("\r\n\r\n");
    if (end == std::string::npos) return p.in.size() < 65536;
    std::string key;
    std::size_t at = 0;
    while ((at = p.in.find("\r\n", at)) != std::string::npos && at < end) {
      at += 2;
      const std::string name = "sec-websocket-key:";
      std::string line = p.in.substr(at, p.in.find("\r\n", at) - at);
      std::string lower = line;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.rfind(name, 0) == 0) {
        key = line.substr(name.size());
        key.erase(0, key.find_first_not_of(' '));
        key.erase(key.find_last_not_of(' ') + 1);
      }
    }
    if (key.empty()) return false;
    p.pending +=
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept_key(key) + "\r\n\r\n";
    p.in.erase(0, end + 4);
    p.what = peer::kind::websocket;
  }
  std::size_t used = 0;
  for (;;) {
    const std::size_t left = p.in.size() - used;
    if (left < 2) break;
    const auto* b = reinterpret_cast<const unsigned char*>(p.in.data() + used);
    const unsigned opcode = b[0] & 0x0fU;
    const bool masked = (b[1] & 0x80U) != 0;
    std::uint64_t len = b[1] & 0x7fU;
    std::size_t head = 2;
    if (len == 126) {
      if (left < 4) break;
      len = (std::uint64_t{b[2]} << 8) | b[3];
      head = 4;
    } else if (len == 127) {
      if (left < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
      head = 10;
    }
    if (len > (std::uint64_t{1} << 26)) return false;
    const std::size_t mask_at = head;
    if (masked) head += 4;
    if (left < head + len) break;
    const std::size_t payload_at = used + head;
    used += head + static_cast<std::size_t>(len);
    if (opcode == 0xa) continue;  // a pong from the client needs no answer
    std::string payload(p.in.data() + payload_at, static_cast<std::size_t>(len));
    if (masked) {
      for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>(payload[i] ^ b[mask_at + i % 4]);
    }
    // The frame back: FIN and the opcode (a ping's answer is a pong), unmasked.
    const unsigned back = opcode == 0x9 ? 0xaU : opcode;
    p.pending.push_back(static_cast<char>((b[0] & 0x80U) | back));
    if (payload.size() < 126) {
      p.pending.push_back(static_cast<char>(payload.size()));
    } else if (payload.size() < 65536) {
      p.pending.push_back(static_cast<char>(126));
      p.pending.push_back(static_cast<char>(payload.size() >> 8));
      p.pending.push_back(static_cast<char>(payload.size() & 0xff));
    } else {
      p.pending.push_back(static_cast<char>(127));
      for (int i = 7; i >= 0; --i) p.pending.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xff));
    }
    p.pending += payload;
    if (opcode == 0x8) break;
  }
  p.in.erase(0, used);
  return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  long drop_every = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--drop-every") == 0 && i + 1 < argc) {
      drop_every = std::strtol(argv[++i], nullptr, 10);
    } else {
      port = std::atoi(argv[i]);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 4096) != 0) {
    std::perror("echo_server: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  set_nonblocking(lfd);
  const int ep = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  std::unordered_map<int, peer> peers;
  long messages = 0;
  epoll_event events[256];
  char buf[65536];
  const auto drop = [&](int fd) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    peers.erase(fd);
  };
  for (;;) {
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          const int c = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
          cev.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          peers[c];
        }
        continue;
      }
      auto it = peers.find(fd);
      if (it == peers.end()) continue;
      peer& p = it->second;
      bool closed = false;
      for (;;) {
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) {
          if (drop_every > 0) {
            for (ssize_t k = 0; k < r; ++k) messages += buf[k] == '\n' ? 1 : 0;
            if (messages >= drop_every) {
              messages = 0;
              closed = true;
              break;
            }
          }
          if (p.what == peer::kind::unknown && p.in.empty() &&
              !(r >= 4 && std::memcmp(buf, "GET ", 4) == 0)) {
            p.what = peer::kind::plain;
          }
          if (p.what == peer::kind::plain) {
            p.pending.append(buf, static_cast<std::size_t>(r));
          } else {
            p.in.append(buf, static_cast<std::size_t>(r));
            if (!websocket(p)) closed = true;
          }
          continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) closed = true;
        if (r < 0 && errno == EINTR) continue;
        break;
      }
      while (!closed && !p.pending.empty()) {
        const ssize_t w = ::write(fd, p.pending.data(), p.pending.size());
        if (w > 0) {
          p.pending.erase(0, static_cast<std::size_t>(w));
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN) closed = true;
        break;
      }
      if (closed) drop(fd);
    }
  }
}
