// The pty benchmark: echochat against `stty raw -echo; exec cat` (and the Python peer); a flood against ncat.
#include "bench_stats.hpp"
#include "flood.hpp"
#include "pty_driver.hpp"

#include "echochat/core/utf8.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <poll.h>
#include <unistd.h>

#ifndef ECHOCHAT_BENCH_BINARY
#define ECHOCHAT_BENCH_BINARY "echochat"
#endif
#ifndef ECHOCHAT_KEY_FLOOR_BINARY
#define ECHOCHAT_KEY_FLOOR_BINARY "echochat_key_floor"
#endif
#ifndef ECHOCHAT_WS_READER_BINARY
#define ECHOCHAT_WS_READER_BINARY "echochat_ws_reader"
#endif

namespace {

using namespace echochat::bench;
using namespace std::chrono_literals;
using std::chrono::duration;

constexpr int rows = 24;
constexpr int cols = 80;
constexpr std::string_view letters = "abcdefghijklmnoprstuvwxyz";   // printable, and never 'q'
constexpr std::string_view capitals = "ABCDEFGHIJKLMNOPRSTUVWXYZ";  // the markers' own alphabet
constexpr std::string_view far_delay = "100000";                    // the slow task far away

struct options {
  std::string echochat = ECHOCHAT_BENCH_BINARY;
  std::string peer;
  int rounds = 9;          // paste rounds (a fresh echochat and cat each)
  int latency_keys = 300;  // keys per program in the latency rounds
  int peer_rounds = 1;     // paste-then-q rounds with the peer (about 40 s each)
  double idle_seconds = 3.0;
  std::size_t paste_keys = 20'000;
  std::size_t flood_lines = 1'000'000;  // lines a loopback server floods to echochat and to ncat
  int flood_rounds = 3;                 // 0 skips the flood
  bool flood_only = false;              // the flood alone (to measure another echochat's)
  // The floods' transports, in this order: tcp (against ncat), tls (against openssl s_client
  // behind socat OPENSSL-LISTEN), ws and wss (against echochat_ws_reader, and npm's wscat when it
  // is installed), ws-deflate (echochat with permessage-deflate against echochat without).
  std::vector<std::string> flood_transports{"tcp", "tls", "ws", "wss", "ws-deflate"};
  std::string ws_reader = ECHOCHAT_WS_READER_BINARY;
  std::string key_floor = ECHOCHAT_KEY_FLOOR_BINARY;
  int floor_keys = 300;     // keys per program per block in the floor section (0 skips it)
  int floor_blocks = 4;     // blocks of floor_keys per program typed at alone
  bool floor_only = false;  // the floor section alone
};

constexpr int alone_blocks = 4;  // latency blocks per program, each program typed at alone
constexpr int flood_rows = 30;
constexpr int flood_cols = 100;

[[noreturn]] void usage(const char* argv0, int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: %s [--echochat PATH] [--peer PATH] [--rounds N] [--latency-keys N]\n"
               "          [--peer-rounds N] [--idle-seconds S] [--paste-keys N]\n"
               "          [--flood-lines N] [--flood-rounds N] [--flood-only]\n"
               "          [--flood-transports LIST] [--ws-reader PATH]\n"
               "          [--key-floor PATH] [--floor-keys N] [--floor-blocks N] [--floor-only]\n"
               "Drives echochat, `sh -c 'stty raw -echo; exec cat'` (the physical limit) and, with\n"
               "--peer, the original Python program in %dx%d pseudo-terminals and prints one table.\n"
               "Then a loopback server floods --flood-lines lines to `echochat --connect` and to a\n"
               "reference client, each in a %dx%d pseudo-terminal, in alternating rounds: a table per\n"
               "transport in --flood-transports (comma-separated, default tcp,tls,ws,wss,ws-deflate):\n"
               "  tcp  the server itself; reference `ncat`\n"
               "  tls  socat OPENSSL-LISTEN in front of it, a self-signed certificate made with openssl\n"
               "       (echochat gets it as --ca); reference `openssl s_client -quiet` (-CAfile, the same)\n"
               "  ws   the server answers the WebSocket upgrade, then sends one text message a line;\n"
               "       reference echochat_ws_reader (--ws-reader), a minimal reader that writes each\n"
               "       read's messages in one write(), as ncat writes each read; and npm's wscat, the\n"
               "       client a user would otherwise pick, when it is on the PATH (scripts/bench\n"
               "       installs it)\n"
               "  wss  ws behind the same socat OPENSSL-LISTEN; reference echochat_ws_reader --tls\n"
               "  ws-deflate  ws, the lines chat messages in JSON; echochat with permessage-deflate\n"
               "       agreed (the flood compressed) against echochat --no-compress (the flood plain)\n"
               "The key path's floor (--floor-keys keys a block, 0 skips it): echochat, --key-floor (a\n"
               "worker thread reading fd 0, a concurrent_channel, a coroutine writing the bytes back)\n"
               "and cat typed at key by key in turn, then alone in --floor-blocks blocks each.\n",
               argv0, rows, cols, flood_rows, flood_cols);
  std::exit(code);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") usage(argv[0], 0);
    if (a == "--flood-only") {
      o.flood_only = true;
      continue;
    }
    if (a == "--floor-only") {
      o.floor_only = true;
      continue;
    }
    if (i + 1 >= argc) usage(argv[0], 2);
    const std::string v = argv[++i];
    try {
      if (a == "--echochat") {
        o.echochat = v;
      } else if (a == "--peer") {
        o.peer = v;
      } else if (a == "--rounds") {
        o.rounds = std::max(1, std::stoi(v));
      } else if (a == "--latency-keys") {
        o.latency_keys = std::max(1, std::stoi(v));
      } else if (a == "--peer-rounds") {
        o.peer_rounds = std::max(1, std::stoi(v));
      } else if (a == "--idle-seconds") {
        o.idle_seconds = std::max(0.1, std::stod(v));
      } else if (a == "--paste-keys") {
        o.paste_keys = static_cast<std::size_t>(std::max(2, std::stoi(v)));
      } else if (a == "--flood-lines") {
        o.flood_lines = static_cast<std::size_t>(std::clamp(std::stoi(v), 1, 9'999'999));  // 7 digits
      } else if (a == "--flood-rounds") {
        o.flood_rounds = std::max(0, std::stoi(v));
      } else if (a == "--flood-transports") {
        o.flood_transports.clear();
        for (std::size_t at = 0; at <= v.size();) {
          const std::size_t comma = std::min(v.find(',', at), v.size());
          const std::string t = v.substr(at, comma - at);
          if (t != "tcp" && t != "tls" && t != "ws" && t != "wss" && t != "ws-deflate") {
            std::fprintf(stderr, "%s: --flood-transports takes tcp, tls, ws, wss, ws-deflate: not %s\n",
                         argv[0], t.c_str());
            std::exit(2);
          }
          o.flood_transports.push_back(t);
          at = comma + 1;
        }
      } else if (a == "--ws-reader") {
        o.ws_reader = v;
      } else if (a == "--key-floor") {
        o.key_floor = v;
      } else if (a == "--floor-keys") {
        o.floor_keys = std::max(0, std::stoi(v));
      } else if (a == "--floor-blocks") {
        o.floor_blocks = std::max(1, std::stoi(v));
      } else {
        usage(argv[0], 2);
      }
    } catch (const std::logic_error&) {
      std::fprintf(stderr, "%s: bad value for %s: %s\n", argv[0], std::string{a}.c_str(), v.c_str());
      std::exit(2);
    }
  }
  return o;
}

// Keys per block in the "alone" latency rounds: about as many keys in all as the interleaved rounds.
int alone_keys(const options& o) { return std::max(1, (o.latency_keys + alone_blocks - 1) / alone_blocks); }

double ms_since(bench_clock::time_point t0, bench_clock::time_point t1) {
  return duration<double, std::milli>(t1 - t0).count();
}

// --- the programs -------------------------------------------------------------------------------

enum class program { echochat, cat, peer, floor };

std::vector<std::string> argv_for(program p, const options& o) {
  switch (p) {
    case program::echochat: return {o.echochat, "--delay", std::string{far_delay}};
    case program::cat: return {"sh", "-c", "stty raw -echo; exec cat"};
    case program::peer: return {o.peer, std::string{far_delay}};
    case program::floor: return {o.key_floor};
  }
  return {};
}

bool status_bar_visible(const pty_process& p) {
  return p.row_text(rows - 1).find("echochat") != std::string::npos;
}

struct started {
  std::unique_ptr<pty_process> proc;
  double raw_ms = 0;                     // fork to the terminal taken (ICANON and ECHO off)
  std::optional<double> first_byte_ms;   // fork to the first byte of output
  std::optional<double> first_frame_ms;  // fork to the status bar on the screen (echochat)
};

// Starts a program and waits until it has taken the terminal (and, for echochat, drawn its
// first frame); then lets it settle so the measurement that follows sees a program at rest.
started start(program which, const options& o, bool settle = true) {
  started s;
  s.proc = std::make_unique<pty_process>(argv_for(which, o), rows, cols);
  pty_process& p = *s.proc;
  std::optional<bench_clock::time_point> raw_at, frame_at;
  const bool ok = p.wait_until(
      [&] {
        if (!raw_at) {
          if (!p.raw_mode()) return false;
          raw_at = bench_clock::now();
        }
        if (which != program::echochat) return true;
        if (!status_bar_visible(p)) return false;
        frame_at = bench_clock::now();
        return true;
      },
      20s, true);
  if (!ok) throw std::runtime_error("'" + p.name() + "' did not take the terminal within 20 s");
  s.raw_ms = ms_since(p.forked_at(), *raw_at);
  if (p.first_byte_at()) s.first_byte_ms = ms_since(p.forked_at(), *p.first_byte_at());
  if (frame_at) s.first_frame_ms = ms_since(p.forked_at(), *frame_at);
  if (settle) p.settle(100, 1000, true);
  return s;
}

// --- paste ------------------------------------------------------------------------------------

struct paste_text {
  std::string keys;
  std::string last_line;
};

// `keys` keys: lines of 63 letters and Enter ('\r'), the last line (without Enter) a marker in
// capitals found nowhere else (`serial` tells pastes apart), so that seeing it whole on the
// screen means every key is drawn.
paste_text make_paste(std::size_t keys, std::size_t serial) {
  paste_text p;
  p.keys.reserve(keys + 1);
  const std::size_t full = (keys - 1) / 64;
  for (std::size_t line = 0; line < full; ++line) {
    for (std::size_t j = 0; j < 63; ++j) p.keys.push_back(letters[(line + j + serial) % letters.size()]);
    p.keys.push_back('\r');
  }
  std::string marker = "END";
  for (std::size_t v = serial; marker.size() < 8; v /= 25) marker.push_back(capitals[v % capitals.size()]);
  for (std::size_t j = 0; p.keys.size() < keys; ++j) {
    p.last_line.push_back(j < marker.size() ? marker[j] : capitals[j % capitals.size()]);
    p.keys.push_back(p.last_line.back());
  }
  return p;
}

// Writes `bytes` as fast as the pty takes them, reading the output (into the screen if
// `to_screen`), until `done(bytes just read)` holds; it is asked once everything is written.
// Returns the milliseconds from the first write; nothing on timeout or if the child exits first.
std::optional<double> paste(pty_process& p, std::string_view bytes, bool to_screen,
                            const std::function<bool(std::size_t got)>& done,
                            const std::function<void()>& tick = {}, std::chrono::seconds timeout = 60s) {
  const auto t0 = bench_clock::now();
  const auto deadline = t0 + timeout;
  auto next_tick = t0;
  std::size_t off = 0;
  for (;;) {
    if (off < bytes.size()) off += p.write_some(bytes.substr(off));
    const std::size_t got = p.pump(to_screen);
    if (off == bytes.size() && done(got)) return ms_since(t0, bench_clock::now());
    const auto now = bench_clock::now();
    if (now > deadline) return std::nullopt;
    if (p.exited()) {  // a child that exits is done only if that is what was awaited
      if (off == bytes.size() && done(0)) return ms_since(t0, now);
      return std::nullopt;
    }
    if (tick && now >= next_tick) {
      tick();
      next_tick = now + 20ms;
    }
    p.wait_io(10, off < bytes.size());
  }
}

// --- latency ----------------------------------------------------------------------------------

// Writes one key and times what comes back: until the first byte, and until the last byte of the
// frame (the last read before 2 ms of quiet), in microseconds (nothing on a 2 s timeout). No
// screen in the hot path: write(), poll(), read() and the clock around them. A program that sends
// its frame in pieces shows its first byte sooner than its frame; the terminal shows the frame.
struct key_timing {
  double first_us = 0;
  double frame_us = 0;
};
std::optional<key_timing> key_latency(pty_process& p, char key) {
  p.pump(false);
  pollfd fd{p.master(), POLLIN, 0};
  const auto t0 = bench_clock::now();
  if (::write(p.master(), &key, 1) != 1) return std::nullopt;
  if (::poll(&fd, 1, 2000) <= 0) return std::nullopt;
  const auto t1 = bench_clock::now();
  auto last = t1;
  for (;;) {
    if (p.pump(false) > 0) last = bench_clock::now();
    if (::poll(&fd, 1, 2) <= 0) break;
  }
  return key_timing{duration<double, std::micro>(t1 - t0).count(),
                    duration<double, std::micro>(last - t0).count()};
}

// --- the table --------------------------------------------------------------------------------

struct cell {
  std::optional<double> value;
  int decimals = 0;
};

std::string fmt(const cell& c) {
  if (!c.value || std::isnan(*c.value)) return "—";
  char buf[64];
  const double v = *c.value;
  if (c.decimals == 0 && std::fabs(v) >= 10'000) {
    // Thousands separators for big counts: 1,234,567.
    std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
    std::string out;
    const std::size_t lead = digits.size() % 3;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i != 0 && (i + 3 - lead) % 3 == 0) out.push_back(',');
      out.push_back(digits[i]);
    }
    return out;
  }
  std::snprintf(buf, sizeof buf, "%.*f", c.decimals, v);
  return buf;
}

std::optional<double> ratio(const cell& a, const cell& b) {
  if (!a.value || !b.value || std::isnan(*a.value) || std::isnan(*b.value) || *b.value == 0.0)
    return std::nullopt;
  return *a.value / *b.value;
}

struct row {
  std::string figure;
  cell echochat, cat, peer;
};

// `other`: the second column's program ("cat (limit)", "ncat"), and "cat" in the ratio's heading.
// `third`: the third program's column ("peer (Python)"), and `third_short` its name in its ratio.
void print_table(const std::vector<row>& table, bool with_peer, const std::string& other = "cat (limit)",
                 const std::string& other_short = "cat", const std::string& third = "peer (Python)",
                 const std::string& third_short = "peer") {
  std::vector<std::vector<std::string>> lines;
  lines.push_back({"figure", "echochat", other, "echochat ÷ " + other_short});
  if (with_peer) {
    lines.back().push_back(third);
    lines.back().push_back("echochat ÷ " + third_short);
  }
  for (const row& r : table) {
    std::vector<std::string> l{r.figure, fmt(r.echochat), fmt(r.cat), fmt(cell{ratio(r.echochat, r.cat), 2})};
    if (with_peer) {
      l.push_back(fmt(r.peer));
      l.push_back(fmt(cell{ratio(r.echochat, r.peer), 2}));
    }
    lines.push_back(std::move(l));
  }
  // Column widths in displayed characters (UTF-8 continuation bytes take no room).
  auto width = [](const std::string& s) {
    std::size_t w = 0;
    for (const char ch : s) {
      if (!echochat::is_utf8_continuation(ch)) ++w;
    }
    return w;
  };
  std::vector<std::size_t> w(lines.front().size(), 0);
  for (const auto& l : lines) {
    for (std::size_t i = 0; i < l.size(); ++i) w[i] = std::max(w[i], width(l[i]));
  }
  auto print_line = [&](const std::vector<std::string>& l) {
    std::string out = "|";
    for (std::size_t i = 0; i < l.size(); ++i) {
      const std::size_t pad = w[i] - width(l[i]);
      out.push_back(' ');
      if (i != 0) out.append(pad, ' ');
      out.append(l[i]);
      if (i == 0) out.append(pad, ' ');
      out.append(" |");
    }
    std::puts(out.c_str());
  };
  print_line(lines.front());
  std::string sep = "|";
  for (std::size_t i = 0; i < w.size(); ++i) {
    sep.push_back(' ');
    sep.append(i == 0 ? w[i] : w[i] - 1, '-');
    sep.append(i == 0 ? " |" : ": |");
  }
  std::puts(sep.c_str());
  for (std::size_t i = 1; i < lines.size(); ++i) print_line(lines[i]);
}

cell median_cell(const std::vector<double>& v, int decimals) {
  if (v.empty()) return {std::nullopt, decimals};
  return {median(v), decimals};
}

// Sections 1 to 4: echochat against cat (and the peer), typing, pasting, idle; the first table.
void run_keys(const options& o) {
  const bool with_peer = !o.peer.empty();
  std::printf("echochat: %s --delay %s; limit: sh -c 'stty raw -echo; exec cat'%s%s\n", o.echochat.c_str(),
              std::string{far_delay}.c_str(), with_peer ? "; peer: " : "", with_peer ? o.peer.c_str() : "");
  std::printf(
      "pty %dx%d, TERM=xterm-256color, LANG=C.UTF-8; medians of interleaved rounds; load average %s\n\n",
      rows, cols, load_average().c_str());
  std::fflush(stdout);

  const auto paste_keys = static_cast<double>(o.paste_keys);
  auto progress = [](const char* what) { std::fprintf(stderr, "echochat_bench: %s\n", what); };

  // 1. Paste throughput, peak memory and first frame: a fresh echochat and cat per round, each
  //    pasted into twice (the first paste into a fresh process, then once more after an Enter),
  //    the order alternating round by round; both judged by the same test on the same emulated
  //    screen: the paste's last line whole on it.
  progress("paste rounds");
  std::vector<double> cold_ms[2], warm_ms[2], cold_cpu_ms[2], warm_cpu_ms[2], hwm_kib[2], raw_ms[3],
      first_byte_ms, first_frame_ms;
  int paste_failures = 0;
  std::size_t serial = 0;
  for (int r = 0; r < o.rounds; ++r) {
    started progs[2] = {start(program::echochat, o), start(program::cat, o)};
    raw_ms[0].push_back(progs[0].raw_ms);
    raw_ms[1].push_back(progs[1].raw_ms);
    if (progs[0].first_byte_ms) first_byte_ms.push_back(*progs[0].first_byte_ms);
    if (progs[0].first_frame_ms) first_frame_ms.push_back(*progs[0].first_frame_ms);
    for (const bool cold : {true, false}) {
      auto* samples = cold ? cold_ms : warm_ms;
      auto* cpu_samples = cold ? cold_cpu_ms : warm_cpu_ms;
      const paste_text text = make_paste(o.paste_keys, serial++);
      for (int k = 0; k < 2; ++k) {
        const int i = (r + k) % 2;
        pty_process& p = *progs[i].proc;
        const task_totals cpu_before = read_task_totals(p.pid());
        const auto ms = paste(p, text.keys, true,
                              [&](std::size_t got) { return got > 0 && p.screen_contains(text.last_line); });
        const task_totals cpu_after = read_task_totals(p.pid());
        if (ms) {
          samples[i].push_back(*ms);
          if (cpu_after.cpu_ns > 0)
            cpu_samples[i].push_back(static_cast<double>(cpu_after.cpu_ns - cpu_before.cpu_ns) / 1e6);
        } else {
          ++paste_failures;
        }
        p.write_some("\r");
        p.settle(20, 500, true);
      }
    }
    for (int i = 0; i < 2; ++i)
      hwm_kib[i].push_back(static_cast<double>(read_status_kib(progs[i].proc->pid(), "VmHWM")));
  }

  // 2. Keystroke latency: one long-lived process each, one key at a time, the order rotating
  //    round by round; an Enter (not timed) every 40 keys keeps entries a realistic length.
  progress("latency rounds");
  std::vector<started> live;
  live.push_back(start(program::echochat, o));
  live.push_back(start(program::cat, o));
  if (with_peer) {
    live.push_back(start(program::peer, o));
    raw_ms[2].push_back(live.back().raw_ms);
  }
  // A full screen first (two screens of lines, pasted), so echochat types at the bottom of a
  // full transcript as it would in use, not onto an empty screen. The peer prints a line per
  // key, so its screen fills as it goes.
  for (std::size_t i = 0; i < 2; ++i) {
    pty_process& p = *live[i].proc;
    const paste_text fill = make_paste(static_cast<std::size_t>(2 * rows * 64), serial++);
    if (!paste(p, fill.keys, true,
               [&](std::size_t got) { return got > 0 && p.screen_contains(fill.last_line); })) {
      throw std::runtime_error("'" + p.name() +
                               "' did not show the screenful pasted before the latency rounds");
    }
    p.write_some("\r");
    p.settle(50, 1000, false);
  }
  std::vector<std::vector<double>> latency(live.size());
  std::vector<std::vector<double>> frame_latency(live.size());
  int latency_timeouts = 0;
  std::vector<task_totals> typing_before;
  for (auto& s : live) typing_before.push_back(read_task_totals(s.proc->pid()));
  for (int r = 0; r < o.latency_keys; ++r) {
    const char key = letters[static_cast<std::size_t>(r) % letters.size()];
    for (std::size_t k = 0; k < live.size(); ++k) {
      const std::size_t i = (static_cast<std::size_t>(r) + k) % live.size();
      pty_process& p = *live[i].proc;
      if (const auto t = key_latency(p, key)) {
        latency[i].push_back(t->first_us);
        frame_latency[i].push_back(t->frame_us);
      } else {
        ++latency_timeouts;
      }
    }
    if (r % 40 == 39) {
      for (auto& s : live) {
        s.proc->write_some("\r");
        s.proc->settle(5, 200, false);
      }
    }
  }

  // What typing cost each program: CPU and context switches per key (the Enters included),
  // figures that depend less on how busy the machine is than the latency itself.
  const double typed = static_cast<double>(o.latency_keys + o.latency_keys / 40);
  std::vector<cell> cpu_per_key, switches_per_key;
  for (std::size_t i = 0; i < live.size(); ++i) {
    const task_totals t = read_task_totals(live[i].proc->pid());
    cpu_per_key.push_back(
        t.cpu_ns == 0 ? cell{}
                      : cell{static_cast<double>(t.cpu_ns - typing_before[i].cpu_ns) / 1000.0 / typed, 1});
    switches_per_key.push_back(
        cell{static_cast<double>(t.ctx_switches - typing_before[i].ctx_switches) / typed, 1});
  }

  // 2b. The same keys, each program alone: blocks of keys to one program while the others sleep,
  //     the programs taking turns block by block, the order rotating. Typed at in turn, key by
  //     key, the programs share the machine's state (caches, which CPUs are awake and how fast,
  //     the benchmark's own wake-ups), and that moves the ratio; alone, each meets the machine
  //     as a user typing into it would.
  progress("latency rounds, each program alone");
  std::vector<std::vector<double>> alone(live.size()), alone_medians(live.size());
  for (int b = 0; b < alone_blocks; ++b) {
    for (std::size_t k = 0; k < live.size(); ++k) {
      const std::size_t i = (static_cast<std::size_t>(b) + k) % live.size();
      pty_process& p = *live[i].proc;
      std::vector<double> block;
      for (int j = 0; j < alone_keys(o); ++j) {
        if (const auto t = key_latency(p, letters[static_cast<std::size_t>(j) % letters.size()])) {
          block.push_back(t->first_us);
        } else {
          ++latency_timeouts;
        }
        if (j % 40 == 39) {
          p.write_some("\r");
          p.settle(5, 200, false);
        }
      }
      p.write_some("\r");
      p.settle(5, 200, false);
      if (!block.empty()) alone_medians[i].push_back(median(block));
      alone[i].insert(alone[i].end(), block.begin(), block.end());
    }
  }

  // 3. Idle: the same processes, after a rest, over idle_seconds without input.
  progress("idle");
  for (auto& s : live) s.proc->settle(300, 2000, false);
  std::vector<task_totals> before;
  for (auto& s : live) before.push_back(read_task_totals(s.proc->pid()));
  const auto idle_end =
      bench_clock::now() + duration_cast<bench_clock::duration>(duration<double>(o.idle_seconds));
  while (bench_clock::now() < idle_end) {
    std::vector<pollfd> fds;
    for (auto& s : live) fds.push_back({s.proc->master(), POLLIN, 0});
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(idle_end - bench_clock::now());
    ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(left.count(), 0)));
    for (auto& s : live) s.proc->pump(false);
  }
  std::vector<task_totals> after;
  for (auto& s : live) after.push_back(read_task_totals(s.proc->pid()));
  const double tick_ms = 1000.0 / static_cast<double>(clock_ticks_per_second());
  auto idle_cpu_ms = [&](std::size_t i) {
    return cell{static_cast<double>(after[i].cpu_ticks - before[i].cpu_ticks) * tick_ms, 0};
  };
  auto idle_cpu_us = [&](std::size_t i) {
    if (after[i].cpu_ns == 0) return cell{};
    return cell{static_cast<double>(after[i].cpu_ns - before[i].cpu_ns) / 1000.0, 0};
  };
  auto idle_switches = [&](std::size_t i) {
    return cell{static_cast<double>(after[i].ctx_switches - before[i].ctx_switches), 0};
  };
  const int echochat_threads = after[0].threads;
  live.clear();

  // 4. With the peer: the same paste then q, time until the program has exited.
  std::vector<double> exit_ms[2], peer_hwm;
  int exit_failures = 0;
  if (with_peer) {
    progress("paste + q against the peer (the peer takes tens of seconds a round)");
    const std::string keys_q = make_paste(o.paste_keys, serial++).keys + "q";
    for (int r = 0; r < o.peer_rounds; ++r) {
      for (int k = 0; k < 2; ++k) {
        const int i = (r + k) % 2;  // 0 echochat, 1 peer
        started s = start(i == 0 ? program::echochat : program::peer, o);
        if (i == 1) raw_ms[2].push_back(s.raw_ms);
        pty_process& p = *s.proc;
        double hwm = 0;
        const auto ms = paste(
            p, keys_q, false, [&](std::size_t) { return p.exited(); },
            [&] { hwm = std::max(hwm, static_cast<double>(read_status_kib(p.pid(), "VmHWM"))); });
        if (ms) {
          exit_ms[i].push_back(*ms);
        } else {
          ++exit_failures;
        }
        if (i == 1 && hwm > 0) peer_hwm.push_back(hwm);
      }
    }
  }

  auto keys_per_s = [&](const std::vector<double>& ms, double n) {
    std::vector<double> v;
    for (const double m : ms) v.push_back(n / (m / 1000.0));
    return median_cell(v, 0);
  };
  auto mib = [](const std::vector<double>& kib) {
    std::vector<double> v;
    for (const double k : kib) v.push_back(k / 1024.0);
    return median_cell(v, 1);
  };
  const std::size_t peer_i = 2;
  std::vector<row> table;
  table.push_back({"latency median, interleaved (µs)", median_cell(latency[0], 0), median_cell(latency[1], 0),
                   with_peer ? median_cell(latency[peer_i], 0) : cell{}});
  table.push_back({"latency p99, interleaved (µs)",
                   {percentile(latency[0], 99), 0},
                   {percentile(latency[1], 99), 0},
                   with_peer ? cell{percentile(latency[peer_i], 99), 0} : cell{}});
  table.push_back({"latency median, alone (µs)", median_cell(alone_medians[0], 0),
                   median_cell(alone_medians[1], 0),
                   with_peer ? median_cell(alone_medians[peer_i], 0) : cell{}});
  table.push_back({"latency p99, alone (µs)",
                   {percentile(alone[0], 99), 0},
                   {percentile(alone[1], 99), 0},
                   with_peer ? cell{percentile(alone[peer_i], 99), 0} : cell{}});
  table.push_back({"latency to the whole frame, median (µs)", median_cell(frame_latency[0], 0),
                   median_cell(frame_latency[1], 0),
                   with_peer ? median_cell(frame_latency[peer_i], 0) : cell{}});
  table.push_back({"latency to the whole frame, p99 (µs)",
                   {percentile(frame_latency[0], 99), 0},
                   {percentile(frame_latency[1], 99), 0},
                   with_peer ? cell{percentile(frame_latency[peer_i], 99), 0} : cell{}});
  table.push_back(
      {"typing: CPU per key (µs)", cpu_per_key[0], cpu_per_key[1], with_peer ? cpu_per_key[peer_i] : cell{}});
  table.push_back({"typing: context switches per key", switches_per_key[0], switches_per_key[1],
                   with_peer ? switches_per_key[peer_i] : cell{}});
  const std::string n = fmt(cell{paste_keys, 0});
  table.push_back({"paste " + n + " keys, fresh process, on screen (ms)",
                   median_cell(cold_ms[0], 1),
                   median_cell(cold_ms[1], 1),
                   {}});
  table.push_back({"paste, fresh process (keys/s)",
                   keys_per_s(cold_ms[0], paste_keys),
                   keys_per_s(cold_ms[1], paste_keys),
                   {}});
  table.push_back({"paste " + n + " keys, 2nd paste, on screen (ms)",
                   median_cell(warm_ms[0], 1),
                   median_cell(warm_ms[1], 1),
                   {}});
  table.push_back({"paste, 2nd paste (keys/s)",
                   keys_per_s(warm_ms[0], paste_keys),
                   keys_per_s(warm_ms[1], paste_keys),
                   {}});
  table.push_back(
      {"paste, fresh process: CPU (ms)", median_cell(cold_cpu_ms[0], 2), median_cell(cold_cpu_ms[1], 2), {}});
  table.push_back(
      {"paste, 2nd paste: CPU (ms)", median_cell(warm_cpu_ms[0], 2), median_cell(warm_cpu_ms[1], 2), {}});
  if (with_peer) {
    table.push_back({"paste + q, to exit (ms)", median_cell(exit_ms[0], 1), {}, median_cell(exit_ms[1], 1)});
    table.push_back({"paste + q, to exit (keys/s)",
                     keys_per_s(exit_ms[0], paste_keys + 1),
                     {},
                     keys_per_s(exit_ms[1], paste_keys + 1)});
  }
  const std::string idle = "idle " + fmt(cell{o.idle_seconds, 0}) + " s: ";
  table.push_back(
      {idle + "CPU, stat (ms)", idle_cpu_ms(0), idle_cpu_ms(1), with_peer ? idle_cpu_ms(peer_i) : cell{}});
  table.push_back({idle + "CPU, schedstat (µs)", idle_cpu_us(0), idle_cpu_us(1),
                   with_peer ? idle_cpu_us(peer_i) : cell{}});
  table.push_back({idle + "context switches", idle_switches(0), idle_switches(1),
                   with_peer ? idle_switches(peer_i) : cell{}});
  table.push_back(
      {"peak memory VmHWM after the pastes (MiB)", mib(hwm_kib[0]), mib(hwm_kib[1]), mib(peer_hwm)});
  table.push_back({"terminal taken (raw mode) after fork (ms)", median_cell(raw_ms[0], 1),
                   median_cell(raw_ms[1], 1), median_cell(raw_ms[2], 1)});
  table.push_back({"first byte after fork (ms)", median_cell(first_byte_ms, 1), {}, {}});
  table.push_back({"first frame after fork (ms)", median_cell(first_frame_ms, 1), {}, {}});
  print_table(table, with_peer);

  std::printf(
      "\nsamples: latency %zu keys/program interleaved, %zu alone (%d blocks), paste %d rounds, idle %s s "
      "once (echochat: %d threads)",
      latency[0].size(), alone[0].size(), alone_blocks, o.rounds, fmt(cell{o.idle_seconds, 1}).c_str(),
      echochat_threads);
  if (with_peer) std::printf(", paste + q %d rounds", o.peer_rounds);
  std::printf("; load average at the end %s\n", load_average().c_str());
  if (latency_timeouts + paste_failures + exit_failures > 0) {
    std::printf("timeouts: latency %d, paste %d, paste + q %d (left out of the medians)\n", latency_timeouts,
                paste_failures, exit_failures);
  }
  std::printf(
      "ratios are echochat ÷ other in the row's unit: below 1 is better for µs/ms/MiB/CPU,\n"
      "above 1 for keys/s. Peak memory of the peer is sampled every 20 ms during its paste.\n"
      "interleaved: the programs typed at in turn, key by key; alone: in blocks of %d keys, one\n"
      "program at a time (the others idle), the median of the blocks' medians, the p99 of all.\n",
      alone_keys(o));
}

// A program on the PATH, or nothing.
std::optional<std::string> on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const std::size_t colon = std::min(dirs.find(':'), dirs.size());
    const std::string file = std::string{dirs.substr(0, colon)} + "/" + name;
    if (::access(file.c_str(), X_OK) == 0) return file;
    dirs.remove_prefix(std::min(colon + 1, dirs.size()));
  }
  return std::nullopt;
}

// Section 5: a loopback server floods short lines to echochat (chat mode) and to a reference client,
// each in its own pty, in alternating rounds; keys are typed into echochat meanwhile. A table per
// transport: over tcp the reference is ncat; over tls, openssl s_client; over ws and wss, a minimal
// WebSocket reader, and npm's wscat beside it when it is installed. For tls and wss, socat
// OPENSSL-LISTEN relays the server's bytes. ws-deflate floods chat messages in JSON, compressed to
// echochat with permessage-deflate and plain to echochat --no-compress.
void run_flood_section(const options& o, const std::string& transport) {
  const bool tls = transport == "tls" || transport == "wss";
  const bool deflate = transport == "ws-deflate";
  const bool websocket = transport == "ws" || transport == "wss" || deflate;
  // What each program gets: the same lines, compressed for echochat in the deflate section.
  const flood_text flood = deflate     ? make_ws_json_flood(o.flood_lines, true)
                           : websocket ? make_ws_flood(o.flood_lines)
                                       : make_flood(o.flood_lines);
  const flood_text plain_json = deflate ? make_ws_json_flood(o.flood_lines, false) : flood_text{};
  std::optional<test_certificate> cert;
  if (tls) cert.emplace();
  const std::string reference = transport == "tcp"   ? "ncat"
                                : transport == "tls" ? "openssl s_client"
                                : deflate            ? "echochat --no-compress"
                                                     : "echochat_ws_reader";
  const std::optional<std::string> wscat = websocket && !deflate ? on_path("wscat") : std::nullopt;
  const std::string lines_text = fmt(cell{static_cast<double>(o.flood_lines), 0});
  if (transport == "tcp") {
    std::printf(
        "flood: %s lines \"line NNNNNNN\" (%s bytes) from a server on 127.0.0.1 to\n"
        "echochat: %s --connect 127.0.0.1:PORT --delay %s; ncat 127.0.0.1 PORT\n",
        lines_text.c_str(), fmt(cell{static_cast<double>(flood.bytes.size()), 0}).c_str(), o.echochat.c_str(),
        std::string{far_delay}.c_str());
  } else if (deflate) {
    std::printf(
        "flood over ws:// with permessage-deflate: %s chat messages in JSON, %s, each one WebSocket\n"
        "text message, from a server on 127.0.0.1: %s bytes compressed (context kept between\n"
        "messages), %s bytes plain, to\n"
        "echochat: %s --connect ws://127.0.0.1:PORT/ --delay %s (deflate agreed);\n"
        "the same with --no-compress (the server sends them plain)\n",
        lines_text.c_str(), flood.last_line.c_str(),
        fmt(cell{static_cast<double>(flood.bytes.size()), 0}).c_str(),
        fmt(cell{static_cast<double>(plain_json.bytes.size()), 0}).c_str(), o.echochat.c_str(),
        std::string{far_delay}.c_str());
  } else {
    std::printf("flood over %s://: %s lines \"line NNNNNNN\" (%s bytes%s) from a server on 127.0.0.1%s to\n",
                transport.c_str(), lines_text.c_str(),
                fmt(cell{static_cast<double>(flood.bytes.size()), 0}).c_str(),
                websocket ? ", one WebSocket text message a line" : "",
                tls ? ", through socat -b 65536 OPENSSL-LISTEN (a self-signed P-256 certificate)" : "");
    if (transport == "tls") {
      std::printf(
          "echochat: %s --connect tls://127.0.0.1:PORT --ca CERT --delay %s;\n"
          "openssl s_client -quiet -CAfile CERT -connect 127.0.0.1:PORT\n",
          o.echochat.c_str(), std::string{far_delay}.c_str());
    } else {
      std::printf("echochat: %s --connect %s://127.0.0.1:PORT/%s --delay %s;\n%s%s 127.0.0.1 PORT /\n",
                  o.echochat.c_str(), transport.c_str(), tls ? " --ca CERT" : "",
                  std::string{far_delay}.c_str(), o.ws_reader.c_str(), tls ? " --tls --ca CERT" : "");
      if (wscat) {
        std::printf("%s --no-color -c %s://127.0.0.1:PORT/%s\n", wscat->c_str(), transport.c_str(),
                    tls ? " --ca CERT" : "");
      } else {
        std::printf("(wscat is not installed: scripts/bench installs it with npm)\n");
      }
    }
  }
  std::printf(
      "pty %dx%d, TERM=xterm-256color, LANG=C.UTF-8; medians of %d alternating rounds; load average %s\n\n",
      flood_rows, flood_cols, o.flood_rounds, load_average().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "echochat_bench: flood rounds, %s\n", transport.c_str());

  // 0 echochat, 1 the reference, 2 wscat.
  const int programs = wscat ? 3 : 2;
  std::vector<double> ms[3], cpu_ms[3], cpu_per_million[3], hwm_kib[3], out_kib[3], key_us;
  int failures = 0, keys_lost = 0;
  for (int r = 0; r < o.flood_rounds; ++r) {
    for (int k = 0; k < programs; ++k) {
      const int i = (r + k) % programs;
      flood_server server;
      std::optional<tls_relay> relay;
      if (tls) relay.emplace(*cert, server);
      const std::string port = std::to_string(relay ? relay->port() : server.port());
      flood_config config;
      config.rows = flood_rows;
      config.cols = flood_cols;
      // Keys are typed into echochat, and the screen watched, in both columns of the deflate section.
      config.type_keys = i == 0 || (deflate && i == 1);
      config.watch_screen = config.type_keys;
      config.websocket = websocket;
      config.deflate = deflate && i == 0;
      std::vector<std::string> argv;
      if (i == 0 || deflate) {
        const std::string target = transport == "tcp"   ? server.address()
                                   : transport == "tls" ? "tls://127.0.0.1:" + port
                                   : deflate            ? "ws://127.0.0.1:" + port + "/"
                                                        : transport + "://127.0.0.1:" + port + "/";
        argv = {o.echochat, "--connect", target, "--delay", std::string{far_delay}};
        if (tls) argv.insert(argv.end(), {"--ca", cert->cert()});
        if (i == 1) argv.emplace_back("--no-compress");
      } else if (i == 2) {
        argv = {*wscat, "--no-color", "-c", transport + "://127.0.0.1:" + port + "/"};
        if (tls) argv.insert(argv.end(), {"--ca", cert->cert()});
      } else if (transport == "tcp") {
        argv = {"ncat", "127.0.0.1", port};
      } else if (transport == "tls") {
        argv = {"openssl",  "s_client",         "-quiet", "-CAfile", cert->cert(), "-verify_return_error",
                "-connect", "127.0.0.1:" + port};
      } else {
        argv = {o.ws_reader};
        if (tls) argv.insert(argv.end(), {"--tls", "--ca", cert->cert()});
        argv.insert(argv.end(), {"127.0.0.1", port, "/"});
      }
      const flood_result res = run_flood(argv, server, deflate && i == 1 ? plain_json : flood, config);
      keys_lost += res.keys_lost;
      if (i == 0) key_us.insert(key_us.end(), res.key_us.begin(), res.key_us.end());
      if (!res.ms) {
        ++failures;
        continue;
      }
      ms[i].push_back(*res.ms);
      cpu_ms[i].push_back(res.cpu_ms);
      cpu_per_million[i].push_back(res.cpu_ms * 1e6 / static_cast<double>(o.flood_lines));
      hwm_kib[i].push_back(res.hwm_kib);
      out_kib[i].push_back(static_cast<double>(res.bytes_out) / 1024.0);
    }
  }
  auto per_s = [&](const std::vector<double>& v) {
    std::vector<double> out;
    for (const double m : v) out.push_back(static_cast<double>(o.flood_lines) / (m / 1000.0));
    return median_cell(out, 0);
  };
  auto scaled = [](const std::vector<double>& v, double by) {
    std::vector<double> out;
    for (const double x : v) out.push_back(x / by);
    return out;
  };
  std::vector<row> table;
  table.push_back({"flood " + lines_text + " lines: last line on the terminal (ms)", median_cell(ms[0], 1),
                   median_cell(ms[1], 1), median_cell(ms[2], 1)});
  table.push_back({"flood: lines/s", per_s(ms[0]), per_s(ms[1]), per_s(ms[2])});
  table.push_back(
      {"flood: CPU (ms)", median_cell(cpu_ms[0], 1), median_cell(cpu_ms[1], 1), median_cell(cpu_ms[2], 1)});
  table.push_back({"flood: CPU per million lines (ms)", median_cell(cpu_per_million[0], 1),
                   median_cell(cpu_per_million[1], 1), median_cell(cpu_per_million[2], 1)});
  table.push_back({"flood: peak memory VmHWM (MiB)", median_cell(scaled(hwm_kib[0], 1024.0), 1),
                   median_cell(scaled(hwm_kib[1], 1024.0), 1), median_cell(scaled(hwm_kib[2], 1024.0), 1)});
  table.push_back({"flood: written to the terminal (KiB)", median_cell(out_kib[0], 0),
                   median_cell(out_kib[1], 0), median_cell(out_kib[2], 0)});
  if (deflate) {
    table.push_back({"flood: bytes on the wire (KiB)",
                     {static_cast<double>(flood.bytes.size()) / 1024.0, 0},
                     {static_cast<double>(plain_json.bytes.size()) / 1024.0, 0},
                     {}});
  }
  table.push_back({"flood: key latency median (ms)", median_cell(scaled(key_us, 1000.0), 2), {}, {}});
  table.push_back({"flood: key latency p99 (ms)", {percentile(scaled(key_us, 1000.0), 99), 2}, {}, {}});
  print_table(table, wscat.has_value(), reference, deflate ? "--no-compress" : reference, "wscat", "wscat");
  std::printf(
      "\nsamples: %d rounds each, %zu keys typed into echochat during its floods; load average at the end "
      "%s\n",
      o.flood_rounds, key_us.size(), load_average().c_str());
  if (failures + keys_lost > 0) {
    std::printf("timeouts: flood %d, keys %d (left out of the medians)\n", failures, keys_lost);
  }
}

// The key path's floor: echochat, the floor program (its input shape and nothing else) and cat,
// one long-lived process each on a full screen, typed at in ONE run so that the machine's noise
// meets all three alike: first key by key in turn (the order rotating key by key), then each
// alone in blocks of floor_keys (the others idle, the order rotating block by block).
void run_floor_section(const options& o) {
  std::printf(
      "key path: echochat %s --delay %s; floor: %s; cat: sh -c 'stty raw -echo; exec cat'\n"
      "pty %dx%d, a screenful pasted first; %d keys each in turn, then %d blocks of %d keys each alone;\n"
      "load average %s\n\n",
      o.echochat.c_str(), std::string{far_delay}.c_str(), o.key_floor.c_str(), rows, cols, o.floor_keys,
      o.floor_blocks, o.floor_keys, load_average().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "echochat_bench: the key path's floor\n");
  // 0 echochat, 1 the floor, 2 cat.
  std::vector<started> live;
  live.push_back(start(program::echochat, o));
  live.push_back(start(program::floor, o));
  live.push_back(start(program::cat, o));
  std::size_t serial = 1000;
  for (auto& s : live) {
    pty_process& p = *s.proc;
    const paste_text fill = make_paste(static_cast<std::size_t>(2 * rows * 64), serial++);
    if (!paste(p, fill.keys, true,
               [&](std::size_t got) { return got > 0 && p.screen_contains(fill.last_line); })) {
      throw std::runtime_error("'" + p.name() + "' did not show the screenful pasted before the key rounds");
    }
    p.write_some("\r");
    p.settle(50, 1000, false);
  }
  const std::size_t n = live.size();
  std::vector<std::vector<double>> turn(n), turn_frame(n), alone(n), alone_medians(n);
  int timeouts = 0;
  auto enter = [](pty_process& p) {
    p.write_some("\r");
    p.settle(5, 200, false);
  };
  std::vector<task_totals> before;
  for (auto& s : live) before.push_back(read_task_totals(s.proc->pid()));
  for (int r = 0; r < o.floor_keys; ++r) {
    const char key = letters[static_cast<std::size_t>(r) % letters.size()];
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (static_cast<std::size_t>(r) + k) % n;
      if (const auto t = key_latency(*live[i].proc, key)) {
        turn[i].push_back(t->first_us);
        turn_frame[i].push_back(t->frame_us);
      } else {
        ++timeouts;
      }
    }
    if (r % 40 == 39) {
      for (auto& s : live) enter(*s.proc);
    }
  }
  const double typed = static_cast<double>(o.floor_keys + o.floor_keys / 40);
  std::vector<cell> cpu_per_key, switches_per_key;
  for (std::size_t i = 0; i < n; ++i) {
    const task_totals t = read_task_totals(live[i].proc->pid());
    cpu_per_key.push_back(
        t.cpu_ns == 0 ? cell{} : cell{static_cast<double>(t.cpu_ns - before[i].cpu_ns) / 1000.0 / typed, 1});
    switches_per_key.push_back(cell{static_cast<double>(t.ctx_switches - before[i].ctx_switches) / typed, 1});
  }
  for (auto& s : live) enter(*s.proc);
  for (int b = 0; b < o.floor_blocks; ++b) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (static_cast<std::size_t>(b) + k) % n;
      pty_process& p = *live[i].proc;
      std::vector<double> block;
      for (int j = 0; j < o.floor_keys; ++j) {
        if (const auto t = key_latency(p, letters[static_cast<std::size_t>(j) % letters.size()])) {
          block.push_back(t->first_us);
        } else {
          ++timeouts;
        }
        if (j % 40 == 39) enter(p);
      }
      enter(p);
      if (!block.empty()) alone_medians[i].push_back(median(block));
      alone[i].insert(alone[i].end(), block.begin(), block.end());
    }
  }
  auto pct = [](const std::vector<double>& v, double p) { return cell{percentile(v, p), 0}; };
  // The columns: echochat, the floor (with echochat ÷ floor), cat (with echochat ÷ cat).
  auto three = [](std::string figure, cell e, cell f, cell c) { return row{std::move(figure), e, f, c}; };
  std::vector<row> table;
  table.push_back(three("latency median, in turn (µs)", median_cell(turn[0], 0), median_cell(turn[1], 0),
                        median_cell(turn[2], 0)));
  table.push_back(three("latency p99, in turn (µs)", pct(turn[0], 99), pct(turn[1], 99), pct(turn[2], 99)));
  table.push_back(three("latency median, alone (µs, median of blocks)", median_cell(alone_medians[0], 0),
                        median_cell(alone_medians[1], 0), median_cell(alone_medians[2], 0)));
  table.push_back(three("latency median, alone, all keys (µs)", median_cell(alone[0], 0),
                        median_cell(alone[1], 0), median_cell(alone[2], 0)));
  table.push_back(three("latency p99, alone (µs)", pct(alone[0], 99), pct(alone[1], 99), pct(alone[2], 99)));
  table.push_back(three("latency to the whole frame, median, in turn (µs)", median_cell(turn_frame[0], 0),
                        median_cell(turn_frame[1], 0), median_cell(turn_frame[2], 0)));
  table.push_back(three("typing in turn: CPU per key (µs)", cpu_per_key[0], cpu_per_key[1], cpu_per_key[2]));
  table.push_back(three("typing in turn: context switches per key", switches_per_key[0], switches_per_key[1],
                        switches_per_key[2]));
  print_table(table, true, "floor", "floor", "cat (limit)", "cat");
  auto blocks = [&](std::size_t i) {
    std::string s;
    for (const double m : alone_medians[i]) s += (s.empty() ? "" : " ") + fmt(cell{m, 0});
    return s;
  };
  std::printf("\nalone, each block's median (µs): echochat %s; floor %s; cat %s\n", blocks(0).c_str(),
              blocks(1).c_str(), blocks(2).c_str());
  std::printf("samples: %zu keys/program in turn, %zu alone; load average at the end %s\n", turn[0].size(),
              alone[0].size(), load_average().c_str());
  if (timeouts > 0) std::printf("timeouts: latency %d (left out of the medians)\n", timeouts);
  std::printf(
      "latency: from the key's write() to the first byte back (the whole frame: to the last byte\n"
      "before 2 ms of quiet); an Enter (not timed) after every 40 keys. CPU and switches per key\n"
      "count the Enters in the keys.\n");
}

int run(const options& o) {
  std::printf("echochat_bench: %s\n", machine_line().c_str());
  if (o.floor_only) {
    run_floor_section(o);
    return 0;
  }
  if (!o.flood_only) run_keys(o);
  if (!o.flood_only && o.floor_keys > 0) {
    std::printf("\n");
    run_floor_section(o);
  }
  if (o.flood_rounds > 0) {
    for (std::size_t t = 0; t < o.flood_transports.size(); ++t) {
      if (!o.flood_only || t > 0) std::printf("\n");
      run_flood_section(o, o.flood_transports[t]);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echochat_bench: %s\n", e.what());
    return 1;
  }
}
