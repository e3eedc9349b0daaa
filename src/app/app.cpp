// The program's wiring: one io_context on this thread, the input thread, the screen.
#include "echochat/app/app.hpp"

#include "echochat/app/pipeline.hpp"
#include "echochat/edges/cbreak_modes.hpp"
#include "echochat/edges/chat_client.hpp"
#include "echochat/edges/connectors.hpp"
#include "echochat/edges/curses_screen.hpp"
#include "echochat/edges/history_file.hpp"
#include "echochat/edges/input_thread.hpp"
#include "echochat/edges/log_file.hpp"
#include "echochat/edges/output_writer.hpp"
#include "echochat/edges/plain_screen.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <clocale>
#include <malloc.h>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <langinfo.h>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <unistd.h>

namespace echochat {

namespace asio = boost::asio;

namespace {

// ECHOCHAT_FAULT: for the tests of the exit paths, the slow task fails this way when it fires.
std::function<void()> injected_fault() {
  const char* fault = std::getenv("ECHOCHAT_FAULT");
  if (fault == nullptr) return {};
  const std::string how = fault;
  return [how] {
    if (how == "throw") throw std::runtime_error("injected fault (ECHOCHAT_FAULT=throw)");
    if (how == "abort") std::abort();
    if (how == "segv") std::raise(SIGSEGV);
  };
}

// Widths, the separator and the status bar's dots need UTF-8. Under a locale with another
// character set (LC_ALL=C) characters are handled as C.UTF-8 handles them; returns what to say.
std::string use_utf8_characters() {
  const std::string codeset = ::nl_langinfo(CODESET);
  if (codeset == "UTF-8") return {};
  if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) {
    return "the locale's character set is " + codeset +
           ", not UTF-8, and C.UTF-8 is missing: "
           "text beyond ASCII may show wrongly";
  }
  return "the locale's character set is " + codeset + ", not UTF-8: characters are handled as in C.UTF-8";
}

// Plain mode, after the pipeline: echo mode's summary goes out after the lines. A program that
// ended by itself (the end of input, the last probe) then waits, like cat, until its reader has
// taken everything, unless a signal says to stop; one that was told to quit does not wait.
// Returns the exit code: 128 + N for a signal N that cut the wait short.
int finish_output(asio::io_context& io, output_writer& out, asio::signal_set& signals, const session& s, int code) {
  if (const std::string report = s.rules().report(); !report.empty()) out.write(report);
  if (s.why() != quit_reason::finished && s.why() != quit_reason::unsent) return code;
  if (out.waiting_bytes() == 0) return code;
  using namespace asio::experimental::awaitable_operators;
  io.restart();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto ended = co_await (out.drained() || signals.async_wait(default_token{}));
          if (ended.index() == 0) co_return;
          auto [ec, signo] = std::get<1>(ended);
          if (ec) co_return;
          if (signo == SIGWINCH || signo == SIGCONT) continue;  // no screen to redraw
          code = 128 + signo;
          co_return;
        }
      },
      [&](std::exception_ptr) { io.stop(); });
  io.run();
  return code;
}

}  // namespace

int run(const options& opts) {
  std::setlocale(LC_ALL, "");
  // Blocks of 1 MiB and more (a big paste, a long line) come from mmap and go back to the system
  // when freed. glibc would otherwise raise this threshold after the first such free, and a
  // 32 MiB paste cleared with Ctrl-U would stay resident.
  ::mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  std::vector<std::string> notes;  // sys entries about how the terminal is driven
  if (std::string note = use_utf8_characters(); !note.empty()) notes.push_back(std::move(note));
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error code, not a death
  std::signal(SIGXFSZ, SIG_IGN);  // a log past the file size limit is a failed write (EFBIG), not a death

  // Opened before the terminal is touched: an unwritable path is an error on a clean terminal.
  std::optional<log_file> log;
  if (opts.log_file) log.emplace(*opts.log_file);

  // Before the terminal too: a --ca file that cannot be read is a clear error on a clean terminal.
  connection_factory connector;
  if (opts.connect) connector = connector_for(*opts.connect, tls_settings{opts.ca_file, opts.insecure});

  bool plain = opts.plain || ::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0;

  // The chat history, read before the terminal is touched too; plain mode records nothing, and
  // echo mode sends probes, not lines to recall.
  std::optional<history_file> history;
  if (opts.connect && !opts.echo && opts.history && !plain) {
    if (auto path = history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"))) history.emplace(*path);
  }

  asio::io_context io(1);
  // Before the screen exists, so that ncurses sees these signals taken and leaves them alone.
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  // The polite signals whose default action would end the program without a word: they end it
  // the way SIGTERM does, with the terminal given back and 128 + N.
  for (const int sig : {SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPOLL}) signals.add(sig);
  if (!plain) {
    signals.add(SIGWINCH);
    signals.add(SIGTSTP);  // suspend the way Ctrl-Z does, giving the terminal back first
    signals.add(SIGCONT);  // stopped from outside: redraw everything on the way back
  }

  std::unique_ptr<screen> scr;
  // A terminal that cannot show a screen still sends each key at once (see cbreak_modes).
  std::optional<cbreak_modes> key_at_a_time;
  if (!plain) {
    const char* no_color = std::getenv("NO_COLOR");
    try {
      auto curses = std::make_unique<curses_screen>(no_color == nullptr || *no_color == '\0',
                                                    opts.connect.has_value(), opts.mouse);
      if (!curses->note().empty()) notes.push_back(curses->note());
      scr = std::move(curses);
    } catch (const terminal_unusable& e) {
      plain = true;
      notes.push_back(std::string{"plain mode: "} + e.what());
      signals.remove(SIGTSTP);  // without a screen, Ctrl-Z and fg need nothing from us
      signals.remove(SIGCONT);
      if (!opts.connect) key_at_a_time.emplace();  // chat mode reads whole lines, echoed
    }
  }
  // Plain output never blocks the io thread: a reader that stops reading pauses the readers of
  // data (the server, piped input), while keys and signals are still handled at once.
  std::optional<output_writer> out;
  if (plain) {
    out.emplace(io.get_executor(), STDOUT_FILENO);
    scr = std::make_unique<plain_screen>(*out, key_at_a_time.has_value());
  }

  session_config sc;
  sc.terminal = !plain;
  sc.keep_fresh = plain || log.has_value();
  sc.chat = opts.connect.has_value();
  sc.replies = opts.replies;
  if (opts.connect) sc.chat_target = to_string(*opts.connect);
  sc.echo = opts.echo;
  if (history) {
    sc.history = recall_order(history->records(), sc.chat_target);
    sc.record_history = history->writable() && !plain;
  }
  session s(sc);
  for (std::string& note : notes) s.apply(sys_event{std::move(note)}, std::time(nullptr));
  if (history) {
    for (const auto& p : history->problems()) s.apply(sys_event{p}, std::time(nullptr));
  }

  pipeline_config config;
  config.slow_delay = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(opts.delay_seconds));
  config.countdown = !plain;
  // Piped into chat mode, standard input is lines to send: no byte in it is a key.
  config.input_is_data = plain && opts.connect.has_value() && ::isatty(STDIN_FILENO) == 0;
  config.on_slow_fire = injected_fault();
  if (out) config.may_read = &out->may_read();
  if (history && history->writable()) {
    config.record = [&history, target = to_string(*opts.connect)](const std::vector<std::string>& lines) {
      for (const auto& l : lines) history->append(target, l);
    };
  }
  std::optional<chat_client> net;
  if (opts.connect) {
    const auto connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(opts.connect_timeout_seconds));
    net.emplace(io.get_executor(), to_string(*opts.connect), std::move(connector), backoff_policy{},
                std::max(connect_timeout, std::chrono::milliseconds{1}));
    net->on_connect(opts.on_connect);
    if (out) net->pause_reads_on(out->may_read());
  }
  entry_sink sink;
  if (log) sink = [&log](std::span<const entry> entries) { return log->write(entries); };

  chunk_channel chunks(io, 64);
  input_thread input(STDIN_FILENO, chunks);

  int code = 0;
  std::exception_ptr failure;
  asio::co_spawn(io, run_pipeline(chunks, *scr, s, signals, std::move(config), sink, net ? &*net : nullptr),
                 [&](std::exception_ptr e, int c) {
                   failure = e;
                   code = c;
                   // The reader is gone: a chunk the input thread sends now must fail at once
                   // rather than wait in the channel as work that keeps run() from returning.
                   chunks.close();
                   io.stop();
                 });
  io.run();
  if (out && !failure) code = finish_output(io, *out, signals, s, code);
  scr.reset();  // the terminal is ours again before anything is said on stderr
  if (log && log->failed()) {
    // As tee does: the program went on, and now says what the log is missing (exit status 1).
    const std::size_t n = log->lost();
    std::fprintf(stderr, "echochat: %zu entr%s not logged to %s\n", n, n == 1 ? "y was" : "ies were",
                 log->failure().c_str());
  }
  if (failure) std::rethrow_exception(failure);
  if (out) {
    // Whatever nobody took: said, never dropped silently (exit status 1, as for the log).
    out->flush_now();
    if (const std::size_t n = out->unwritten_lines(); n > 0) {
      const std::string why = out->error() ? out->error().message() : "nobody was reading it";
      std::fprintf(stderr, "echochat: %zu line%s not written to standard output (%s)\n", n,
                   n == 1 ? " was" : "s were", why.c_str());
      if (code == 0) code = 1;
    }
  }
  // Echo mode's summary, as ping prints it on Ctrl-C: after the terminal is restored, on stdout
  // (in plain mode it went out with the rest of the output).
  if (const std::string report = s.rules().report(); !out && !report.empty()) {
    std::fputs(report.c_str(), stdout);
    std::fflush(stdout);
  }
  if (net && net->unsent() > 0 && s.why() != quit_reason::unsent) {
    // Quitting with lines still waiting for the server: say so, never drop them silently.
    const std::size_t n = net->unsent();
    std::fprintf(stderr, "echochat: %zu typed line%s not sent (the connection was %s)\n", n,
                 n == 1 ? " was" : "s were", s.connection().state == net_state::online ? "still busy" : "down");
  }
  return code;
}

}  // namespace echochat
