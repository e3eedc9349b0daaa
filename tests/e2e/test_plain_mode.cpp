// End-to-end: plain mode. Without a terminal (pipes), with --plain, or on a terminal that
// cannot show a screen, echochat prints one plain line per finished entry and no escapes.
#include "e2e/peer_util.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace echochat::e2e;

namespace {

struct piped_run {
  bool exited = false;  // false: still running at the deadline, then killed
  int status = -1;      // the exit code, or 128 + signal
  std::string out;
  std::string err;
};

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

struct fd_closer {
  int fd = -1;
  ~fd_closer() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Runs echochat with `flags` and stdin, stdout and stderr on pipes: writes `input` to stdin,
// closes stdin afterwards if `close_stdin` (the end of input; otherwise it stays open until
// echochat exits) and collects stdout and stderr until echochat has exited. Kills it if it is
// still running at the deadline.
piped_run run_piped_argv(std::vector<std::string> args, std::string_view input, bool close_stdin) {
  std::vector<char*> argv = c_strings(args);
  std::vector<std::string> env_strings = utf8_environment();
  std::vector<char*> envp = c_strings(env_strings);

  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) < 0) throw_errno("pipe2");
  fd_closer in_r{in[0]}, in_w{in[1]};
  if (::pipe2(out, O_CLOEXEC) < 0) throw_errno("pipe2");
  fd_closer out_r{out[0]}, out_w{out[1]};
  if (::pipe2(err, O_CLOEXEC) < 0) throw_errno("pipe2");
  fd_closer err_r{err[0]}, err_w{err[1]};

  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0) ::_exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw_errno("pidfd_open");
  }
  fd_closer pid_closer{pidfd};
  ::fcntl(in_w.fd, F_SETFL, ::fcntl(in_w.fd, F_GETFL) | O_NONBLOCK);

  // A write to a pipe whose reader is gone must not kill the test runner.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGPIPE, &ignore, &old);

  piped_run result;
  std::size_t written = 0;
  if (input.empty() && close_stdin) in_w.reset();
  bool reaped = false;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!(reaped && out_r.fd < 0 && err_r.fd < 0)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fds[4] = {{out_r.fd, POLLIN, 0},
                     {err_r.fd, POLLIN, 0},
                     {reaped ? -1 : pidfd, POLLIN, 0},
                     {in_w.fd, POLLOUT, 0}};
    if (written == input.size()) fds[3].fd = -1;
    if (::poll(fds, 4, static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        (i == 0 ? out_r : err_r).reset();
      }
    }
    if (fds[3].revents != 0) {
      const ssize_t n = ::write(in_w.fd, input.data() + written, input.size() - written);
      if (n > 0) {
        written += static_cast<std::size_t>(n);
        if (written == input.size() && close_stdin) in_w.reset();
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        in_w.reset();
        written = input.size();
      }
    }
    if (fds[2].revents != 0) {
      int ws = 0;
      if (::waitpid(pid, &ws, 0) == pid) {
        reaped = true;
        result.exited = true;
        result.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        in_w.reset();
      }
    }
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  if (!reaped) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  return result;
}

piped_run run_piped(const std::vector<std::string>& flags, std::string_view input, bool close_stdin) {
  return run_piped_argv(echochat_argv(flags), input, close_stdin);
}

void check_piped(const piped_run& r, std::string_view out) {
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == out);
  CHECK(r.err.empty());
}

}  // namespace

TEST_CASE("on pipes, a typed line and the slow message come out as plain lines, and it exits 0",
          "[e2e][plain]") {
  // Which comes first depends on when the input is read: both orders are right.
  const piped_run r = run_piped({"--delay", "0.5"}, "hi\n", true);
  const std::string a = "you hi\nslow something slow is done\n";
  const std::string b = "slow something slow is done\nyou hi\n";
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK((r.out == a || r.out == b));
  CHECK(r.err.empty());
}

TEST_CASE("on pipes, q quits at once with the slow task far away and prints the unfinished entry",
          "[e2e][plain]") {
  // stdin stays open: q alone must end the program.
  check_piped(run_piped({"--delay", "100000"}, "abq", false), "you ab\n");
}

TEST_CASE("on pipes, an unfinished entry at the end of input is printed as the program ends",
          "[e2e][plain]") {
  check_piped(run_piped({"--delay", "0"}, "ab", true), "slow something slow is done\nyou ab\n");
}

TEST_CASE("on pipes, end of input with nothing typed prints just the slow message", "[e2e][plain]") {
  check_piped(run_piped({"--delay", "0"}, "", true), "slow something slow is done\n");
}

TEST_CASE("with --plain and input from a pipe it prints plain lines", "[e2e][plain]") {
  const piped_run r = run_piped({"--plain", "--delay", "0"}, "hello wörld\nsecond\n", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  // The slow message may come before, between or after the typed lines.
  std::string typed = r.out;
  const std::string slow = "slow something slow is done\n";
  const auto at = typed.find(slow);
  REQUIRE(at != std::string::npos);
  typed.erase(at, slow.size());
  CHECK(typed == "you hello wörld\nyou second\n");
}

TEST_CASE("on pipes, named keys show by name and no escape byte reaches the output", "[e2e][plain]") {
  const piped_run r = run_piped({"--delay", "100000"}, "\x1b[Aa\x1bOB\x01\x1b[15~\t\nq", false);
  check_piped(r, "you <Up>a<Down><C-a><F5><Tab>\n");
  CHECK(r.out.find('\x1b') == std::string::npos);
}

TEST_CASE("with TERM=dumb it falls back to plain lines, says why, and each key still shows at once",
          "[e2e][plain][term]") {
  pty_terminal t(echochat_argv({"--delay", "100000"}), 24, 80, {{"TERM", "dumb"}});
  wait_screen(
      t, [&] { return t.row_text(0) == "sys plain mode: TERM=dumb cannot show a screen"; },
      "a sys line naming the terminal type");
  // Canonical mode and echo are off (termios, no terminfo): each key comes at once, shown once.
  wait_screen(
      t, [&] { return (t.slave_modes().c_lflag & (ICANON | ECHO)) == 0; }, "the terminal's modes set");
  t.write("hi");
  wait_screen(
      t, [&] { return t.row_text(1) == "you hi"; }, "'you hi' as it is typed, without Enter");
  t.write("x\x7f!\r");  // Backspace rubs out the x
  wait_screen(
      t, [&] { return t.row_text(1) == "you hi!" && t.cursor().row == 2; }, "'you hi!' finished");
  t.write("ab");
  wait_screen(
      t, [&] { return t.row_text(2) == "you ab"; }, "'you ab' as it is typed");
  t.write("q");  // at once, no Enter
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  CHECK(t.raw_output().find('\x1b') == std::string::npos);
  INFO(t.screen_text());
  CHECK(t.row_text(2) == "you ab");
  CHECK(t.row_text(3).empty());
}

TEST_CASE("with TERM=dumb the terminal's modes come back on a signal too", "[e2e][plain][term]") {
  const int sig = GENERATE(SIGTERM, SIGUSR1);
  CAPTURE(sig);
  pty_terminal t(echochat_argv({"--delay", "100000"}), 24, 80, {{"TERM", "dumb"}});
  wait_screen(
      t, [&] { return (t.slave_modes().c_lflag & (ICANON | ECHO)) == 0; }, "the terminal's modes set");
  t.send_signal(sig);
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 128 + sig);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
}

TEST_CASE("with --plain on a terminal it prints plain lines and leaves the terminal's modes alone",
          "[e2e][plain]") {
  pty_terminal t(echochat_argv({"--plain", "--delay", "100000"}));
  t.write("hi\r");
  wait_screen(
      t, [&] { return t.row_text(0) == "hi" && t.row_text(1) == "you hi"; }, "the typed line, then 'you hi'");
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  t.write("ab\x1b[Aq\r");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 0);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK_FALSE(t.alt_screen());
  INFO(t.screen_text());
  CHECK(t.row_text(3) == "you ab<Up>");
}

TEST_CASE("a log that fails is a sys line, stderr counts the entries not logged, and the status is 1",
          "[e2e][plain][log]") {
  const piped_run r = run_piped({"--delay", "0", "--log", "/dev/full"}, "hi\n", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(
      r.out.find(
          "sys log failed: cannot write to '/dev/full': No space left on device; nothing more is logged\n") !=
      std::string::npos);
  CHECK(r.out.find("you hi\n") != std::string::npos);
  CHECK(r.err == "echochat: 2 entries were not logged to '/dev/full': No space left on device\n");
}

TEST_CASE("a log over the file size limit is not a death by SIGXFSZ: whole lines stay, and the status is 1",
          "[e2e][plain][log]") {
  echochat::testing::temp_dir dir("echochat-log");
  const std::string log = (dir.path / "chat.log").string();
  // One 512-byte block: the slow message and a few lines fit, the rest does not.
  std::string input;
  for (int i = 0; i < 40; ++i) input += "a line of some length, number " + std::to_string(i) + "\n";
  const piped_run r = run_piped_argv(
      {"/bin/sh", "-c", "ulimit -f 1 && exec \"$0\" --delay 0 --log \"$1\"", ECHOCHAT_BINARY, log}, input,
      true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.out.find("sys log failed: cannot write to '" + log + "': File too large") != std::string::npos);
  CHECK(r.err.find(" not logged to '" + log + "': File too large\n") != std::string::npos);
  const auto lines = echochat::testing::read_lines(log);
  REQUIRE_FALSE(lines.empty());
  for (const std::string& l : lines) {
    CAPTURE(l);
    CHECK((l.ends_with(" slow something slow is done") ||
           l.find(" you a line of some length, number ") != std::string::npos));
  }
  CHECK(std::filesystem::file_size(log) <= 1024);
}

TEST_CASE("a log naming a FIFO nobody reads is an error at once, before the terminal is touched",
          "[e2e][log]") {
  echochat::testing::temp_dir dir("echochat-log");
  const std::string fifo = (dir.path / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  pty_terminal t(echochat_argv({"--log", fifo}), 24, 200);
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 1);
  CHECK(same_modes(t.initial_modes(), t.slave_modes()));
  CHECK(t.raw_output().find('\x1b') == std::string::npos);
  CHECK(t.row_text(0) == "echochat: --log: '" + fifo + "' is a FIFO that nobody reads");
}

TEST_CASE("on a terminal, a log that fails shows in the status bar and the exit status is 1", "[e2e][log]") {
  pty_terminal t(echochat_argv({"--delay", "100000", "--log", "/dev/full"}), 24, 120);
  wait_ready(t);
  t.write("hello\r");
  wait_screen(
      t, [&] { return status_says(t, " · log failed · "); }, "'log failed' in the status bar");
  CHECK(find_entry(t, "sys",
                   "log failed: cannot write to '/dev/full': No space left on device; nothing more is "
                   "logged") >= 0);
  t.write("q");
  REQUIRE(t.wait_exit(deadline));
  CHECK(t.exit_status() == 1);
  check_restored(t);
  CHECK(screen_has(t, "echochat: 1 entry was not logged to '/dev/full': No space left on device"));
}

TEST_CASE("a closed stdout is a clear error with status 1, and nothing lands in the log",
          "[e2e][plain][fds]") {
  echochat::testing::temp_dir dir("echochat-log");
  const std::string log = (dir.path / "chat.log").string();
  // Without the fix, the log took fd 1 and the plain lines went into it.
  const piped_run r = run_piped_argv(
      {"/bin/sh", "-c", "exec \"$0\" --plain --delay 0 --log \"$1\" >&-", ECHOCHAT_BINARY, log}, "hi\n",
      true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.err == "echochat: standard output is closed: there is nowhere to show anything\n");
  for (const std::string& l : echochat::testing::read_lines(log)) {
    CAPTURE(l);
    CHECK_FALSE(l.starts_with("you "));
    CHECK_FALSE(l.starts_with("slow "));
  }
}

TEST_CASE("a closed stdin reads as an empty input", "[e2e][plain][fds]") {
  const piped_run r =
      run_piped_argv({"/bin/sh", "-c", "exec \"$0\" --delay 0 <&-", ECHOCHAT_BINARY}, "", true);
  check_piped(r, "slow something slow is done\n");
}

TEST_CASE("a log path with control characters is shown escaped on stderr", "[e2e][plain][hostile]") {
  const piped_run r = run_piped({"--log", "/nonexistent/\x1b[2J\x1b]0;X\x07"}, "", true);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.err == "echochat: --log: cannot open '/nonexistent/^[[2J^[]0;X^G': No such file or directory\n");
}

TEST_CASE("a --connect value with control characters is refused with status 2, shown escaped",
          "[e2e][plain][hostile]") {
  const piped_run r = run_piped({"--plain", "--connect", "h\x1b]0;X\x07:80"}, "", true);
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find("'h^[]0;X^G:80'") != std::string::npos);
}

namespace {

// Runs echochat piped into chat mode against the test server, which closes the connection once
// echochat has closed its sending side (so that the run can end).
piped_run run_piped_chat(echochat::testing::test_server& server, std::string_view input) {
  std::thread closer([&] {
    if (server.wait_for([&] { return server.ended() == 1; }, deadline)) server.close_clients();
  });
  piped_run r = run_piped({"--connect", server.address(), "--delay", "0"}, input, true);
  closer.join();
  return r;
}

}  // namespace

TEST_CASE("piped into chat mode, every line is sent, the last one without its newline too",
          "[e2e][plain][chat]") {
  echochat::testing::test_server server;
  const piped_run r = run_piped_chat(server, "first\nlast-without-newline");
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(server.lines() == std::vector<std::string>{"first", "last-without-newline"});
  CHECK(r.out.find("you first\n") != std::string::npos);
  CHECK(r.out.find("you last-without-newline\n") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("piped into chat mode no key quits: q, Ctrl-D and /quit are data, sent like any line",
          "[e2e][plain][chat]") {
  echochat::testing::test_server server;
  const piped_run r = run_piped_chat(server, "hello\nquestion time\nq\n/quit\nafter\n");
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(server.lines() == std::vector<std::string>{"hello", "question time", "q", "/quit", "after"});
  CHECK(r.err.empty());
}

TEST_CASE("piped into chat mode with the server down, the lines are not sent: exit 1 and it says so",
          "[e2e][plain][chat]") {
  echochat::testing::test_server server;
  server.stop_listening();
  const piped_run r = run_piped({"--connect", server.address(), "--delay", "0"}, "lost\n", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.out.find("sys 1 line was not sent: the connection is closed\n") != std::string::npos);
}

namespace {

// `ncat -l -k -e /bin/cat` or `socat TCP-LISTEN:…,fork EXEC:cat` on a free port: a real echo
// server, as a child process. Empty argv: the program is not installed (the test says so).
class echo_server_process {
 public:
  echo_server_process(const std::string& program, std::uint16_t port) : port_(port) {
    const std::string p = std::to_string(port);
    std::vector<std::string> args;
    if (program == "ncat") args = {"ncat", "-l", "-k", "-e", "/bin/cat", "127.0.0.1", p};
    if (program == "socat")
      args = {"socat", "TCP-LISTEN:" + p + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat"};
    // Every line twice: sed prints the line (p), then prints it again at the end of the cycle.
    if (program == "socat-twice") {
      args = {"socat", "TCP-LISTEN:" + p + ",bind=127.0.0.1,reuseaddr,fork", "SYSTEM:sed -u p"};
    }
    process_.emplace(std::move(args), [port] { return accepts(port); });
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_;
  std::optional<peer_process> process_;
};

// Lines of `text` that start with `prefix`.
std::size_t lines_starting(const std::string& text, std::string_view prefix) {
  std::size_t n = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string_view line{text.data() + at, (end == std::string::npos ? text.size() : end) - at};
    if (line.starts_with(prefix)) ++n;
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return n;
}

}  // namespace

TEST_CASE("echo mode with --count 10 --plain against real echo servers: 10 result lines, the summary, exit 0",
          "[e2e][plain][echo]") {
  const std::string program = GENERATE(as<std::string>{}, "ncat", "socat");
  if (!have_peer(on_path(program), program)) return;
  echo_server_process server(program, free_port());  // up once it accepts
  const piped_run r = run_piped(
      {"--connect", server.address(), "--echo", "--count", "10", "--interval", "0.02", "--delay", "3600"}, "",
      true);
  INFO(program << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(lines_starting(r.out, "line from " + server.address() + ": seq=") == 10);
  CHECK(r.out.find("--- " + server.address() +
                   " echo statistics ---\n10 lines sent, 10 echoed, 0 differed, 0% lost, time ") !=
        std::string::npos);
  CHECK(lines_starting(r.out, "rtt min/avg/max/mdev = ") == 1);
  CHECK(r.err.empty());
}

TEST_CASE(
    "echo mode against a server that sends every line twice, lines in flight: each echoed once, duplicates "
    "counted",
    "[e2e][plain][echo][duplicate]") {
  if (!have_peer(on_path("socat"), "socat")) return;
  echo_server_process server("socat-twice", free_port());
  const piped_run r = run_piped(
      {"--connect", server.address(), "--echo", "--count", "40", "--interval", "0.001", "--delay", "3600"},
      "", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(lines_starting(r.out, "line from " + server.address() + ": seq=") >=
        79);  // 40 echoes and their copies
  CHECK(r.out.find("differs") == std::string::npos);
  // The copy of the last line may come after the program ended, as ping stops at its last reply.
  const std::regex summary("\n40 lines sent, 40 echoed, \\+(39|40) duplicates, 0 differed, 0% lost, time ");
  CHECK(std::regex_search(r.out, summary));
}

TEST_CASE("echo mode against a server that drops every third line: those are lost, exit 1, counted right",
          "[e2e][plain][echo]") {
  echochat::testing::test_server server;
  std::size_t seen = 0;  // the server thread's only
  server.answer_with([&seen](const std::string& line) -> std::optional<std::string> {
    return ++seen % 3 == 0 ? std::nullopt : std::optional<std::string>{line};
  });
  const piped_run r = run_piped({"--connect", server.address(), "--echo", "--count", "6", "--interval",
                                 "0.01", "--echo-timeout", "0.5", "--delay", "3600"},
                                "", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(lines_starting(r.out, "line from ") == 4);
  CHECK(lines_starting(r.out, "no echo for seq=3 (the next line's echo came first)") == 1);
  CHECK(lines_starting(r.out, "no echo for seq=6 (timeout 0.5 s)") == 1);  // the last: nothing came after it
  CHECK(r.out.find("6 lines sent, 4 echoed, 0 differed, 33.3333% lost, time ") != std::string::npos);
}

// --- the end of piped input: no reply lost ------------------------------------------------------

namespace {

// A Python peer from tests/e2e/peers serving `kind` on a free port (a socket path for unix).
// late_echo.py answers each line `delay` seconds after the one before ("never": not at all);
// crlf_strict.py (no delay) refuses a line that does not end in CR LF.
struct late_server {
  late_server(const std::string& kind, const std::string& delay, const std::string& peer = "late_echo.py")
      : kind_(kind) {
    echochat::testing::make_test_certs().write_to(dir_.path);
    const std::string script = std::string{ECHOCHAT_SOURCE_DIR} + "/tests/e2e/peers/" + peer;
    const std::string where = kind == "unix" ? (dir_.path / "late.sock").string() : std::to_string(port_);
    std::vector<std::string> argv{"/usr/bin/python3", script, kind, where};
    if (!delay.empty()) argv.push_back(delay);
    argv.insert(argv.end(), {(dir_.path / "cert.pem").string(), (dir_.path / "key.pem").string()});
    process_.emplace(std::move(argv), [this, where] {
      return kind_ == "unix" ? std::filesystem::exists(where) : accepts(port_);
    });
  }
  std::vector<std::string> flags() const {
    const std::string port = std::to_string(port_);
    std::string address = "127.0.0.1:" + port;
    if (kind_ == "tls") address = "tls://localhost:" + port;
    if (kind_ == "ws") address = "ws://127.0.0.1:" + port + "/";
    if (kind_ == "wss") address = "wss://localhost:" + port + "/";
    if (kind_ == "unix") address = "unix:" + (dir_.path / "late.sock").string();
    std::vector<std::string> f{"--connect", address, "--delay", "0"};
    if (kind_ == "tls" || kind_ == "wss") f.insert(f.end(), {"--ca", (dir_.path / "ca.pem").string()});
    return f;
  }

 private:
  std::string kind_;
  echochat::testing::temp_dir dir_{"echochat-late"};
  std::uint16_t port_ = free_port();
  std::optional<peer_process> process_;
};

}  // namespace

TEST_CASE("piped into chat mode, replies that come 500 ms late all arrive before it ends, on every transport",
          "[e2e][plain][chat][linger][peer]") {
  // TCP and Unix: a half-close, read on; WebSocket, which cannot half-close, and TLS, whose
  // close_notify many servers (this asyncio one too) take as the end: read on until 2 s pass
  // without a word, then the close frame or close_notify (websocat's issue 4: a close frame
  // sent at the end of input let the server drop its replies).
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  const std::string kind = GENERATE(as<std::string>{}, "tcp", "tls", "unix", "ws", "wss");
  const late_server server(kind, "0.5");
  for (int run = 0; run < 3; ++run) {
    const piped_run r = run_piped(server.flags(), "a\nb\n", true);
    INFO(kind << " run " << run << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out.find("net a\n") != std::string::npos);
    CHECK(r.out.find("net b\n") != std::string::npos);
    CHECK(r.out.find(" lost: ") == std::string::npos);
  }
}

TEST_CASE("piped into chat mode, a reply that never comes is exit 1, and a sys line says so",
          "[e2e][plain][chat][linger][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  // WebSocket and TLS by default; over TCP the server is waited for until it closes, unless --linger.
  const std::string kind = GENERATE(as<std::string>{}, "ws", "tls", "tcp");
  const late_server server(kind, "never");
  std::vector<std::string> flags = server.flags();
  if (kind == "tcp") flags.insert(flags.end(), {"--linger", "0.5"});
  const piped_run r = run_piped(flags, "anyone there?\n", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.out.find("sys no reply from ") != std::string::npos);
  CHECK(r.out.find(" to the last line within " + std::string{kind == "tcp" ? "0.5 s" : "2 s"}) !=
        std::string::npos);
}

TEST_CASE("with --crlf each line goes out ending in CR LF, which a server with SMTP's rule accepts",
          "[e2e][plain][chat][crlf][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  const std::string kind = GENERATE(as<std::string>{}, "tcp", "tls", "unix");
  const late_server server(kind, "", "crlf_strict.py");
  std::vector<std::string> flags = server.flags();
  flags.push_back("--crlf");
  const piped_run r = run_piped(flags, "HELO there\nMAIL FROM:<a@b>\n", true);
  INFO(kind << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  // The server's own CR LF is one line end: no stray CR is shown.
  CHECK(r.out.find("net 250 ok HELO there\n") != std::string::npos);
  CHECK(r.out.find("net 250 ok MAIL FROM:<a@b>\n") != std::string::npos);
  CHECK(r.out.find("500") == std::string::npos);
}

TEST_CASE("without --crlf a line ends in a bare LF, which a server with SMTP's rule refuses",
          "[e2e][plain][chat][crlf][peer]") {
  if (!have_peer(python_websockets(), "python3 with websockets (python3-websockets)")) return;
  const late_server server("tcp", "", "crlf_strict.py");
  const piped_run r = run_piped(server.flags(), "HELO there\n", true);
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.exited);
  CHECK(r.out.find("net 500 line must end in CR LF\n") != std::string::npos);
  CHECK(r.out.find("250") == std::string::npos);
}
