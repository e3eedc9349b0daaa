// Helpers of the torture and fault end-to-end tests: the child's scheduling state read from
// /proc, core dumps kept off for children that crash on purpose, and seeded input noise.
#pragma once

#include "e2e/e2e_util.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/types.h>

namespace echochat::e2e {

// A failure deadline for writing a flood: echochat reads it as fast as it can, which under a
// sanitizer is slower.
constexpr std::chrono::milliseconds flood_deadline{30000};

// The state letter of /proc/<pid>/stat ('R', 'S', 'T' for stopped, 'Z', ...), or '?' when the
// file cannot be read.
inline char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  // "pid (comm) S ...": comm may hold anything, so look after its last ')'.
  const auto close = stat.rfind(')');
  if (!in || close == std::string::npos || close + 2 >= stat.size()) return '?';
  return stat[close + 2];
}

// Waits until the child's state is (or is not, with `is` false) `state`, pumping its output
// meanwhile. The pty is silent while the child is stopped, so wait_for is asked in short
// slices and /proc is read between them; `deadline` is a failure deadline only.
inline bool wait_process_state(pty_terminal& t, char state, bool is = true) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  const auto matches = [&] { return (process_state(t.pid()) == state) == is; };
  while (std::chrono::steady_clock::now() < end) {
    if (t.wait_for(matches, std::chrono::milliseconds{20})) return true;
  }
  return matches();
}

inline void wait_stopped(pty_terminal& t) {
  if (!wait_process_state(t, 'T')) {
    FAIL("waited in vain for echochat to stop (state '" << process_state(t.pid()) << "'); the screen:\n"
                                                        << t.screen_text());
  }
  t.drain();  // everything it wrote before it stopped
}

// Children started while this lives inherit a core size limit of 0: the fault tests crash the
// program on purpose and must not leave core files behind. The test process gets its own
// limit back at the end of the scope (pty_terminal's constructor returns after the exec).
class no_core_dumps {
 public:
  no_core_dumps() {
    saved_ok_ = ::getrlimit(RLIMIT_CORE, &saved_) == 0;
    rlimit none = saved_;
    none.rlim_cur = 0;
    if (saved_ok_) ::setrlimit(RLIMIT_CORE, &none);
  }
  ~no_core_dumps() {
    if (saved_ok_) ::setrlimit(RLIMIT_CORE, &saved_);
  }
  no_core_dumps(const no_core_dumps&) = delete;
  no_core_dumps& operator=(const no_core_dumps&) = delete;

 private:
  rlimit saved_{};
  bool saved_ok_ = false;
};

// Whether a byte may go into the noise: never 'q' (quits), Ctrl-C (quits) or Ctrl-Z (stops).
inline bool noise_may_have(unsigned char b) { return b != 0x71 && b != 0x03 && b != 0x1a; }

// `size` bytes of seeded noise for the key decoder: random bytes, C0 controls and DEL, escape
// fragments (CSI and SS3 introducers, whole and cut-short sequences, bracketed paste markers),
// valid UTF-8 of every length and invalid UTF-8 (stray continuations, overlongs, surrogates,
// cut-short characters, bytes that never occur). Never a byte noise_may_have refuses.
inline std::string input_noise(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  static constexpr std::array<std::string_view, 24> fragments{"\x1b[",
                                                              "\x1bO",
                                                              "\x1b[200~",
                                                              "\x1b[201~",
                                                              "\x1b",
                                                              "\x1b\x1b",
                                                              "\x1b[[",
                                                              "\x1b[1;5",
                                                              "\x1b[15~",
                                                              "\x1b[5~",
                                                              "\x1b[6~",
                                                              "\x1b[A",
                                                              "\x1bOA",
                                                              "\x1b[?25l",
                                                              "\x1b[38;2;1;2;3m",
                                                              "\x1b[M",
                                                              "\x1b[<0;1;1M",
                                                              "\x1b]0;title\x07",
                                                              "\x1bP",
                                                              "\x1b[999999999999999999999~",
                                                              "\x1b[1;2;3;4;5;6;7;8;9;0Z",
                                                              "\x1b[ ~",
                                                              "\x1bO~",
                                                              "\x1b[200~\x1b[200~"};
  static constexpr std::array<std::string_view, 14> invalid_utf8{
      "\x80",         "\xbf",         "\xc0\xaf",         "\xc1\xbf", "\xe0\x80\xaf",
      "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5",     "\xfe",
      "\xff",         "\xe2\x82",     "\xf0\x9f\x98",     "\xc3"};
  static constexpr std::array<std::string_view, 8> valid_utf8{
      "\xc3\xb6",         "\xe2\x82\xac", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
      "\xf0\x9d\x84\x9e", "\xcc\x81",     "\xef\xbf\xbd", "\xe2\x80\x8b"};
  std::string out;
  out.reserve(size + 64);
  while (out.size() < size) {
    switch (pick(8)) {
      case 0:
      case 1: {  // random bytes
        for (std::size_t n = pick(16) + 1; n > 0; --n) {
          const auto b = static_cast<unsigned char>(pick(256));
          if (noise_may_have(b)) out.push_back(static_cast<char>(b));
        }
        break;
      }
      case 2: {  // controls and DEL
        const auto b = static_cast<unsigned char>(pick(3) == 0 ? 0x7f : pick(0x20));
        if (noise_may_have(b)) out.push_back(static_cast<char>(b));
        break;
      }
      case 3: out += fragments[pick(fragments.size())]; break;
      case 4: {  // a CSI with random parameters and a random final (or none)
        out += "\x1b[";
        for (std::size_t n = pick(8); n > 0; --n) out.push_back("0123456789;:<=>?"[pick(16)]);
        if (pick(4) != 0) {
          const auto fin = static_cast<unsigned char>(0x40 + pick(0x3f));
          if (noise_may_have(fin)) out.push_back(static_cast<char>(fin));
        }
        break;
      }
      case 5: out += invalid_utf8[pick(invalid_utf8.size())]; break;
      case 6: out += valid_utf8[pick(valid_utf8.size())]; break;
      default: {  // printable ASCII
        for (std::size_t n = pick(12) + 1; n > 0; --n) {
          const auto b = static_cast<unsigned char>(0x20 + pick(0x5f));
          if (noise_may_have(b)) out.push_back(static_cast<char>(b));
        }
        break;
      }
    }
  }
  out.resize(size);
  return out;
}

}  // namespace echochat::e2e
