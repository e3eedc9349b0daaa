// The reference for the WebSocket floods: a minimal WebSocket reader, as raw as ncat is for TCP.
//   echochat_ws_reader [--tls --ca FILE] HOST PORT PATH
// It connects (over TLS when asked, verifying the chain against FILE and the host name), sends the
// upgrade request, checks for 101, then writes the payload of every data frame that each read
// brings, a newline after each message, to stdout in one write() per read, as ncat writes what
// each read brings. No masking to undo (a server's frames are not masked), no extensions, no
// answer to pings or close frames: it only reads. Exits at the end of the stream.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "echochat_ws_reader: %s\n", what.c_str());
  std::exit(1);
}

int connect_to(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int err = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); err != 0)
    fail(gai_strerror(err));
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) fail("cannot connect to " + host + ":" + port + ": " + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// A plain or TLS byte stream.
class stream {
 public:
  stream(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // Bytes read (0 at the end of the stream).
  std::size_t read(char* buf, std::size_t size) {
    if (ssl_ != nullptr) {
      std::size_t n = 0;
      if (SSL_read_ex(ssl_, buf, size, &n) == 1) return n;
      return 0;  // the end, or an error: either way the reading is over
    }
    for (;;) {
      const ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return 0;
    }
  }
  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      std::size_t n = 0;
      if (ssl_ != nullptr) {
        if (SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n) != 1) fail("TLS write failed");
      } else {
        const ssize_t w = ::write(fd_, bytes.data(), bytes.size());
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) fail(std::string{"write: "} + std::strerror(errno));
        n = static_cast<std::size_t>(w);
      }
      bytes.remove_prefix(n);
    }
  }

 private:
  int fd_;
  SSL* ssl_;
};

void write_out(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(1, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) std::exit(1);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool tls = false;
  std::string ca;
  while (!args.empty() && args.front().starts_with("--")) {
    if (args.front() == "--tls") {
      tls = true;
      args.erase(args.begin());
    } else if (args.front() == "--ca" && args.size() > 1) {
      ca = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else {
      fail("unknown option " + args.front());
    }
  }
  if (args.size() != 3) fail("usage: echochat_ws_reader [--tls --ca FILE] HOST PORT PATH");
  const std::string& host = args[0];
  const std::string& port = args[1];
  const std::string& path = args[2];

  const int fd = connect_to(host, port);
  SSL* ssl = nullptr;
  if (tls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (ca.empty() ? SSL_CTX_set_default_verify_paths(ctx) != 1
                   : SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
      fail("cannot load the CA file " + ca);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str()));  // SNI
      SSL_set1_host(ssl, host.c_str());
    }
    if (SSL_connect(ssl) != 1) fail("TLS handshake failed");
  }
  stream s(fd, ssl);
  s.write_all(
      "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n");

  std::vector<char> buf(64 * 1024);
  std::string pending;  // bytes of a frame (or of the answer) not yet whole
  // The answer's head, up to the empty line; what follows it is frames already.
  for (;;) {
    const std::size_t n = s.read(buf.data(), buf.size());
    if (n == 0) fail("the server closed the connection during the upgrade");
    pending.append(buf.data(), n);
    if (const std::size_t end = pending.find("\r\n\r\n"); end != std::string::npos) {
      if (!pending.starts_with("HTTP/1.1 101")) fail("no upgrade: " + pending.substr(0, pending.find('\r')));
      pending.erase(0, end + 4);
      break;
    }
  }

  std::string out;
  out.reserve(buf.size() + buf.size() / 4);
  std::uint64_t left = 0;  // payload bytes of the current frame still to come
  bool data_frame = false;
  bool message_ends = false;
  for (bool first = true;; first = false) {
    if (!first) {
      const std::size_t n = s.read(buf.data(), buf.size());
      if (n == 0) break;
      pending.append(buf.data(), n);
    }
    std::string_view in = pending;
    for (;;) {
      if (left > 0) {
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left, in.size()));
        if (data_frame) out.append(in.substr(0, take));
        in.remove_prefix(take);
        left -= take;
        if (left > 0) break;
        if (data_frame && message_ends) out.push_back('\n');
        continue;
      }
      // A frame's head: 2 bytes, then 0, 2 or 8 bytes of length (the server's frames carry no mask).
      if (in.size() < 2) break;
      const auto b0 = static_cast<unsigned char>(in[0]);
      const auto b1 = static_cast<unsigned char>(in[1]);
      const std::uint64_t len7 = b1 & 0x7F;
      const std::size_t len_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
      const std::size_t head = 2 + len_bytes + ((b1 & 0x80) != 0 ? 4 : 0);
      if (in.size() < head) break;
      std::uint64_t len = len7;
      if (len_bytes > 0) {
        len = 0;
        for (std::size_t i = 0; i < len_bytes; ++i) len = (len << 8) | static_cast<unsigned char>(in[2 + i]);
      }
      const unsigned opcode = b0 & 0x0F;
      if (opcode == 0x8) {  // close: the end
        write_out(out);
        return 0;
      }
      data_frame = opcode <= 0x2;  // continuation, text, binary; control frames are skipped
      message_ends = (b0 & 0x80) != 0;
      in.remove_prefix(head);
      left = len;
      if (left == 0 && data_frame && message_ends) out.push_back('\n');
    }
    pending.erase(0, pending.size() - in.size());
    if (!out.empty()) {
      write_out(out);
      out.clear();
    }
  }
  write_out(out);
  return 0;
}
