// WebSocket on the wire, in process: a server of raw bytes (not Beast) sends exactly the frames a
// test asks for, right behind its upgrade answer, and records the client's frames unmasked: pings
// answered with pongs, close frames answered, protocol errors closed with the RFC's codes.
#include "echochat/app/pipeline.hpp"
#include "echochat/core/status_line.hpp"
#include "echochat/core/ws_deflate.hpp"
#include "echochat/edges/connectors.hpp"
#include "pipeline/pipeline_util.hpp"
#include "support/loopback_listener.hpp"
#include "support/session_util.hpp"
#include "support/ws_test_frames.hpp"

#include <boost/beast/websocket/detail/hybi13.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace echochat;
using namespace std::string_literals;
using echochat::testing::server_frame;

namespace {

struct client_frame {
  int opcode = 0;
  bool rsv1 = false;    // compressed (permessage-deflate)
  std::string payload;  // unmasked
  bool masked = false;
};

// One client: the upgrade answered (101 and the right Sec-WebSocket-Accept), then `after_answer`
// in the same write, then every frame the client sends recorded until it closes the connection
// or sends a close frame (the server then closes at once).
class raw_ws_server {
 public:
  // `extensions`: the Sec-WebSocket-Extensions of the answer, if any.
  explicit raw_ws_server(std::string after_answer, std::string extensions = {})
      : after_answer_(std::move(after_answer)), extensions_(std::move(extensions)) {
    const testing::loopback_listener l = testing::listen_on_loopback();
    listener_ = l.fd;
    port_ = l.port;
    thread_ = std::thread([this] { serve(); });
  }
  ~raw_ws_server() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  raw_ws_server(const raw_ws_server&) = delete;
  raw_ws_server& operator=(const raw_ws_server&) = delete;

  std::string address() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }
  // The client's upgrade request, once it came.
  std::string request() const {
    const std::lock_guard lock(mutex_);
    return request_;
  }
  std::vector<client_frame> frames() const {
    const std::lock_guard lock(mutex_);
    return frames_;
  }
  // The close frame's code the client sent (0 while none came).
  std::uint16_t close_code() const {
    for (const client_frame& f : frames()) {
      if (f.opcode == 8 && f.payload.size() >= 2) {
        return static_cast<std::uint16_t>((static_cast<unsigned char>(f.payload[0]) << 8) |
                                          static_cast<unsigned char>(f.payload[1]));
      }
    }
    return 0;
  }

 private:
  // Waits for `fd` to be readable; false once the test is over.
  bool readable(int fd) const {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  void serve() {
    if (!readable(listener_)) return;
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    std::string in;
    char buf[65536];
    while (in.find("\r\n\r\n") == std::string::npos) {
      if (!readable(fd)) return (void)::close(fd);
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return (void)::close(fd);
      in.append(buf, static_cast<std::size_t>(n));
    }
    const std::string head = in.substr(0, in.find("\r\n\r\n"));
    in.erase(0, head.size() + 4);
    {
      const std::lock_guard lock(mutex_);
      request_ = head;
    }
    const std::string name = "Sec-WebSocket-Key: ";
    const std::size_t at = head.find(name) + name.size();
    const std::string key = head.substr(at, head.find("\r\n", at) - at);
    boost::beast::websocket::detail::sec_ws_accept_type accept;
    boost::beast::websocket::detail::make_sec_ws_accept(accept, key);
    const std::string answer =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        std::string{accept.data(), accept.size()} + "\r\n" +
        (extensions_.empty() ? "" : "Sec-WebSocket-Extensions: " + extensions_ + "\r\n") + "\r\n" +
        after_answer_;
    for (std::size_t sent = 0; sent < answer.size();) {
      const ssize_t n = ::write(fd, answer.data() + sent, answer.size() - sent);
      if (n <= 0) return (void)::close(fd);
      sent += static_cast<std::size_t>(n);
    }
    for (;;) {
      while (const auto f = next_frame(in)) {
        const std::lock_guard lock(mutex_);
        frames_.push_back(*f);
        if (f->opcode == 8) return (void)::close(fd);
      }
      if (!readable(fd)) break;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  }

  // A whole client frame taken from the front of `in`, or none yet.
  static std::optional<client_frame> next_frame(std::string& in) {
    if (in.size() < 2) return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    client_frame f;
    f.opcode = p[0] & 0x0F;
    f.rsv1 = (p[0] & 0x40) != 0;
    f.masked = (p[1] & 0x80) != 0;
    std::size_t length = p[1] & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
      if (in.size() < 4) return std::nullopt;
      length = (std::size_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (in.size() < 10) return std::nullopt;
      length = 0;
      for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | p[i];
      header = 10;
    }
    const std::size_t mask_at = header;
    if (f.masked) header += 4;
    if (in.size() < header + length) return std::nullopt;
    for (std::size_t i = 0; i < length; ++i) {
      const auto m = f.masked ? p[mask_at + i % 4] : 0;
      f.payload += static_cast<char>(p[header + i] ^ m);
    }
    in.erase(0, header + length);
    return f;
  }

  std::string after_answer_;
  std::string extensions_;
  std::string request_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<client_frame> frames_;
  std::thread thread_;
};

// The pipeline in chat mode through connector_for(), as app.cpp builds it.
struct harness : echochat::testing::net_rig {
  explicit harness(const std::string& address_text, connect_settings settings = {})
      : net_rig(config_for(address_text), address_text, connector_for(parsed(address_text), settings)) {
    scr.next_size = {40, 300};
  }
  static address parsed(const std::string& text) {
    auto r = parse_address(text);
    REQUIRE(std::holds_alternative<address>(r));
    return std::get<address>(r);
  }
  static session_config config_for(const std::string& target) {
    session_config c;
    c.chat = true;
    c.chat_target = target;
    return c;
  }
};

constexpr std::chrono::milliseconds deadline{10'000};

// Runs the client against `server` until it has lost the connection, and returns that sys entry.
std::string lost_entry(harness& h, const raw_ws_server& server) {
  const std::string prefix = "sys connection to " + server.address() + " lost: ";
  REQUIRE(h.run_until([&] { return h.count_starting(prefix) == 1; }));
  for (const std::string& e : h.texts()) {
    if (e.starts_with(prefix)) return e.substr(prefix.size());
  }
  return {};
}

}  // namespace

TEST_CASE("frames that come with the upgrade's answer, a thousand in one write, are a thousand lines",
          "[chat][net][ws][ws_wire]") {
  std::string frames;
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    expected.push_back("line " + std::to_string(i));
    frames += server_frame(0x81, expected.back());
  }
  raw_ws_server server(frames);
  harness h(server.address());
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.net_lines().size() == 1000; }));
  CHECK(h.net_lines() == expected);
  h.quit();
  CHECK(server.close_code() == 1000);
}

TEST_CASE("a ping between the fragments of a message is answered with a pong of its payload",
          "[chat][net][ws][ws_wire]") {
  raw_ws_server server(server_frame(0x01, "frag") + server_frame(0x89, "are you there?") +
                       server_frame(0x00, "men") + server_frame(0x80, "ted"));
  harness h(server.address());
  h.start();
  REQUIRE(h.run_until([&] { return h.net_lines().size() == 1; }));
  CHECK(h.net_lines() == std::vector<std::string>{"fragmented"});
  REQUIRE(h.run_until([&] { return !server.frames().empty(); }));
  const client_frame pong = server.frames().front();
  CHECK(pong.opcode == 0xA);
  CHECK(pong.masked);
  CHECK(pong.payload == "are you there?");
  h.quit();
}

TEST_CASE("a close frame without a code is answered with 1000 and said as 1005", "[chat][net][ws][ws_wire]") {
  raw_ws_server server(server_frame(0x81, "last words") + server_frame(0x88, ""));
  harness h(server.address());
  h.start();
  CHECK(lost_entry(h, server) == "closed by the server with code 1005");
  CHECK(h.net_lines() == std::vector<std::string>{"last words"});
  CHECK(server.close_code() == 1000);
  h.quit();
}

TEST_CASE("a protocol error closes the connection with the RFC's code and says what the server did",
          "[chat][net][ws][ws_wire]") {
  struct error_case {
    std::string bytes;
    std::uint16_t code;
    std::string words;
  };
  const auto c =
      GENERATE(error_case{"\x81\x82\x01\x02\x03\x04hi"s, 1002, "a masked frame from the server"},
               error_case{server_frame(0xC1, "x"), 1002, "reserved bits set, no extension agreed"},
               error_case{server_frame(0x83, ""), 1002, "a reserved opcode"},
               error_case{server_frame(0x09, "p"), 1002, "a fragmented control frame"},
               error_case{server_frame(0x80, "x"), 1002, "a continuation frame outside a message"},
               error_case{server_frame(0x88, "\x03\xed"), 1002, "a close frame with an invalid code"},
               error_case{server_frame(0x81, "caf\xc3"), 1007, "a text message not in UTF-8"},
               error_case{server_frame(0x01, "\xce\xba") + server_frame(0x80, "\xff"), 1007,
                          "a text message not in UTF-8"});
  raw_ws_server server(server_frame(0x81, "before") + c.bytes + server_frame(0x81, "after"));
  harness h(server.address());
  h.start();
  CHECK(lost_entry(h, server) == "the server broke the WebSocket protocol (" + c.words +
                                     "), so the connection was closed (code " + std::to_string(c.code) + ")");
  CHECK(h.net_lines() == std::vector<std::string>{"before"});
  REQUIRE(h.run_until([&] { return server.close_code() != 0; }, deadline));
  CHECK(server.close_code() == c.code);
  h.quit();
}

// --- permessage-deflate -----------------------------------------------------------------------

TEST_CASE("with permessage-deflate agreed, messages inflate both ways and the status bar says deflate",
          "[chat][net][ws][ws_wire][deflate]") {
  ws_deflater server_side(ws_deflate_params{});  // the server's rules are a deflater's "client" ones
  std::string frames;
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    expected.push_back(R"({"user":"ada","text":"message )" + std::to_string(i) + R"("})");
    frames += server_frame(0xC1, *server_side.deflate(expected.back()));
  }
  raw_ws_server server(frames, "permessage-deflate; client_max_window_bits=15");
  harness h(server.address());
  h.start();
  INFO("the transcript: " << Catch::Detail::stringify(h.texts()));
  REQUIRE(h.run_until([&] { return h.net_lines().size() == 100; }));
  CHECK(h.net_lines() == expected);
  CHECK_THAT(server.request(),
             Catch::Contains("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
  CHECK_THAT(status_line(h.s), Catch::Contains(" · online · deflate"));
  h.type("squeezed\r");
  h.type("squeezed\r");
  REQUIRE(h.run_until([&] { return server.frames().size() == 2; }));
  // The same line twice: the second refers back to the first (the context is kept).
  ws_inflater inflate(ws_deflate_params{});
  for (const client_frame& f : server.frames()) {
    CHECK(f.rsv1);
    std::string line;
    REQUIRE(inflate.inflate(f.payload, true, line, 1024) == ws_inflater::result::ok);
    CHECK(line == "squeezed");
  }
  CHECK(server.frames()[1].payload.size() < server.frames()[0].payload.size());
  h.quit();
}

TEST_CASE("a message that inflates past 16 MiB closes the connection with 1009, its memory never taken",
          "[chat][net][ws][ws_wire][deflate]") {
  ws_deflater server_side(ws_deflate_params{});
  const std::string bomb = *server_side.deflate(std::string(64 * 1024 * 1024, 'z'));
  raw_ws_server server(server_frame(0xC1, bomb), "permessage-deflate");
  harness h(server.address());
  h.start();
  CHECK(lost_entry(h, server) ==
        "a message was larger than 16 MiB, so the connection was closed (code 1009)");
  REQUIRE(h.run_until([&] { return server.close_code() != 0; }, deadline));
  CHECK(server.close_code() == 1009);
  h.quit();
}

TEST_CASE("with --no-compress nothing is offered, and a server that answers with an extension is refused",
          "[chat][net][ws][ws_wire][deflate]") {
  raw_ws_server server("", "permessage-deflate");
  connect_settings settings;
  settings.ws.compress = false;
  harness h(server.address(), settings);
  h.start();
  const std::string prefix = "sys cannot connect to " + server.address() + ": ";
  REQUIRE(h.run_until([&] { return h.count_starting(prefix) >= 1; }));
  CHECK(h.count_starting(prefix +
                         "the server chose permessage-deflate, which was not offered (--no-compress)") >= 1);
  CHECK(server.request().find("Sec-WebSocket-Extensions") == std::string::npos);
  h.quit();
}

TEST_CASE("an extension answer RFC 7692 does not allow fails the upgrade with the reason",
          "[chat][net][ws][ws_wire][deflate]") {
  raw_ws_server server("", "permessage-deflate; server_max_window_bits=99");
  harness h(server.address());
  h.start();
  const std::string prefix = "sys cannot connect to " + server.address() + ": ";
  REQUIRE(h.run_until([&] { return h.count_starting(prefix) >= 1; }));
  CHECK(h.count_starting(prefix + "the server answered permessage-deflate with a parameter it may not: "
                                  "server_max_window_bits=99") >= 1);
  h.quit();
}
