// End-to-end: the built echochat through a real proxy, as the user sees it: "via" on the status
// bar, a refusal in words, the password masked on the screen and in the log and gone from
// /proc/PID/cmdline, and the environment's variables (ALL_PROXY, NO_PROXY) honoured unless
// --proxy '' says otherwise.
#include "e2e/peer_util.hpp"
#include "e2e/proxy_peers.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace echochat::e2e;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;
using echochat::testing::test_server;

namespace {

constexpr int rows = 30;
constexpr int cols = 200;

// The arguments as ps sees them: /proc/PID/cmdline, NULs as spaces.
std::string command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

}  // namespace

TEST_CASE(
    "through a SOCKS5 proxy: via on the status bar, the password masked on screen and in the log, "
    "and gone from the command line",
    "[e2e][proxy][peer]") {
  if (!proxy_peer::present(proxy_program::microsocks)) return;
  proxy_peer proxy(proxy_program::microsocks, proxy_credentials{"alice", "s3cret"});
  test_server server;
  temp_dir dir("echochat-proxy");
  const auto log = dir.path / "chat.log";
  pty_terminal t(chat_argv(server.address(), {"--proxy", proxy.url("socks5h"), "--log", log.string()}), rows,
                 cols);
  wait_status(t, " · online · via " + proxy.host_port());
  wait_text(t, "through the proxy socks5h://alice:***@" + proxy.host_port() + " (--proxy)");
  // Overwritten in place once parsed, as mysql does with its -p.
  const std::string args = command_line(t.pid());
  CHECK_THAT(args,
             !Catch::Contains("s3cret") && Catch::Contains("socks5h://alice:xxxxxx@" + proxy.host_port()));
  t.write("hello through socks\r");
  REQUIRE(server.wait_for([&] { return server.count("hello through socks") == 1; }, deadline));
  quit_chat(t);
  CHECK_THAT(t.raw_output(), !Catch::Contains("s3cret"));
  const auto lines = read_lines(log);
  CHECK(std::none_of(lines.begin(), lines.end(),
                     [](const std::string& l) { return l.find("s3cret") != std::string::npos; }));
  CHECK(std::any_of(lines.begin(), lines.end(),
                    [](const std::string& l) { return l.find("alice:***@") != std::string::npos; }));
}

TEST_CASE("a wrong proxy password is said in words on the status bar, and retried", "[e2e][proxy][peer]") {
  if (!proxy_peer::present(proxy_program::tinyproxy)) return;
  proxy_peer proxy(proxy_program::tinyproxy, proxy_credentials{"alice", "s3cret"});
  test_server server;
  pty_terminal t(chat_argv(server.address(), {"--proxy", proxy.url("http", "wrong-pw")}), rows, cols);
  wait_status(t, "(the proxy refused the user name or password)");
  wait_status(t, "offline, retry in");
  CHECK(server.accepted() == 0);
  quit_chat(t);
  CHECK_THAT(t.raw_output(), !Catch::Contains("wrong-pw"));
}

TEST_CASE("ALL_PROXY is honoured, and named where the proxy is said", "[e2e][proxy][peer]") {
  if (!proxy_peer::present(proxy_program::dante)) return;
  proxy_peer proxy(proxy_program::dante);
  test_server server;
  const std::string transport_var = GENERATE(as<std::string>{}, "ALL_PROXY", "all_proxy", "http_proxy");
  pty_terminal t(chat_argv(server.address()), rows, cols, {{transport_var, proxy.url("socks5")}});
  wait_status(t, " · online · via " + proxy.host_port());
  wait_text(t, "through the proxy socks5://" + proxy.host_port() + " (" + transport_var + ")");
  quit_chat(t);
}

TEST_CASE("NO_PROXY exempts its hosts, and --proxy '' turns the environment's proxy off", "[e2e][proxy]") {
  test_server server;
  // A proxy that is not there: used, the connection would fail.
  const std::string nowhere = "socks5://127.0.0.1:" + std::to_string(free_port());
  SECTION("NO_PROXY") {
    // Names match names and addresses addresses, as curl has it: nothing is resolved to compare.
    const auto [host, list] =
        GENERATE(table<std::string, std::string>({{"localhost", "localhost"},
                                                  {"127.0.0.1", "127.0.0.1"},
                                                  {"localhost", "*"},
                                                  {"127.0.0.1", "example.com,127.0.0.0/8"}}));
    const std::string target = host + ":" + std::to_string(server.port());
    pty_terminal t(chat_argv(target), rows, cols, {{"ALL_PROXY", nowhere}, {"NO_PROXY", list}});
    wait_status(t, " · online");
    CHECK_THAT(chat_status(t), !Catch::Contains("via"));
    quit_chat(t);
  }
  SECTION("--proxy ''") {
    pty_terminal t(chat_argv(server.address(), {"--proxy", ""}), rows, cols, {{"ALL_PROXY", nowhere}});
    wait_status(t, " · online");
    CHECK_THAT(chat_status(t), !Catch::Contains("via"));
    quit_chat(t);
  }
  SECTION("without either, the environment's proxy is used, and its absence said") {
    pty_terminal t(chat_argv(server.address()), rows, cols, {{"ALL_PROXY", nowhere}});
    wait_status(t, "cannot reach the proxy at " + nowhere.substr(9) + ": Connection refused");
    quit_chat(t);
  }
}

TEST_CASE("a bad proxy URL in a variable is one line naming it, the password masked, exit 2",
          "[e2e][proxy]") {
  pty_terminal t(chat_argv("127.0.0.1:9"), rows, cols, {{"ALL_PROXY", "socks4://alice:s3cret@proxy"}});
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 2);
  CHECK_FALSE(t.alt_screen());
  CHECK(t.row_text(0) ==
        "echochat: ALL_PROXY: 'socks4://alice:***@proxy': SOCKS4 is not supported: use socks5:// or "
        "socks5h://");
}
