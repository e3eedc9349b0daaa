// The in-process benchmark: keys/s through the key decoder, the event channel and the session, no terminal;
// and /find over a full scrollback.
#include "bench_stats.hpp"

#include "echochat/app/pipeline.hpp"
#include "echochat/core/key_decoder.hpp"
#include "echochat/core/session.hpp"
#include "echochat/core/transcript.hpp"
#include "echochat/core/transcript_search.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/screen.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace echochat;
using bench::median;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t chunk_size = 16 * 1024;  // what the input thread reads at most
constexpr std::string_view letters = "abcdefghijklmnoprstuvwxyz";

// `keys` keys as a paste would bring them: lines of 63 letters and Enter, then 'q', cut into
// the chunks the input thread would hand over.
std::vector<std::string> make_chunks(std::size_t keys) {
  std::string all;
  all.reserve(keys);
  for (std::size_t i = 0; all.size() + 1 < keys; ++i) {
    all.push_back(i % 64 == 63 ? '\r' : letters[(i / 64 + i % 64) % letters.size()]);
  }
  all.push_back('q');
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < all.size(); at += chunk_size) chunks.push_back(all.substr(at, chunk_size));
  return chunks;
}

// The screen that draws nothing. With `lay_out` the printer builds whole 24x80 frames (the
// transcript's layout and the status line), so that cost shows without ncurses; without, it
// takes entries only, like plain output.
class null_screen final : public screen {
 public:
  explicit null_screen(bool lay_out) : lay_out_(lay_out) {}
  term_size size() override { return {24, 80}; }
  term_size resize() override { return size(); }
  bool entries_only() const override { return !lay_out_; }
  void draw(const frame& f) override {
    ++frames;
    sink += f.transcript.size() + f.status.size();
  }
  void finish(const frame&) override {}

  std::uint64_t frames = 0;
  std::size_t sink = 0;

 private:
  bool lay_out_;
};

asio::awaitable<void> feed(chunk_channel& chunks, std::vector<std::string> data) {
  for (auto& c : data) {
    auto [ec] = co_await chunks.async_send(boost::system::error_code{}, std::move(c),
                                           asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

struct pipeline_run {
  double seconds = 0;
  std::uint64_t keys = 0;
  std::uint64_t frames = 0;
};

// The real coroutines on a real io_context: a feeder coroutine plays the input thread.
pipeline_run run_pipeline_once(const std::vector<std::string>& data, bool lay_out) {
  std::vector<std::string> copy = data;  // moved into the channel; copied outside the timing
  asio::io_context io(1);
  chunk_channel chunks(io, 64);
  null_screen scr(lay_out);
  session_config session_cfg;
  session_cfg.terminal = false;
  session s(session_cfg);
  pipeline_config config;
  config.slow_delay = std::chrono::hours(1);
  config.countdown = false;
  std::exception_ptr failure;
  const auto t0 = clock_type::now();
  asio::co_spawn(io, feed(chunks, std::move(copy)), asio::detached);
  asio::signal_set no_signals(io);
  asio::co_spawn(io, run_pipeline(chunks, scr, s, no_signals, config), [&](std::exception_ptr e, int) {
    failure = e;
    chunks.close();
  });
  io.run();
  const auto t1 = clock_type::now();
  if (failure) std::rethrow_exception(failure);
  return {std::chrono::duration<double>(t1 - t0).count(), s.key_count(), scr.frames};
}

double decode_once(const std::vector<std::string>& data, std::uint64_t& keys_out) {
  key_decoder decoder;
  std::vector<key> keys;
  keys.reserve(chunk_size);
  std::uint64_t count = 0;
  const auto t0 = clock_type::now();
  for (const auto& c : data) {
    keys.clear();
    decoder.feed(c, keys);
    decoder.pastes().clear();
    count += keys.size();
  }
  const auto t1 = clock_type::now();
  keys_out = count;
  return std::chrono::duration<double>(t1 - t0).count();
}

// /find on a full scrollback: 10,000 entries of about 419 bytes (4 MiB), one in a hundred a match.
// The times of a search (every entry looked at, as each key typed into the find prompt does) and
// of the scroll to the oldest match (every entry below it wrapped), in milliseconds.
struct find_times {
  double search_ms = 0;
  double scroll_ms = 0;
  std::size_t matches = 0;
  std::size_t bytes = 0;
};

find_times find_once() {
  transcript t;
  const std::string filler(400, 'x');
  for (int i = 0; i < 10'000; ++i) {
    t.add(0, source::net,
          filler + (i % 100 == 0 ? " a NEEDLE here " : " just some hay ") + std::to_string(i));
  }
  const auto t0 = clock_type::now();
  transcript_find f("needle", t);
  const auto t1 = clock_type::now();
  while (f.older()) {
  }
  const auto i = f.current_index(t);
  [[maybe_unused]] const int scroll = i ? scroll_to_show(t, *i, 80, 21) : 0;
  const auto t2 = clock_type::now();
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  return {ms(t1 - t0), ms(t2 - t1), f.count(), t.finished_bytes()};
}

std::string per_second(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  return buf;
}

int run(std::size_t keys, int runs) {
  std::setlocale(LC_ALL, "C.UTF-8");  // the layout's widths come from wcwidth
  const std::vector<std::string> data = make_chunks(keys);
  std::printf("echochat_pipeline_bench: %s\n", bench::machine_line().c_str());
  std::printf(
      "%zu keys (lines of 63 letters + Enter, then q) in %zu chunks of %zu KiB; median of %d runs; "
      "load average %s\n\n",
      keys, data.size(), chunk_size / 1024, runs, bench::load_average().c_str());

  std::vector<double> decode_rate, pipe_rate, layout_rate, pipe_frames, layout_frames;
  std::uint64_t decoded = 0;
  std::uint64_t seen = 0;
  for (int r = 0; r < runs; ++r) {
    const double d = decode_once(data, decoded);
    decode_rate.push_back(static_cast<double>(decoded) / d);
    const pipeline_run p = run_pipeline_once(data, false);
    pipe_rate.push_back(static_cast<double>(p.keys) / p.seconds);
    pipe_frames.push_back(static_cast<double>(p.frames));
    const pipeline_run l = run_pipeline_once(data, true);
    layout_rate.push_back(static_cast<double>(l.keys) / l.seconds);
    layout_frames.push_back(static_cast<double>(l.frames));
    seen = p.keys;
  }
  std::printf("| figure | keys (events)/s | frames |\n| --- | ---: | ---: |\n");
  std::printf("| decoder only | %s | — |\n", per_second(median(decode_rate)).c_str());
  std::printf("| pipeline: decoder → channel → session (null screen) | %s | %.0f |\n",
              per_second(median(pipe_rate)).c_str(), median(pipe_frames));
  std::printf("| pipeline + layout and status line per frame | %s | %.0f |\n",
              per_second(median(layout_rate)).c_str(), median(layout_frames));
  std::vector<double> search_ms, scroll_ms;
  find_times ft;
  for (int r = 0; r < runs; ++r) {
    ft = find_once();
    search_ms.push_back(ft.search_ms);
    scroll_ms.push_back(ft.scroll_ms);
  }
  std::printf("\n/find on a full scrollback: 10,000 entries, %.1f MiB, %zu matches\n\n",
              static_cast<double>(ft.bytes) / 1048576.0, ft.matches);
  std::printf("| figure | ms |\n| --- | ---: |\n");
  std::printf("| search every entry (each key typed into the find prompt) | %.2f |\n", median(search_ms));
  std::printf("| scroll to the oldest match (wraps every entry below it) | %.2f |\n", median(scroll_ms));
  if (decoded != keys || seen != keys) {
    std::printf("\nwarning: %zu keys sent, the decoder saw %llu, the session %llu\n", keys,
                static_cast<unsigned long long>(decoded), static_cast<unsigned long long>(seen));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t keys = 5'000'000;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--keys") {
      keys = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (a == "--runs") {
      runs = std::atoi(argv[i + 1]);
    }
  }
  if (argc % 2 == 0 || keys < 2 || runs < 1) {
    std::fprintf(stderr, "usage: %s [--keys N] [--runs N]\n", argv[0]);
    return 2;
  }
  try {
    return run(keys, runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echochat_pipeline_bench: %s\n", e.what());
    return 1;
  }
}
