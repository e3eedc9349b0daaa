// Types keys into a program in an 80x24 pseudo-terminal, one at a time, each after the program
// has answered the last, as a person types: for counting what a key costs under a profiler
// (bench/callgrind-keys runs `valgrind --tool=callgrind` as the program). A run with --keys 0
// does everything else the same way (start, the screenful pasted, the quit), so that the
// difference between two runs is what the keys cost.
#include "pty_driver.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

using namespace echochat::bench;
using namespace std::chrono_literals;

constexpr std::string_view letters = "abcdefghijklmnoprstuvwxyz";  // printable, never 'q'

struct options {
  int keys = 300;
  int enter_every = 40;       // an Enter after every this many keys (0: none); the Enters are keys too
  int fill_lines = 48;        // lines of 63 letters pasted first (two screens: a full transcript)
  int quiet_ms = 50;          // an answer is over after this long without output (slow under valgrind)
  std::string quit = "\x03";  // typed at the end (Ctrl-C quits echochat); then SIGTERM if needed
  std::vector<std::string> argv;
};

[[noreturn]] void usage(const char* argv0, int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: %s [--keys N] [--enter-every N] [--fill-lines N] [--quiet-ms N] [--quit BYTES|none]\n"
               "          -- PROGRAM [ARGS...]\n"
               "Starts PROGRAM in an 80x24 pty, waits for it to take the terminal and settle, pastes\n"
               "--fill-lines lines, then types --keys letters one by one (an Enter after every\n"
               "--enter-every), waiting for each answer to end (--quiet-ms without output), then types\n"
               "--quit (default Ctrl-C; 'none': SIGTERM at once) and waits for the exit, sending\n"
               "SIGTERM after 20 s. Prints the keys typed (Enters included) on stdout.\n",
               argv0);
  std::exit(code);
}

options parse(int argc, char** argv) {
  options o;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-h" || a == "--help") usage(argv[0], 0);
    if (i + 1 >= argc) usage(argv[0], 2);
    const std::string v = argv[++i];
    if (a == "--keys") {
      o.keys = std::max(0, std::atoi(v.c_str()));
    } else if (a == "--enter-every") {
      o.enter_every = std::max(0, std::atoi(v.c_str()));
    } else if (a == "--fill-lines") {
      o.fill_lines = std::max(0, std::atoi(v.c_str()));
    } else if (a == "--quiet-ms") {
      o.quiet_ms = std::max(1, std::atoi(v.c_str()));
    } else if (a == "--quit") {
      o.quit = v == "none" ? "" : v;
    } else {
      usage(argv[0], 2);
    }
  }
  for (; i < argc; ++i) o.argv.emplace_back(argv[i]);
  if (o.argv.empty()) usage(argv[0], 2);
  return o;
}

// Writes all of `bytes`, reading (and dropping) the output meanwhile.
void write_all(pty_process& p, std::string_view bytes) {
  for (std::size_t off = 0; off < bytes.size();) {
    off += p.write_some(bytes.substr(off));
    p.pump(false);
    if (off < bytes.size()) p.wait_io(10, true);
  }
}

// Writes one key and waits for its answer: some output, then quiet_ms without any.
bool type_key(pty_process& p, char key, int quiet_ms) {
  // Not write_all: its reads could take the answer before the poll below waits for it.
  pollfd out{p.master(), POLLOUT, 0};
  while (p.write_some(std::string_view{&key, 1}) == 0) ::poll(&out, 1, 10);
  pollfd fd{p.master(), POLLIN, 0};
  if (::poll(&fd, 1, 20'000) <= 0) return false;
  p.settle(quiet_ms, 20'000, false);
  return true;
}

int run(const options& o) {
  pty_process p(o.argv, 24, 80);
  if (!p.wait_until([&] { return p.raw_mode(); }, 120s, false)) {
    std::fprintf(stderr, "key_typist: '%s' did not take the terminal\n", p.name().c_str());
    return 1;
  }
  p.settle(500, 60'000, false);
  std::string fill;
  for (int line = 0; line < o.fill_lines; ++line) {
    for (int j = 0; j < 63; ++j) fill.push_back(letters[static_cast<std::size_t>(line + j) % letters.size()]);
    fill.push_back('\r');
  }
  write_all(p, fill);
  p.settle(500, 60'000, false);
  int typed = 0, lost = 0;
  for (int k = 0; k < o.keys; ++k) {
    lost += type_key(p, letters[static_cast<std::size_t>(k) % letters.size()], o.quiet_ms) ? 0 : 1;
    ++typed;
    if (o.enter_every > 0 && k % o.enter_every == o.enter_every - 1) {
      lost += type_key(p, '\r', o.quiet_ms) ? 0 : 1;
      ++typed;
    }
  }
  p.settle(200, 10'000, false);
  write_all(p, o.quit);
  if (o.quit.empty() || !p.wait_until([&] { return p.exited(); }, 20s, false)) {
    ::syscall(SYS_pidfd_send_signal, p.pidfd(), SIGTERM, nullptr, 0);
    if (!p.wait_until([&] { return p.exited(); }, 60s, false)) {
      std::fprintf(stderr, "key_typist: '%s' did not exit\n", p.name().c_str());
      return 1;
    }
  }
  std::printf("%d\n", typed);
  if (lost > 0) {
    std::fprintf(stderr, "key_typist: %d keys got no answer within 20 s\n", lost);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "key_typist: %s\n", e.what());
    return 1;
  }
}
