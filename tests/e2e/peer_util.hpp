// Shared helpers of the end-to-end tests that talk to servers: echochat's chat-mode argv and
// status bar, loopback ports, and real peer programs (ncat, socat, openssl, Python) as children.
#pragma once

#include "e2e/e2e_util.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace echochat::e2e {

// echochat in chat mode, with the slow task out of the way and the user's history file left alone.
inline std::vector<std::string> chat_argv(const std::string& address, std::vector<std::string> more = {}) {
  std::vector<std::string> flags{"--connect", address, "--delay", "3600", "--no-history"};
  flags.insert(flags.end(), more.begin(), more.end());
  return echochat_argv(flags);
}

inline std::string chat_status(const pty_terminal& t) { return t.row_text(t.rows() - 2); }
inline std::string input_row(const pty_terminal& t) { return t.row_text(t.rows() - 1); }

// The chat status bar in full: the mode first, how to quit last, and `part` in between.
inline bool chat_status_says(const pty_terminal& t, std::string_view part) {
  const std::string s = chat_status(t);
  return s.starts_with("echochat · ") && s.ends_with(" · Ctrl-D quits") && s.find(part) != std::string::npos;
}

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick, released).
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  REQUIRE(ok);
  return ntohs(addr.sin_port);
}

// Whether something accepts connections on 127.0.0.1:port now.
inline bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// What a test prints when it skips itself for a missing peer: ctest's SKIP_REGULAR_EXPRESSION
// (tests/CMakeLists.txt) matches it, so the case counts as Skipped, not Passed.
inline constexpr const char* skip_marker = "PEER MISSING, TEST SKIPPED";

// Whether a peer program is there. When not: said, and the test skipped; under CI=true a
// missing peer is a failure (scripts/install-deps test installs them all).
inline bool have_peer(bool present, const std::string& what) {
  if (present) return true;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string{ci} == "true")
    FAIL(what << " is missing, and CI=true: scripts/install-deps test installs it");
  WARN(what << " is missing: " << skip_marker);
  return false;
}

// Waits for `part` on the chat status bar, on the alternate screen.
inline void wait_status(pty_terminal& t, std::string_view part) {
  wait_screen(
      t, [&] { return t.alt_screen() && chat_status_says(t, part); },
      std::string{part} + " on the status bar");
}

// Waits for `text` anywhere on the screen.
inline void wait_text(pty_terminal& t, std::string_view text) {
  wait_screen(
      t, [&] { return screen_has(t, text); }, text);
}

// Ctrl-D on an empty input line: exit 0, the terminal's modes as they were.
inline void quit_chat(pty_terminal& t) {
  t.write("\x04");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
}

inline bool executable(const char* path) { return ::access(path, X_OK) == 0; }

// Python 3 with the websockets package, for the WebSocket peers.
inline bool python_websockets() {
  return executable("/usr/bin/python3") &&
         std::system("/usr/bin/python3 -c 'import websockets' 2>/dev/null") == 0;
}

// Whether `program` is found in PATH.
inline bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string dir{dirs.substr(0, colon)};
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
  }
  return false;
}

// A peer program as a child process (argv[0] looked up in PATH), stdin and stderr on /dev/null,
// stdout on `out`; start() returns once `ready()` holds (a failure deadline), stop() kills it.
// It is started at construction and stopped at destruction.
class peer_process {
 public:
  peer_process(std::vector<std::string> args, std::function<bool()> ready, std::string out = "/dev/null")
      : args_(std::move(args)), ready_(std::move(ready)), out_(std::move(out)) {
    start();
  }
  ~peer_process() { stop(); }
  peer_process(const peer_process&) = delete;
  peer_process& operator=(const peer_process&) = delete;

  void start() {
    REQUIRE(pid_ < 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    std::vector<char*> argv = c_strings(args_);
    const int err = ::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) pid_ = -1;
    REQUIRE(err == 0);
    const auto stop_at = std::chrono::steady_clock::now() + deadline;
    bool up = ready_();
    while (!up && std::chrono::steady_clock::now() < stop_at) {
      int status = 0;
      REQUIRE(::waitpid(pid_, &status, WNOHANG) == 0);  // still running
      ::usleep(5000);  // nothing announces readiness: the probe is tried again
      up = ready_();
    }
    REQUIRE(up);
  }

  void stop() {
    if (pid_ < 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  std::vector<std::string> args_;
  std::function<bool()> ready_;
  std::string out_;
  pid_t pid_ = -1;
};

}  // namespace echochat::e2e
