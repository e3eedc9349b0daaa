// End-to-end: the built echochat over TLS, WebSocket and Unix sockets, against real peers started
// as child processes (openssl s_server, ncat --ssl, socat, a python3-websockets echo server) and
// against the in-process fronts. A missing peer is said and the test skipped (failed under CI).
#include "e2e/peer_util.hpp"
#include "support/loopback_listener.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"
#include "support/test_front.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace echochat::e2e;
using echochat::testing::cert_options;
using echochat::testing::front_kind;
using echochat::testing::make_test_certs;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;
using echochat::testing::test_certs;
using echochat::testing::test_front;
using echochat::testing::test_server;
using namespace std::chrono_literals;

namespace {

constexpr int rows = 40;
constexpr int cols = 160;

// openssl s_server -rev: an echo server that sends each line back reversed.
std::unique_ptr<peer_process> s_server(std::uint16_t port, const std::filesystem::path& dir) {
  return std::make_unique<peer_process>(
      std::vector<std::string>{"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                               "-cert", (dir / "cert.pem").string(), "-key", (dir / "key.pem").string(),
                               "-rev", "-quiet"},
      [port] { return accepts(port); });
}

}  // namespace

// --- TLS against real servers -----------------------------------------------------------------

TEST_CASE("openssl s_server with a certificate from a test CA is accepted with --ca", "[e2e][tls][peer]") {
  if (!have_peer(executable("/usr/bin/openssl"), "openssl (/usr/bin/openssl)")) return;
  temp_dir dir("echochat-tls");
  make_test_certs().write_to(dir.path);
  const auto port = free_port();
  const auto server = s_server(port, dir.path);
  const std::string address = "tls://localhost:" + std::to_string(port);
  pty_terminal t(
      chat_argv(address, {"--ca", (dir.path / "ca.pem").string(), "--log", (dir.path / "chat.log").string()}),
      rows, cols);
  wait_status(t, " · online · tls1.3");
  wait_text(t, "CN=localhost");
  t.write("hello tls\r");
  wait_text(t, "slt olleh");  // s_server -rev sends the line back reversed
  quit_chat(t);
  // The log keeps the certificate's subject and fingerprint of each connect.
  const auto log = read_lines(dir.path / "chat.log");
  CHECK(std::count_if(log.begin(), log.end(), [](const std::string& l) {
          return l.find(" sys TLS: tls1.3 ") != std::string::npos &&
                 l.find("CN=localhost") != std::string::npos && l.find("SHA-256 ") != std::string::npos;
        }) == 1);
}

// The server picks its certificate by the name the client sends (SNI): -cert is for another
// name and has the address 127.0.0.1, -cert2 is for localhost. -servername_fatal makes a name
// other than localhost a fatal alert, so a client that sends an address as a name is refused.
TEST_CASE("the server name is sent for a host name and not for an address, as a server choosing by SNI sees",
          "[e2e][tls][sni][peer]") {
  if (!have_peer(executable("/usr/bin/openssl"), "openssl (/usr/bin/openssl)")) return;
  temp_dir other("echochat-sni-other");
  cert_options o;
  o.host = "other.example";
  o.self_signed = true;                     // its own CA: the two CAs' names differ
  make_test_certs(o).write_to(other.path);  // for other.example and 127.0.0.1
  temp_dir named("echochat-sni-localhost");
  o = {};
  o.ip_san = false;
  make_test_certs(o).write_to(named.path);  // for localhost only
  temp_dir dir("echochat-sni");
  {
    std::ofstream both(dir.path / "ca.pem");
    both << std::ifstream(other.path / "ca.pem").rdbuf() << std::ifstream(named.path / "ca.pem").rdbuf();
  }
  const auto port = free_port();
  const peer_process server(
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
       (other.path / "cert.pem").string(), "-key", (other.path / "key.pem").string(), "-servername",
       "localhost", "-cert2", (named.path / "cert.pem").string(), "-key2", (named.path / "key.pem").string(),
       "-servername_fatal", "-rev", "-quiet"},
      [port] { return accepts(port); });
  const std::string ca = (dir.path / "ca.pem").string();
  SECTION("localhost: the name is sent and localhost's certificate comes back") {
    pty_terminal t(chat_argv("tls://localhost:" + std::to_string(port), {"--ca", ca}), rows, cols);
    wait_status(t, " · online · tls1.3");
    wait_text(t, "CN=localhost");
    t.write("hello sni\r");
    wait_text(t, "ins olleh");
    quit_chat(t);
  }
  SECTION("127.0.0.1: no name is sent, so the server keeps its default certificate") {
    pty_terminal t(chat_argv("tls://127.0.0.1:" + std::to_string(port), {"--ca", ca}), rows, cols);
    wait_status(t, " · online · tls1.3");
    wait_text(t, "CN=other.example");
    t.write("hello address\r");
    wait_text(t, "sserdda olleh");
    quit_chat(t);
  }
}

// A server that speaks only TLS 1.1 (bookworm's s_server still can at security level 0).
TEST_CASE("a server that offers only TLS 1.1 is refused, and the reason says so in words",
          "[e2e][tls][tls_version][peer]") {
  if (!have_peer(executable("/usr/bin/openssl"), "openssl (/usr/bin/openssl)")) return;
  temp_dir dir("echochat-tls11");
  make_test_certs().write_to(dir.path);
  const auto port = free_port();
  const peer_process server(
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
       (dir.path / "cert.pem").string(), "-key", (dir.path / "key.pem").string(), "-tls1_1", "-cipher",
       "DEFAULT:@SECLEVEL=0", "-rev", "-quiet"},
      [port] { return accepts(port); });
  const std::string address = "tls://localhost:" + std::to_string(port);
  pty_terminal t(chat_argv(address, {"--ca", (dir.path / "ca.pem").string()}), rows, cols);
  const std::string reason = "the server offers only TLS 1.1 or older; echochat needs TLS 1.2 at least";
  wait_text(t, "cannot connect to " + address + ": " + reason);
  wait_status(t, " · offline, retry in ");
  CHECK_FALSE(screen_has(t, "connected to"));
  quit_chat(t);
}

TEST_CASE(
    "openssl s_server is rejected without --ca, for another host name, and when expired, with the reason",
    "[e2e][tls][peer]") {
  if (!have_peer(executable("/usr/bin/openssl"), "openssl (/usr/bin/openssl)")) return;
  temp_dir dir("echochat-tls");
  cert_options o;
  std::vector<std::string> flags;
  std::string reason;
  SECTION("no --ca") { reason = "unable to get local issuer certificate"; }
  SECTION("another host name") {
    o.host = "other.example";
    o.ip_san = false;
    flags = {"--ca", (dir.path / "ca.pem").string()};
    reason = "host name mismatch: cert is for other.example, not localhost";
  }
  SECTION("expired") {
    o.expired = true;
    flags = {"--ca", (dir.path / "ca.pem").string()};
    reason = "certificate has expired";
  }
  make_test_certs(o).write_to(dir.path);
  const auto port = free_port();
  const auto server = s_server(port, dir.path);
  const std::string address = "tls://localhost:" + std::to_string(port);
  pty_terminal t(chat_argv(address, flags), rows, cols);
  wait_text(t, "cannot connect to " + address + ": " + reason);
  wait_status(t, " · offline, retry in ");
  wait_screen(
      t, [&] { return chat_status(t).find(reason) != std::string::npos; }, "the reason on the status bar");
  CHECK_FALSE(screen_has(t, "connected to"));
  quit_chat(t);
}

TEST_CASE(
    "ncat --ssl's throwaway certificate is rejected, and with --insecure it connects, marked UNVERIFIED",
    "[e2e][tls][peer]") {
  if (!have_peer(executable("/usr/bin/ncat"), "ncat (/usr/bin/ncat)")) return;
  const auto port = free_port();
  peer_process ncat({"/usr/bin/ncat", "--ssl", "-l", "--keep-open", "127.0.0.1", std::to_string(port)},
                    [port] { return accepts(port); });
  const std::string address = "tls://127.0.0.1:" + std::to_string(port);
  {
    pty_terminal t(chat_argv(address), rows, cols);
    wait_text(t, "cannot connect to " + address + ": ");
    wait_status(t, " · offline, retry in ");
    CHECK_FALSE(screen_has(t, "connected to"));
    quit_chat(t);
  }
  pty_terminal t(chat_argv(address, {"--insecure"}), rows, cols);
  wait_status(t, " · UNVERIFIED · online · tls1.");
  wait_text(t, "UNVERIFIED: --insecure, the certificate and the host name were not checked");
  quit_chat(t);
}

TEST_CASE("socat OPENSSL-LISTEN echoes lines over verified TLS", "[e2e][tls][peer]") {
  if (!have_peer(executable("/usr/bin/socat"), "socat (/usr/bin/socat)")) return;
  temp_dir dir("echochat-tls");
  make_test_certs().write_to(dir.path);
  const auto port = free_port();
  peer_process socat({"/usr/bin/socat",
                      "OPENSSL-LISTEN:" + std::to_string(port) +
                          ",bind=127.0.0.1,reuseaddr,fork,cert=" + (dir.path / "cert.pem").string() +
                          ",key=" + (dir.path / "key.pem").string() + ",verify=0",
                      "EXEC:cat"},
                     [port] { return accepts(port); });
  const std::string address = "tls://127.0.0.1:" + std::to_string(port);
  pty_terminal t(chat_argv(address, {"--ca", (dir.path / "ca.pem").string()}), rows, cols);
  wait_status(t, " · online · tls1.");
  t.write("echo over socat\r");
  wait_screen(
      t, [&] { return find_entry(t, "net", "echo over socat") >= 0; }, "the line echoed as net");
  quit_chat(t);
}

TEST_CASE(
    "with --connect-timeout echochat gives up on a server that accepts and never answers the TLS handshake",
    "[e2e][tls][timeout]") {
  // A listening socket that never accepts: the kernel completes the TCP handshake (the backlog),
  // and then nothing more ever comes.
  const echochat::testing::loopback_listener l = echochat::testing::listen_on_loopback();
  const int fd = l.fd;
  const std::string address = "tls://127.0.0.1:" + std::to_string(l.port);
  {
    pty_terminal t(chat_argv(address, {"--connect-timeout", "0.2"}), rows, cols);
    const std::string failed =
        "cannot connect to " + address + ": timed out after 0.2 s during the TLS handshake";
    wait_screen(
        t, [&] { return find_entry(t, "sys", failed) >= 0; }, failed);
    wait_status(t, "timed out after 0.2 s during the TLS handshake");  // offline, the reason shown
    quit_chat(t);
  }
  ::close(fd);
}

// --- WebSocket and Unix sockets against real servers ------------------------------------------

namespace {

constexpr const char* websockets_echo = R"(import asyncio, sys, websockets
async def echo(ws):
    async for message in ws:
        await ws.send(message)
async def main():
    async with websockets.serve(echo, "127.0.0.1", int(sys.argv[1])):
        await asyncio.Future()
asyncio.run(main())
)";

}  // namespace

TEST_CASE("a python3-websockets echo server echoes each line as a message, in chat and in plain mode",
          "[e2e][ws][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  temp_dir dir("echochat-ws");
  const auto script = dir.path / "echo.py";
  std::ofstream(script) << websockets_echo;
  const auto port = free_port();
  peer_process server({"/usr/bin/python3", script.string(), std::to_string(port)},
                      [port] { return accepts(port); });
  const std::string address = "ws://127.0.0.1:" + std::to_string(port) + "/";
  {
    pty_terminal t(chat_argv(address), rows, cols);
    wait_status(t, " · online · ");
    t.write("hello websocket 日本\r");
    wait_screen(
        t, [&] { return find_entry(t, "net", "hello websocket 日本") >= 0; }, "the message echoed as net");
    quit_chat(t);
  }
  // Plain mode: the line typed is sent, the echo printed; Ctrl-D ends the input, a close frame
  // ends the connection, and the program ends.
  pty_terminal t(echochat_argv({"--connect", address, "--plain", "--delay", "0"}), rows, cols);
  t.write("plain hi\n");
  wait_text(t, "net plain hi");
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE("socat UNIX-LISTEN echoes lines over a Unix socket", "[e2e][unix][peer]") {
  if (!have_peer(executable("/usr/bin/socat"), "socat (/usr/bin/socat)")) return;
  temp_dir dir("echochat-unix");
  const auto path = dir.path / "echo.sock";
  peer_process socat({"/usr/bin/socat", "UNIX-LISTEN:" + path.string() + ",fork", "EXEC:cat"},
                     [&] { return std::filesystem::exists(path); });
  pty_terminal t(chat_argv("unix:" + path.string()), rows, cols);
  wait_status(t, " · online · ");
  t.write("over a unix socket\r");
  wait_screen(
      t, [&] { return find_entry(t, "net", "over a unix socket") >= 0; }, "the line echoed as net");
  quit_chat(t);
}

// --- in-process fronts ------------------------------------------------------------------------

TEST_CASE(
    "over wss:// with --ca the screen says online with the protocol, and q leaves the terminal as it was",
    "[e2e][wss]") {
  const test_certs certs = make_test_certs();
  temp_dir dir("echochat-wss");
  certs.write_to(dir.path);
  test_server server;
  test_front front(front_kind::wss, server.port(), &certs);
  pty_terminal t(chat_argv(front.address(), {"--ca", (dir.path / "ca.pem").string()}), rows, cols);
  wait_status(t, " · online · tls1.");
  t.write("typed over wss\r");
  REQUIRE(server.wait_for([&] { return server.count("typed over wss") == 1; }, deadline));
  server.send_line("from the server");
  wait_screen(
      t, [&] { return find_entry(t, "net", "from the server") >= 0; }, "the server's line");
  quit_chat(t);
  CHECK(server.wait_for([&] { return front.last_close_code() == 1000; }, deadline));
}

TEST_CASE("a bad --connect address is one line and exit 2, before the terminal is touched",
          "[e2e][address]") {
  const std::string bad = GENERATE(as<std::string>{}, "ftp://h:21", "tls://h", "unix:", "ws://h/a b");
  pty_terminal t(chat_argv(bad), rows, cols);
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 2);
  CHECK_FALSE(t.alt_screen());
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  const std::string& raw = t.raw_output();
  CHECK(std::count(raw.begin(), raw.end(), '\n') == 1);
  CHECK_THAT(t.row_text(0), Catch::Contains("--connect") && Catch::Contains(bad));
}

// --- a real IRC server: lines sent at every connect, and replies ------------------------------

TEST_CASE("against ngircd, on-connect lines register and join at every connect, and replies answer its pings",
          "[e2e][reply][on-connect][peer]") {
  if (!have_peer(executable("/usr/sbin/ngircd"), "ngircd (/usr/sbin/ngircd)")) return;
  temp_dir dir("echochat-irc");
  const auto port = free_port();
  const auto conf = dir.path / "ngircd.conf";
  // Pings after 2 s of silence (ngircd makes it a few more), so the test sees two soon.
  std::ofstream(conf)
      << "[Global]\nName = irc.test\nInfo = echochat test\nListen = 127.0.0.1\nPorts = " << port
      << "\n[Limits]\nPingTimeout = 2\nPongTimeout = 2\n[Options]\nPAM = no\nIdent = no\nDNS = no\n";
  ::chmod(dir.path.c_str(), 0755);  // ngircd reads on as nobody
  const auto start = [&] {
    return std::make_unique<peer_process>(
        std::vector<std::string>{"/usr/sbin/ngircd", "-n", "-f", conf.string()},
        [port] { return accepts(port); });
  };
  auto server = start();
  const auto log = dir.path / "irc.log";
  pty_terminal t(chat_argv("127.0.0.1:" + std::to_string(port),
                           {"--on-connect", "NICK echo42", "--on-connect", "USER echo42 0 * :echochat test",
                            "--on-connect", "JOIN #test", "--reply", "PING *=PONG *", "--log", log.string()}),
                 rows, cols);
  const auto log_count = [&](std::string_view text) {
    const auto lines = read_lines(log);
    return std::count_if(lines.begin(), lines.end(),
                         [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  // ngircd pings no more often than every few seconds: a longer failure deadline than the others.
  const auto wait_log = [&](std::string_view text, long n, std::string_view what) {
    if (!t.wait_for([&] { return log_count(text) >= n; }, 40s)) FAIL("waited in vain for " << what);
  };
  wait_log(" net :echo42!~echo42@127.0.0.1 JOIN :#test", 1, "registered and joined");
  CHECK(log_count(" you NICK echo42") == 1);
  // Two pings answered, and still the same connection.
  wait_log(" reply PONG :irc.test", 2, "two pings answered");
  CHECK(log_count(" sys connected to ") == 1);
  CHECK(log_count(" lost: ") == 0);
  CHECK(chat_status_says(t, " · online · "));
  // The server restarts: echochat reconnects and registers again by itself.
  server.reset();
  wait_log(" lost: ", 1, "the connection lost");
  server = start();
  wait_log(" net :echo42!~echo42@127.0.0.1 JOIN :#test", 2, "registered and joined again");
  CHECK(log_count(" you NICK echo42") == 2);
  quit_chat(t);
}
