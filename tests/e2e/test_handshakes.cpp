// End-to-end: what a server may ask of its client before it talks. The WebSocket upgrade's
// headers, subprotocols and origin against a python3-websockets server that requires them
// (tests/e2e/peers/ws_picky.py), and client certificates (mutual TLS) against openssl s_server
// -Verify. A missing peer fails under CI=true and is skipped otherwise.
#include "e2e/peer_util.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace echochat::e2e;
using echochat::testing::make_test_certs;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;
using echochat::testing::test_certs;

namespace {

constexpr int rows = 40;
constexpr int cols = 200;

// ws_picky.py MODE PORT: see the script for what each mode asks and answers.
std::unique_ptr<peer_process> picky_server(const std::string& mode, std::uint16_t port) {
  const std::string script = std::string{ECHOCHAT_SOURCE_DIR} + "/tests/e2e/peers/ws_picky.py";
  return std::make_unique<peer_process>(
      std::vector<std::string>{"/usr/bin/python3", script, mode, std::to_string(port)},
      [port] { return accepts(port); });
}

std::string ws_address(std::uint16_t port) { return "ws://127.0.0.1:" + std::to_string(port) + "/"; }

// openssl s_server -rev that asks for a client certificate and requires one (-Verify) signed by
// the CA in `ca` (-verify_return_error: else s_server takes any); TLS 1.2 only when `tls12`, for the alert
// that version sends.
std::unique_ptr<peer_process> verifying_s_server(std::uint16_t port, const std::filesystem::path& dir,
                                                 const std::filesystem::path& ca, bool tls12 = false) {
  std::vector<std::string> args{"/usr/bin/openssl",
                                "s_server",
                                "-accept",
                                "127.0.0.1:" + std::to_string(port),
                                "-cert",
                                (dir / "cert.pem").string(),
                                "-key",
                                (dir / "key.pem").string(),
                                "-Verify",
                                "1",
                                "-verify_return_error",
                                "-CAfile",
                                ca.string(),
                                "-rev",
                                "-quiet"};
  if (tls12) args.emplace_back("-tls1_2");
  return std::make_unique<peer_process>(std::move(args), [port] { return accepts(port); });
}

bool have_openssl() { return have_peer(executable("/usr/bin/openssl"), "openssl (/usr/bin/openssl)"); }

// A test CA's certificates, written into a scratch directory: ca.pem, the server's cert.pem and
// key.pem, and the client's client.pem, client-key.pem and client-key-enc.pem (encrypted).
struct mtls_files {
  temp_dir dir{"echochat-mtls"};
  mtls_files() { make_test_certs().write_to(dir.path); }
  std::string file(const char* name) const { return (dir.path / name).string(); }
  // --ca, --cert and --key for these certificates, the key from `key`.
  std::vector<std::string> flags(const char* key = "client-key.pem") const {
    return {"--ca", file("ca.pem"), "--cert", file("client.pem"), "--key", file(key)};
  }
};

// The certificates and a verifying_s_server that requires a client certificate from their CA.
struct mtls_server : mtls_files {
  std::uint16_t port = free_port();
  std::unique_ptr<peer_process> server;
  explicit mtls_server(bool tls12 = false)
      : server(verifying_s_server(port, dir.path, dir.path / "ca.pem", tls12)) {}
  std::string address() const { return "tls://localhost:" + std::to_string(port); }
};

}  // namespace

// --- WebSocket upgrade: --header, --protocol, --origin ----------------------------------------

TEST_CASE(
    "a server that requires a header, an origin and a subprotocol gets them, the choice is on the "
    "status bar and the request in the log, its Authorization masked",
    "[e2e][ws][ws_handshake][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  temp_dir dir("echochat-ws-handshake");
  const auto port = free_port();
  const auto server = picky_server("picky", port);
  const auto log = dir.path / "chat.log";
  pty_terminal t(chat_argv(ws_address(port),
                           {"--header", "Authorization: Bearer s3cret", "--origin", "https://chat.example",
                            "--protocol", "chat.v1", "--protocol", "chat.v2", "--log", log.string()}),
                 rows, cols);
  wait_status(t, " · online · subprotocol chat.v2 · ");
  wait_screen(
      t, [&] { return find_entry(t, "net", "subprotocol chat.v2") >= 0; }, "the server's word on the choice");
  t.write("through the door\r");
  wait_screen(
      t, [&] { return find_entry(t, "net", "through the door") >= 0; }, "the echo");
  CHECK_FALSE(screen_has(t, "s3cret"));
  quit_chat(t);
  const auto lines = read_lines(log);
  const auto request = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find(" sys WebSocket: GET / HTTP/1.1; ") != std::string::npos;
  });
  REQUIRE(request != lines.end());
  CHECK_THAT(*request, Catch::Contains("; Origin: https://chat.example") &&
                           Catch::Contains("; Sec-WebSocket-Protocol: chat.v1, chat.v2") &&
                           Catch::Contains("; Authorization: Bearer ***") &&
                           Catch::Contains(" -- answered 101 Switching Protocols, subprotocol chat.v2"));
  for (const std::string& l : lines) CHECK(l.find("s3cret") == std::string::npos);
}

TEST_CASE("a server that refuses the upgrade for a missing header or origin says so in words, then retries",
          "[e2e][ws][ws_handshake][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  const auto port = free_port();
  const auto server = picky_server("picky", port);
  std::vector<std::string> flags;
  std::string answer;
  SECTION("a wrong Authorization") {
    flags = {"--header", "Authorization: Bearer wrong", "--origin", "https://chat.example", "--protocol",
             "chat.v1"};
    answer = "the server answered HTTP 401 Unauthorized, not a WebSocket upgrade";
  }
  SECTION("no Origin") {
    flags = {"--header", "Authorization: Bearer s3cret", "--protocol", "chat.v1"};
    answer = "the server answered HTTP 403 Forbidden, not a WebSocket upgrade";
  }
  SECTION("no subprotocol") {
    flags = {"--header", "Authorization: Bearer s3cret", "--origin", "https://chat.example"};
    answer = "the server answered HTTP 400 Bad Request, not a WebSocket upgrade";
  }
  pty_terminal t(chat_argv(ws_address(port), flags), rows, cols);
  wait_text(t, "cannot connect to " + ws_address(port) + ": " + answer);
  wait_status(t, " · offline, retry in ");
  CHECK_FALSE(screen_has(t, "connected to"));
  quit_chat(t);
}

TEST_CASE("a subprotocol the client did not offer, or none when some were, is refused as RFC 6455 says",
          "[e2e][ws][ws_handshake][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  const auto port = free_port();
  std::string mode;
  std::vector<std::string> flags;
  std::string reason;
  SECTION("one not offered") {
    mode = "rogue";
    flags = {"--protocol", "chat.v1"};
    reason = "the server chose subprotocol rogue.v9, which was not offered (--protocol)";
  }
  SECTION("none of those offered") {
    mode = "none";
    flags = {"--protocol", "chat.v1"};
    reason = "the server chose none of the subprotocols offered (--protocol)";
  }
  const auto server = picky_server(mode, port);
  pty_terminal t(chat_argv(ws_address(port), flags), rows, cols);
  wait_text(t, "cannot connect to " + ws_address(port) + ": " + reason);
  wait_status(t, " · offline, retry in ");
  CHECK_FALSE(screen_has(t, "connected to"));
  quit_chat(t);
}

TEST_CASE("a header with a line break is refused before the terminal is touched, exit 2",
          "[e2e][ws][ws_handshake][hostile]") {
  pty_terminal t(echochat_argv({"--connect", "ws://127.0.0.1:9/", "--header", "X-A: a\r\nX-Injected: b"}),
                 rows, cols);
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 2);
  CHECK_FALSE(t.alt_screen());
  CHECK(screen_has(t, "echochat: --header: 'X-A: a^M^JX-Injected: b': the value of X-A has a control"));
}

// --- Client certificates: --cert, --key, --key-passphrase-env -------------------------------

TEST_CASE(
    "with the client certificate the server requires echochat connects, and without it the refusal is "
    "said in words",
    "[e2e][tls][cert][peer]") {
  if (!have_openssl()) return;
  const bool tls12 = GENERATE(false, true);
  const mtls_server s(tls12);
  {
    pty_terminal t(chat_argv(s.address(), s.flags()), rows, cols);
    wait_status(t, tls12 ? " · online · tls1.2" : " · online · tls1.3");
    t.write("hello mutual\r");
    wait_text(t, "lautum olleh");  // s_server -rev sends the line back reversed
    quit_chat(t);
  }
  pty_terminal t(chat_argv(s.address(), {"--ca", s.file("ca.pem")}), rows, cols);
  // TLS 1.3 sends its alert after the handshake, TLS 1.2 during it.
  const std::string reason = tls12 ? "it may require a client certificate (--cert, --key)"
                                   : "the server requires a client certificate (--cert, --key)";
  wait_text(t, reason);
  wait_status(t, " · offline, retry in ");
  quit_chat(t);
}

TEST_CASE("a client certificate from another CA is refused by the server, in words",
          "[e2e][tls][cert][peer]") {
  if (!have_openssl()) return;
  const mtls_server s;
  const mtls_files other;  // another test CA, another client certificate
  pty_terminal t(chat_argv(s.address(), {"--ca", s.file("ca.pem"), "--cert", other.file("client.pem"),
                                         "--key", other.file("client-key.pem")}),
                 rows, cols);
  wait_text(t, "the server refused the client certificate (--cert): ");
  wait_status(t, " · offline, retry in ");
  quit_chat(t);
}

TEST_CASE("an encrypted key's passphrase is asked for on the terminal, unechoed, before the screen starts",
          "[e2e][tls][cert][peer]") {
  if (!have_openssl()) return;
  const mtls_server s;
  const std::string key = s.file("client-key-enc.pem");
  pty_terminal t(chat_argv(s.address(), s.flags("client-key-enc.pem")), rows, cols);
  wait_text(t, "Passphrase for " + key + ":");
  CHECK_FALSE(t.alt_screen());
  SECTION("typed right") {
    t.write(std::string{test_certs::client_passphrase} + "\r");
    wait_status(t, " · online · tls1.3");
    CHECK_FALSE(screen_has(t, test_certs::client_passphrase));
    quit_chat(t);
  }
  SECTION("typed wrong three times: exit 2 on a clean terminal") {
    t.write("wrong one\r");
    wait_text(t, "Passphrase for " + key + " (wrong, try again):");
    t.write("wrong two\r");
    wait_screen(
        t,
        [&] {
          return t.screen_text().find("(wrong, try again)") != t.screen_text().rfind("(wrong, try again)");
        },
        "the third prompt");
    t.write("wrong three\r");
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 2);
    CHECK(screen_has(t, "echochat: --key " + key + ": wrong passphrase"));
    CHECK_FALSE(screen_has(t, "wrong one"));
    CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  }
  SECTION("Ctrl-C at the prompt ends the program with echo back on") {
    t.write("\x03");
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 128 + SIGINT);
    CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  }
}

TEST_CASE("an encrypted key's passphrase comes from the variable --key-passphrase-env names",
          "[e2e][tls][cert][peer]") {
  if (!have_openssl()) return;
  const mtls_server s;
  const std::string key = s.file("client-key-enc.pem");
  std::vector<std::string> flags = s.flags("client-key-enc.pem");
  flags.insert(flags.end(), {"--key-passphrase-env", "ECHOCHAT_TEST_PASSPHRASE"});
  const auto argv = chat_argv(s.address(), flags);
  SECTION("the right one") {
    pty_terminal t(argv, rows, cols, {{"ECHOCHAT_TEST_PASSPHRASE", test_certs::client_passphrase}});
    wait_status(t, " · online · tls1.3");
    quit_chat(t);
  }
  SECTION("a wrong one: exit 2, not asked again") {
    pty_terminal t(argv, rows, cols, {{"ECHOCHAT_TEST_PASSPHRASE", "wrong"}});
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 2);
    CHECK(screen_has(t, "echochat: --key " + key + ": wrong passphrase"));
    CHECK_FALSE(screen_has(t, "Passphrase for"));
  }
  SECTION("an unset variable: exit 2, named") {
    pty_terminal t(argv, rows, cols);
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 2);
    CHECK(screen_has(t, "echochat: --key-passphrase-env ECHOCHAT_TEST_PASSPHRASE: the variable is not set"));
  }
}

TEST_CASE(
    "a client certificate file that holds none, or a key that is not its own, is exit 2 before the screen",
    "[e2e][tls][cert]") {
  const mtls_files mine;
  const mtls_files other;
  const std::filesystem::path& dir = mine.dir.path;
  std::vector<std::string> flags;
  std::string said;
  SECTION("no certificate in the file") {
    const auto empty = dir / "empty.pem";
    std::ofstream(empty) << "not a certificate\n";
    flags = {"--cert", empty.string()};
    said = "echochat: --cert " + empty.string() + ": no certificate could be read from it";
  }
  SECTION("no key with the certificate") {
    flags = {"--cert", (dir / "client.pem").string()};
    said = "echochat: --cert " + (dir / "client.pem").string() + ": no private key could be read from it";
  }
  SECTION("another certificate's key") {
    flags = {"--cert", (dir / "client.pem").string(), "--key", other.file("client-key.pem")};
    said = "echochat: --key " + other.file("client-key.pem") +
           ": the key does not belong to the certificate in --cert";
  }
  SECTION("an encrypted key and no terminal to ask on") {
    flags = {"--cert", (dir / "client.pem").string(), "--key", (dir / "client-key-enc.pem").string(),
             "--plain"};
    said = "the key is encrypted; type its passphrase on a terminal, or name the variable";
  }
  flags.insert(flags.begin(), {"--connect", "tls://127.0.0.1:9"});
  if (said.find("no terminal") == std::string::npos && flags.back() != "--plain") {
    pty_terminal t(echochat_argv(flags), rows, cols);
    REQUIRE(t.wait_exit(deadline));
    CHECK(t.exit_status() == 2);
    CHECK_FALSE(t.alt_screen());
    CHECK(screen_has(t, said));
  } else {
    // No controlling terminal: started in a session of its own (setsid), stdin and stdout pipes.
    std::string command = "setsid -w " + std::string{ECHOCHAT_BINARY};
    for (const std::string& f : flags) command += " '" + f + "'";
    command += " </dev/null 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    const int status = ::pclose(p);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    CHECK_THAT(out, Catch::Contains(said));
  }
}
