// End-to-end: load mode against the reference echo server (bench/echo_server.cpp, a process of
// its own that the tests stop and make drop connections): plain output, the JSON summary, the
// interval log read back by another HdrHistogram implementation, a stalled server seen in the
// tail, reconnects, the descriptor limit, and the live view through a pseudo-terminal.
#include "e2e/peer_util.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace echochat::e2e;
using echochat::testing::temp_dir;
using namespace std::chrono_literals;

namespace {

// The reference echo server, started on a free port; killed (continued first) at the end.
class echo_server_process {
 public:
  explicit echo_server_process(std::vector<std::string> extra = {}) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::vector<std::string> args{ECHOCHAT_ECHO_SERVER, "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto argv = c_strings(args);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    REQUIRE(rc == 0);
    std::string line;
    char c = 0;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(fds[0]);
    REQUIRE_FALSE(line.empty());
    port = std::stoi(line);
  }
  ~echo_server_process() {
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  echo_server_process(const echo_server_process&) = delete;
  echo_server_process& operator=(const echo_server_process&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  void stop() const { ::kill(pid_, SIGSTOP); }
  void resume() const { ::kill(pid_, SIGCONT); }

  int port = 0;

 private:
  pid_t pid_ = -1;
};

struct finished_run {
  int status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// echochat's command line for the shell, after `prefix` (a ulimit, say).
std::string echochat_command(const std::vector<std::string>& flags, const std::string& prefix = {}) {
  std::string command = prefix + "exec";
  for (const auto& a : echochat_argv(flags)) command += " '" + a + "'";
  return command;
}

// A shell command without a terminal (echochat's, or a peer's): stdin from /dev/null, stdout and
// stderr into files in `dir`.
class piped_command {
 public:
  piped_command(const std::string& command, const temp_dir& dir) : dir_(dir) {
    const std::string whole = "{ " + command + "; } </dev/null >'" + (dir.path / "out").string() + "' 2>'" +
                              (dir.path / "err").string() + "'";
    std::vector<std::string> args{"/bin/sh", "-c", whole};
    auto argv = c_strings(args);
    REQUIRE(::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
  }
  ~piped_command() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  piped_command(const piped_command&) = delete;
  piped_command& operator=(const piped_command&) = delete;

  void signal(int signo) const { ::kill(pid_, signo); }

  finished_run wait() {
    int ws = 0;
    REQUIRE(::waitpid(pid_, &ws, 0) == pid_);
    pid_ = -1;
    finished_run r;
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r.out = slurp(dir_.path / "out");
    r.err = slurp(dir_.path / "err");
    return r;
  }

 private:
  const temp_dir& dir_;
  pid_t pid_ = -1;
};

finished_run run_shell(const std::string& command) {
  temp_dir dir;
  piped_command c(command, dir);
  return c.wait();
}

finished_run run_load(const std::vector<std::string>& flags, const std::string& prefix = {}) {
  return run_shell(echochat_command(flags, prefix));
}

// A number the JSON object has under `key` (at its first mention), or -1.
double json_number(const std::string& json, const std::string& key) {
  const std::regex re("\"" + key + "\":(-?[0-9.]+)");
  std::smatch m;
  return std::regex_search(json, m, re) ? std::stod(m[1].str()) : -1;
}

// The object under `key` (one level of braces).
std::string json_object(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":{");
  if (at == std::string::npos) return {};
  return json.substr(at, json.find('}', at) - at + 1);
}

bool have_hdr_histogram_js() {
  return std::system(
             "NODE_PATH=$(npm root -g 2>/dev/null) node -e 'require(\"hdr-histogram-js\")' "
             ">/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("load mode without a terminal: a line a second, the summary, every message echoed, exit 0",
          "[e2e][load]") {
  echo_server_process server;
  temp_dir dir;
  const std::string json_path = (dir.path / "run.json").string();
  const auto r = run_load({"--connect", server.address(), "--echo", "--connections", "4", "--rate", "400",
                           "--duration", "2", "--json", json_path});
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("1 s: sent ") != std::string::npos);
  CHECK(r.out.find("--- " + server.address() + " load statistics ---") != std::string::npos);
  CHECK(r.out.find(" 0 differed, 0 lost, 4 connections") != std::string::npos);
  CHECK(r.out.find("(open loop)") != std::string::npos);
  CHECK(r.out.find("latency from schedule min/p50/p90/p99/p99.9/max = ") != std::string::npos);
  CHECK(r.out.find("latency from write ") != std::string::npos);
  CHECK(r.out.find('\x1b') == std::string::npos);  // plain: no escapes
  const std::string json = slurp(json_path);
  INFO("json: " << json);
  REQUIRE(json.front() == '{');
  const double sent = json_number(json, "sent");
  CHECK(sent == 800);  // 400 a second for 2 s, not one more or less
  CHECK(json_number(json, "echoed") == sent);
  CHECK(json_number(json, "lost") == 0);
  CHECK(json_number(json, "connections_opened") == 4);
  CHECK(json_number(json_object(json, "latency_ms"), "count") == sent);
  CHECK(json_number(json_object(json, "latency_from_write_ms"), "count") == sent);
  CHECK(json_object(json, "errors") == "\"errors\":{}");
}

TEST_CASE(
    "load mode: --json - puts the JSON alone on stdout, and a closed loop with --count sends exactly that "
    "many",
    "[e2e][load]") {
  echo_server_process server;
  const auto r = run_load(
      {"--connect", server.address(), "--echo", "--connections", "3", "--count", "300", "--json", "-"});
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.status == 0);
  REQUIRE_FALSE(r.out.empty());
  CHECK(r.out.front() == '{');
  CHECK(r.out.find('\n') == r.out.size() - 1);  // one object, one line
  CHECK(json_number(r.out, "sent") == 300);
  CHECK(json_number(r.out, "echoed") == 300);
  CHECK(r.out.find("\"rate_requested\":null") != std::string::npos);
  CHECK(r.err.find("(closed loop)") != std::string::npos);  // the summary went to stderr
}

TEST_CASE("load mode's interval log is read back by another HdrHistogram implementation", "[e2e][load]") {
  if (!have_peer(have_hdr_histogram_js(), "node with the npm package hdr-histogram-js")) return;
  echo_server_process server;
  temp_dir dir;
  const std::string log = (dir.path / "run.hlog").string();
  const std::string json_path = (dir.path / "run.json").string();
  const auto r = run_load({"--connect", server.address(), "--echo", "--rate", "300", "--duration", "3",
                           "--histogram-log", log, "--json", json_path});
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.status == 0);
  const std::string text = slurp(log);
  CHECK(text.rfind("#[Histogram log format version 1.3]\n#[StartTime: ", 0) == 0);
  const std::string script = std::string{ECHOCHAT_SOURCE_DIR} + "/tests/e2e/peers/read_hlog.js";
  const auto read = run_shell("NODE_PATH=$(npm root -g) node '" + script + "' '" + log + "'");
  INFO("hdr-histogram-js said: " << read.out << read.err);
  REQUIRE(read.status == 0);
  const std::string json = slurp(json_path);
  // Every second of the run is an interval, and the intervals hold every echo.
  CHECK(json_number(read.out, "intervals") >= 3);
  CHECK(json_number(read.out, "count") == json_number(json, "echoed"));
  CHECK(json_number(read.out, "count") == 900);
  // Its percentiles are ours, in µs.
  CHECK(json_number(read.out, "max") / 1000.0 ==
        Approx(json_number(json_object(json, "latency_ms"), "max")).margin(0.001));
  CHECK(json_number(read.out, "p99") / 1000.0 ==
        Approx(json_number(json_object(json, "latency_ms"), "p99")).margin(0.001));
}

TEST_CASE(
    "load mode: a server stopped for 200 ms shows in the tail from the schedule (no coordinated omission)",
    "[e2e][load]") {
  echo_server_process server;
  temp_dir dir;
  const std::string log = (dir.path / "run.hlog").string();
  const std::string json_path = (dir.path / "run.json").string();
  piped_command e(echochat_command({"--connect", server.address(), "--echo", "--rate", "1000", "--duration",
                                    "5", "--json", json_path, "--histogram-log", log}),
                  dir);
  // Once the first second is logged, the run is under way: the server stops for 200 ms.
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (slurp(log).find("\n0.000,") == std::string::npos && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  server.stop();
  std::this_thread::sleep_for(200ms);  // the stall itself
  server.resume();
  const auto r = e.wait();
  const std::string json = slurp(json_path);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err << "\njson: " << json);
  CHECK(r.status == 0);  // late is not lost
  CHECK(json_number(json, "sent") == 5000);
  CHECK(json_number(json, "lost") == 0);
  const std::string from_schedule = json_object(json, "latency_ms");
  // The ~200 messages due during the stall waited up to 200 ms each: a 1% tail of 5,000.
  CHECK(json_number(from_schedule, "p99") >= 100);
  CHECK(json_number(from_schedule, "max") >= 200);
}

TEST_CASE("load mode: a server that drops connections mid-run: counted, reopened, the run finished",
          "[e2e][load]") {
  echo_server_process server({"--drop-every", "150"});
  temp_dir dir;
  const std::string json_path = (dir.path / "run.json").string();
  const auto r = run_load({"--connect", server.address(), "--echo", "--connections", "10", "--rate", "500",
                           "--duration", "3", "--json", json_path});
  const std::string json = slurp(json_path);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err << "\njson: " << json);
  CHECK(r.status == 1);  // messages were lost with the connections
  CHECK(r.out.find("load statistics") != std::string::npos);
  CHECK(r.out.find("closed by the server") != std::string::npos);
  CHECK(json_number(json, "connections_opened") > 10);  // reopened
  CHECK(json_number(json, "closed by the server") >= 1);
  CHECK(json_number(json, "echoed") > 0);
  // Every message is accounted for: echoed, lost, or not sent while its connection was down.
  CHECK(json_number(json, "echoed") + json_number(json, "lost") + json_number(json, "differed") ==
        json_number(json, "sent"));
}

TEST_CASE("load mode: more connections than the hard descriptor limit allows is said before anything starts",
          "[e2e][load]") {
  echo_server_process server;
  const auto r =
      run_load({"--connect", server.address(), "--echo", "--connections", "5000", "--duration", "1"},
               "ulimit -n 256 && ");
  CHECK(r.status == 2);
  CHECK(r.err.find("--connections 5000 needs about 5064 open files, and the hard limit is 256") !=
        std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("load mode on a terminal: the live view, q stops and the summary follows on the restored terminal",
          "[e2e][load]") {
  echo_server_process server;
  pty_terminal t(
      echochat_argv({"--connect", server.address(), "--echo", "--connections", "2", "--rate", "200"}), 30,
      100);
  wait_screen(
      t, [&] { return screen_has(t, "whole run") && screen_has(t, "p99 a second"); }, "the live view");
  wait_screen(
      t, [&] { return screen_has(t, "connections: 2 open, 0 connecting, 0 failed") && screen_has(t, "█"); },
      "a second's figures and the first bars");
  CHECK(screen_has(t, "/s echoed of 200/s"));
  CHECK(screen_has(t, "echochat load · " + server.address() + " · 2 connections · rate 200/s"));
  CHECK(screen_has(t, "connections: 2 open, 0 connecting, 0 failed"));
  CHECK(screen_has(t, "distribution (whole run):"));
  CHECK(screen_has(t, "█"));
  CHECK(screen_has(t, "q or Ctrl-C: stop and print the summary"));
  t.write("q");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK_FALSE(t.alt_screen());
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK(t.cursor_visible());
  t.drain();
  INFO(t.screen_text());
  CHECK(screen_has(t, "load statistics ---"));
  CHECK(screen_has(t, "0 lost, 2 connections"));
  CHECK_FALSE(screen_has(t, "whole run"));  // the live view left with the alternate screen
}

TEST_CASE("load mode over ws://: the same messages, each a WebSocket message, all echoed", "[e2e][load]") {
  echo_server_process server;
  temp_dir dir;
  const std::string json_path = (dir.path / "run.json").string();
  const auto r = run_load({"--connect", "ws://" + server.address() + "/", "--echo", "--connections", "3",
                           "--rate", "300", "--duration", "1", "--json", json_path});
  const std::string json = slurp(json_path);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err << "\njson: " << json);
  CHECK(r.status == 0);
  CHECK(json_number(json, "sent") == 300);
  CHECK(json_number(json, "echoed") == 300);
  CHECK(json_number(json, "unexpected") == 0);
}

TEST_CASE("load mode: SIGTERM stops the run, the summary still comes, exit 143", "[e2e][load]") {
  echo_server_process server;
  temp_dir dir;
  piped_command e(echochat_command({"--connect", server.address(), "--echo", "--rate", "200"}), dir);
  // Once a second has been reported, the run is under way.
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (slurp(dir.path / "out").find("1 s: sent") == std::string::npos &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  e.signal(SIGTERM);
  const auto r = e.wait();
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.status == 128 + SIGTERM);
  CHECK(r.out.find("load statistics ---") != std::string::npos);
  CHECK(r.out.find(" 0 lost, 1 connection") != std::string::npos);
}
