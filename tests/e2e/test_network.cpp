// End-to-end on a real network stack of the test's own: a network namespace (ip netns, as root)
// where echochat and its servers talk over that namespace's loopback, and iptables and tc make the
// faults loopback never shows (an address that drops every packet, a slow link). Nothing leaves the
// namespace, and it goes away with the test. Where a namespace cannot be made (not root, no ip
// or ip6tables), the test fails under CI=true and is skipped otherwise.
#include "e2e/peer_util.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

using namespace echochat::e2e;
using echochat::testing::read_lines;
using echochat::testing::temp_dir;

namespace {

constexpr int rows = 40;
constexpr int cols = 160;

bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// A network namespace with its loopback up and `hosts` as its /etc/hosts (ip netns exec mounts
// /etc/netns/NAME/hosts over it for the programs it starts).
class netns {
 public:
  explicit netns(const std::string& hosts) {
    static std::atomic<int> made{0};
    name_ = "echochat-test-" + std::to_string(::getpid()) + "-" + std::to_string(made++);
    etc_ = std::filesystem::path{"/etc/netns"} / name_;
    ok_ = ::geteuid() == 0 && run("ip netns add " + name_) && run("ip -n " + name_ + " link set lo up") &&
          run(exec("ip6tables -L"));
    if (!ok_) return;
    std::filesystem::create_directories(etc_);
    std::ofstream(etc_ / "hosts") << hosts;
  }
  ~netns() {
    run("ip netns del " + name_);
    std::error_code ignored;
    std::filesystem::remove_all(etc_, ignored);
  }
  netns(const netns&) = delete;
  netns& operator=(const netns&) = delete;

  bool ok() const { return ok_; }
  // `command` as run inside the namespace.
  std::string exec(const std::string& command) const { return "ip netns exec " + name_ + " " + command; }
  std::vector<std::string> exec_argv(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", name_});
    return argv;
  }
  // The namespace's loopback as a link of `rate` (tc's words: "100kbit"), by a token bucket filter.
  // Its MTU becomes Ethernet's first: loopback's 64 KiB packets would never fit the bucket.
  bool limit_rate(const std::string& rate) const {
    return run("ip -n " + name_ + " link set lo mtu 1500") &&
           run(exec("tc qdisc add dev lo root tbf rate " + rate + " burst 4kb latency 50ms"));
  }
  // Whether something inside accepts TCP connections on `host` (an address) and `port`.
  bool accepts(const std::string& host, std::uint16_t port) const {
    return run(exec("bash -c 'exec 3<>/dev/tcp/" + host + "/" + std::to_string(port) + "'"));
  }

 private:
  std::string name_;
  std::filesystem::path etc_;
  bool ok_ = false;
};

bool have_netns(const netns& ns) {
  return have_peer(ns.ok(), "a network namespace (root, ip from iproute2, ip6tables from iptables)") &&
         have_peer(::access("/usr/bin/socat", X_OK) == 0, "socat (/usr/bin/socat)");
}

// A line server inside `ns` on `address` (127.0.0.1 or ::1) that answers each line with `tag-` and
// the line (socat reads a colon or a space in its command as its own)
// and the line, so the test sees which address echochat reached.
std::unique_ptr<peer_process> tagging_server(const netns& ns, const std::string& address, std::uint16_t port,
                                             const std::string& tag) {
  const bool v6 = address.find(':') != std::string::npos;
  const std::string listen = std::string{v6 ? "TCP6-LISTEN:" : "TCP4-LISTEN:"} + std::to_string(port) +
                             ",bind=" + (v6 ? "[" + address + "]" : address) + ",reuseaddr,fork";
  return std::make_unique<peer_process>(
      ns.exec_argv({"/usr/bin/socat", listen, "SYSTEM:sed -u s/^/" + tag + "-/"}),
      [&ns, address, port] { return ns.accepts(address, port); });
}

constexpr std::uint16_t port = 7000;  // the namespace is the test's own: any port is free
const std::string dual_hosts = "::1 dual.test\n127.0.0.1 dual.test\n";

}  // namespace

TEST_CASE("happy eyeballs: a name with IPv6 and IPv4 addresses is reached over IPv6 first",
          "[e2e][network][happy_eyeballs]") {
  netns ns(dual_hosts);
  if (!have_netns(ns)) return;
  const auto v6 = tagging_server(ns, "::1", port, "v6");
  const auto v4 = tagging_server(ns, "127.0.0.1", port, "v4");
  pty_terminal t(ns.exec_argv(chat_argv("dual.test:" + std::to_string(port))), rows, cols);
  wait_screen(
      t, [&] { return chat_status_says(t, " · online · "); }, "online");
  t.write("which\r");
  wait_screen(
      t, [&] { return find_entry(t, "net", "v6-which") >= 0; }, "the IPv6 server's answer");
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE("happy eyeballs: when the IPv6 address drops every packet, IPv4 connects well within the timeout",
          "[e2e][network][happy_eyeballs]") {
  // Before, the IPv6 attempt used the whole --connect-timeout, and IPv4 was never tried: every
  // attempt ended "timed out after 3 s connecting".
  netns ns(dual_hosts);
  if (!have_netns(ns)) return;
  REQUIRE(run(ns.exec("ip6tables -A INPUT -p tcp --dport " + std::to_string(port) + " -j DROP")));
  const auto v4 = tagging_server(ns, "127.0.0.1", port, "v4");
  pty_terminal t(ns.exec_argv(chat_argv("dual.test:" + std::to_string(port), {"--connect-timeout", "3"})),
                 rows, cols);
  wait_screen(
      t, [&] { return chat_status_says(t, " · online · ") || screen_has(t, "timed out"); },
      "online, or the timeout");
  CHECK_FALSE(screen_has(t, "timed out"));
  t.write("which\r");
  wait_screen(
      t, [&] { return find_entry(t, "net", "v4-which") >= 0; }, "the IPv4 server's answer");
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE(
    "happy eyeballs: an address that refuses moves on to the next at once, and all refusing is the "
    "last one's reason",
    "[e2e][network][happy_eyeballs]") {
  netns ns(dual_hosts);
  if (!have_netns(ns)) return;
  SECTION("IPv6 refuses, IPv4 answers") {
    const auto v4 = tagging_server(ns, "127.0.0.1", port, "v4");
    pty_terminal t(ns.exec_argv(chat_argv("dual.test:" + std::to_string(port))), rows, cols);
    t.write("which\r");
    wait_screen(
        t, [&] { return find_entry(t, "net", "v4-which") >= 0; }, "the IPv4 server's answer");
    CHECK_FALSE(screen_has(t, "cannot connect"));
    t.write("\x04");
    REQUIRE(t.wait_exit(deadline));
  }
  SECTION("both refuse") {
    pty_terminal t(ns.exec_argv(chat_argv("dual.test:" + std::to_string(port))), rows, cols);
    wait_screen(
        t, [&] { return screen_has(t, "cannot connect to dual.test:7000: Connection refused"); },
        "the refusal");
    t.write("\x04");
    REQUIRE(t.wait_exit(deadline));
  }
}

TEST_CASE(
    "a partition in mid-chat is noticed within --dead-after, the line it swallowed is marked (or sent "
    "again), and lines typed meanwhile go out once it heals",
    "[e2e][network][dead_after]") {
  // Before, the connection stayed "online" for the kernel's many minutes, and a line typed into
  // it was written to a dead socket.
  netns ns("");
  if (!have_netns(ns)) return;
  const std::string kind = GENERATE(as<std::string>{}, "tcp", "ws");
  const std::string script = std::string{ECHOCHAT_SOURCE_DIR} + "/tests/e2e/peers/late_echo.py";
  if (kind == "ws" && !have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  peer_process server(ns.exec_argv({"/usr/bin/python3", script, kind, std::to_string(port), "0"}),
                      [&ns] { return ns.accepts("127.0.0.1", port); });
  const std::string address =
      kind == "ws" ? "ws://127.0.0.1:" + std::to_string(port) + "/" : "127.0.0.1:" + std::to_string(port);
  const bool resend = GENERATE(false, true);
  std::vector<std::string> flags{"--dead-after", "3", "--connect-timeout", "1"};
  if (resend) flags.emplace_back("--resend-unacked");
  pty_terminal t(ns.exec_argv(chat_argv(address, flags)), rows, cols);
  wait_screen(
      t, [&] { return chat_status_says(t, " · online · "); }, "online");
  t.write("before\r");
  wait_screen(
      t, [&] { return find_entry(t, "net", "before") >= 0; }, "the echo before the partition");
  const std::string drop = " -p tcp --dport " + std::to_string(port) + " -j DROP";
  const std::string drop_back = " -p tcp --sport " + std::to_string(port) + " -j DROP";
  REQUIRE(run(ns.exec("iptables -A INPUT" + drop)));
  REQUIRE(run(ns.exec("iptables -A INPUT" + drop_back)));
  // Written into the partition: the kernel takes it, the server's TCP never acknowledges it.
  t.write("unacked\r");
  wait_screen(
      t, [&] { return screen_has(t, "lost: no answer from the server for 3 s (--dead-after)"); },
      "the partition noticed");
  const std::string mark = resend ? "unacked  (not acknowledged: sent again)"
                                  : "unacked  (not acknowledged: may not have arrived)";
  wait_screen(
      t, [&] { return find_entry(t, "you", mark) >= 0; }, "the unacknowledged line marked");
  wait_screen(
      t, [&] { return screen_has(t, "not acknowledged: unacked"); }, "the line listed in a sys entry");
  CHECK(screen_has(t, "1 line was not acknowledged by the server and may not have arrived"));
  t.write("during\r");
  wait_screen(
      t, [&] { return chat_status_says(t, resend ? " · 2 waiting · " : " · 1 waiting · "); },
      "the lines waiting");
  REQUIRE(run(ns.exec("iptables -D INPUT" + drop)));
  REQUIRE(run(ns.exec("iptables -D INPUT" + drop_back)));
  // The retries double while it lasts (a connection of seconds does not reset them): the next one
  // may be several seconds away, so this wait has a longer failure deadline.
  if (!t.wait_for([&] { return find_entry(t, "net", "during") >= 0; }, std::chrono::seconds{60})) {
    FAIL("waited in vain for the line typed meanwhile, echoed after the heal:\n" << t.screen_text());
  }
  // Sent again, the unacknowledged line arrives (before the one typed offline); else it is lost.
  CHECK((find_entry(t, "net", "unacked") >= 0) == resend);
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}

TEST_CASE("echo mode over a link that drops 5% of packets loses no line: TCP's retransmits only slow some",
          "[e2e][network][loss]") {
  netns ns("");
  if (!have_netns(ns)) return;
  REQUIRE(run(ns.exec("iptables -A INPUT -m statistic --mode random --probability 0.05 -j DROP")));
  peer_process server(
      ns.exec_argv({"/usr/bin/socat",
                    "TCP4-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat"}),
      [&ns] { return ns.accepts("127.0.0.1", port); });
  pty_terminal t(
      ns.exec_argv(echochat_argv({"--connect", "127.0.0.1:" + std::to_string(port), "--echo", "--count", "40",
                                  "--interval", "0.02", "--plain", "--delay", "3600"})),
      rows, cols);
  // A dropped segment costs a retransmission timeout (200 ms at least), well within --echo-timeout.
  REQUIRE(t.wait_exit(std::chrono::seconds{60}));
  INFO(t.screen_text());
  CHECK(t.exit_status() == 0);
  CHECK(screen_has(t, "40 lines sent, 40 echoed, 0 differed, 0% lost"));
}

TEST_CASE(
    "a server killed with SIGKILL in mid-flood and started again: echochat reconnects and no line "
    "typed is lost",
    "[e2e][network][sigkill]") {
  if (!have_peer(::access("/usr/bin/python3", X_OK) == 0, "python3 (/usr/bin/python3)")) return;
  const std::filesystem::path record =
      std::filesystem::temp_directory_path() / ("echochat-record-" + std::to_string(::getpid()));
  std::filesystem::remove(record);
  const auto server_port = free_port();
  const std::string script = std::string{ECHOCHAT_SOURCE_DIR} + "/tests/e2e/peers/flood_recorder.py";
  peer_process server({"/usr/bin/python3", script, std::to_string(server_port), record.string()},
                      [server_port] { return accepts(server_port); });
  const auto recorded = [&](const std::string& line) {
    std::ifstream in(record);
    std::string l;
    int n = 0;
    while (std::getline(in, l)) n += l == line ? 1 : 0;
    return n;
  };
  pty_terminal t(chat_argv("127.0.0.1:" + std::to_string(server_port)), rows, cols);
  wait_screen(
      t, [&] { return screen_has(t, " net   flood "); }, "the flood on screen");
  t.write("typed before\r");
  REQUIRE(t.wait_for([&] { return recorded("typed before") == 1; }, std::chrono::seconds{60}));
  server.stop();  // SIGKILL, in mid-flood
  wait_screen(
      t, [&] { return screen_has(t, "lost: "); }, "the connection lost");
  t.write("typed while it was down\r");
  server.start();
  REQUIRE(t.wait_for([&] { return recorded("typed while it was down") == 1; }, std::chrono::seconds{60}));
  t.write("typed after\r");
  // Failure deadlines only, and long ones: the flood resumes with each connection and competes
  // with the typing for the machine.
  REQUIRE(t.wait_for([&] { return recorded("typed after") == 1; }, std::chrono::seconds{60}));
  CHECK(recorded("typed before") == 1);
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  std::filesystem::remove(record);
}

namespace {

// The number of lines the status bar says are waiting to be written (0 when it says none).
std::optional<int> waiting_count(const pty_terminal& t) {
  const std::string s = chat_status(t);
  if (!chat_status_says(t, " · online · ")) return std::nullopt;
  static const std::regex waiting(" · (\\d+) waiting · ");
  std::smatch m;
  return std::regex_search(s, m, waiting) ? std::stoi(m[1]) : 0;
}

}  // namespace

TEST_CASE(
    "a 100 kbit/s link under a paste: the outbox holds lines and drains to none, a key typed meanwhile shows "
    "at once, and every line arrives once and in order",
    "[e2e][network][slow_link]") {
  netns ns("");
  if (!have_netns(ns) || !have_peer(on_path("tc"), "tc (from iproute2)")) return;
  REQUIRE(ns.limit_rate("100kbit"));
  temp_dir dir("echochat-slow-link");
  const std::string received = (dir.path / "received").string();
  peer_process server(ns.exec_argv({"/usr/bin/socat", "-u",
                                    "TCP4-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,reuseaddr,fork",
                                    "OPEN:" + received + ",creat,append"}),
                      [&ns] { return ns.accepts("127.0.0.1", port); });
  pty_terminal t(ns.exec_argv(chat_argv("127.0.0.1:" + std::to_string(port))), rows, cols);
  wait_screen(
      t, [&] { return chat_status_says(t, " · online · "); }, "online");
  // Not the 1 MiB a user might paste: at 100 kbit/s that takes 84 s. 200 KB (2,000 lines of 100
  // bytes, 16 s at the link's rate) is over twice what the kernel's send buffer and the link's
  // queue take at once here, so the outbox holds lines for many seconds and is seen to drain.
  constexpr int pasted = 2000;
  std::vector<std::string> sent;
  std::string paste = "\x1b[200~";
  for (int i = 0; i < pasted; ++i) {
    std::string line = "pasted line " + std::to_string(i) + " ";
    line.resize(99, '.');
    sent.push_back(line);
    paste += line + "\n";
  }
  paste += "\x1b[201~";
  t.write(paste);
  wait_screen(
      t, [&] { return chat_status_says(t, " · Enter sends 2000 pasted lines · "); }, "the paste waiting");
  t.write("\r");
  int first = 0;
  wait_screen(
      t, [&] { return (first = waiting_count(t).value_or(0)) > 0; }, "lines waiting in the outbox");
  // A key typed while the link is full shows at once: the input line answers, the lines still wait.
  t.write("k");
  wait_screen(
      t, [&] { return input_row(t) == "> k"; }, "the key typed during the paste");
  CHECK(waiting_count(t).value_or(0) > 0);
  // Failure deadlines only, and long ones: the link's pace sets how long the outbox takes. The
  // condition is tried again every few milliseconds too, as the server's file changes off screen.
  const auto drains = [&](const std::function<bool()>& pred, const char* what) {
    const auto stop = std::chrono::steady_clock::now() + std::chrono::seconds{90};
    while (!t.wait_for(pred, std::chrono::milliseconds{20})) {
      if (std::chrono::steady_clock::now() >= stop)
        FAIL("waited in vain for " << what << ":\n" << t.screen_text());
    }
  };
  drains(
      [&] {
        const int n = waiting_count(t).value_or(first);
        return n > 0 && n < first;
      },
      "the outbox draining");
  drains([&] { return waiting_count(t) == 0; }, "the outbox empty");
  t.write("\r");
  sent.emplace_back("k");
  drains([&] { return read_lines(received).size() >= sent.size(); }, "every line at the server");
  CHECK(read_lines(received) == sent);  // each once, in order, the key's line last
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
}
