// The program's wiring: one io_context on this thread, the input thread, the screen.
#include "echochat/app/app.hpp"

#include "echochat/app/load.hpp"
#include "echochat/app/pipeline.hpp"
#include "echochat/core/proxy.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/edges/cbreak_modes.hpp"
#include "echochat/edges/chat_client.hpp"
#include "echochat/edges/connectors.hpp"
#include "echochat/edges/curses_screen.hpp"
#include "echochat/edges/history_file.hpp"
#include "echochat/edges/input_thread.hpp"
#include "echochat/edges/log_file.hpp"
#include "echochat/edges/output_writer.hpp"
#include "echochat/edges/plain_screen.hpp"
#include "echochat/edges/tty_prompt.hpp"

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
#include <functional>
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
int finish_output(asio::io_context& io, output_writer& out, asio::signal_set& signals, const session& s,
                  int code) {
  if (const std::string report = s.report(); !report.empty()) out.write(report);
  if (s.why() != quit_reason::finished && s.why() != quit_reason::unsent &&
      s.why() != quit_reason::unanswered) {
    return code;
  }
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

// Process-wide settings, before anything else; returns what to say about the locale, if anything.
std::vector<std::string> set_up_process() {
  std::setlocale(LC_ALL, "");
  // Blocks of 1 MiB and more (a big paste, a long line) come from mmap and go back to the system
  // when freed. glibc would otherwise raise this threshold after the first such free, and a
  // 32 MiB paste cleared with Ctrl-U would stay resident.
  ::mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  std::vector<std::string> notes;  // sys entries about how the terminal is driven
  if (std::string note = use_utf8_characters(); !note.empty()) notes.push_back(std::move(note));
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error code, not a death
  std::signal(SIGXFSZ, SIG_IGN);  // a log past the file size limit is a failed write (EFBIG), not a death
  return notes;
}

// The chat history, read before the terminal is touched; plain mode records nothing, and echo
// mode sends probes, not lines to recall.
void open_history(std::optional<history_file>& history, const options& opts, bool plain) {
  if (opts.connect && !opts.echo && opts.history && !plain) {
    if (auto path = history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"))) history.emplace(*path);
  }
}

// Taken before the screen exists, so that ncurses sees these signals taken and leaves them alone.
void take_signals(asio::signal_set& signals, bool plain) {
  // The polite signals whose default action would end the program without a word: they end it
  // the way SIGTERM does, with the terminal given back and 128 + N.
  for (const int sig : {SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPOLL, SIGSTKFLT, SIGPWR})
    signals.add(sig);
  // The real-time signals too: each one's default action ends the program.
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) signals.add(sig);
  if (plain) return;
  signals.add(SIGWINCH);
  signals.add(SIGTSTP);  // suspend the way Ctrl-Z does, giving the terminal back first
  signals.add(SIGCONT);  // stopped from outside: redraw everything on the way back
}

// Where the run is shown: a curses screen, or plain lines on stdout.
struct display {
  bool plain = false;
  std::unique_ptr<screen> scr;
  // A terminal that cannot show a screen still sends each key at once (see cbreak_modes).
  std::optional<cbreak_modes> key_at_a_time;
  // Plain output never blocks the io thread: a reader that stops reading pauses the readers of
  // data (the server, piped input), while keys and signals are still handled at once.
  std::optional<output_writer> out;
};

void open_curses(display& d, const options& opts, asio::signal_set& signals,
                 std::vector<std::string>& notes) {
  const char* no_color = std::getenv("NO_COLOR");
  try {
    auto curses = std::make_unique<curses_screen>(no_color == nullptr || *no_color == '\0',
                                                  opts.connect.has_value(), opts.mouse);
    if (!curses->note().empty()) notes.push_back(curses->note());
    d.scr = std::move(curses);
  } catch (const terminal_unusable& e) {
    d.plain = true;
    notes.push_back(std::string{"plain mode: "} + e.what());
    signals.remove(SIGTSTP);  // without a screen, Ctrl-Z and fg need nothing from us
    signals.remove(SIGCONT);
    if (!opts.connect) d.key_at_a_time.emplace();  // chat mode reads whole lines, echoed
  }
}

void open_display(display& d, const options& opts, asio::io_context& io, asio::signal_set& signals,
                  std::vector<std::string>& notes) {
  if (!d.plain) open_curses(d, opts, signals, notes);  // which may find the terminal unusable
  if (d.plain) {
    d.out.emplace(io.get_executor(), STDOUT_FILENO);
    d.scr = std::make_unique<plain_screen>(*d.out, d.key_at_a_time.has_value());
  }
}

session_config make_session_config(const options& opts, bool plain, bool logging,
                                   const std::optional<history_file>& history) {
  session_config sc;
  sc.terminal = !plain;
  sc.keep_fresh = plain || logging;
  sc.chat = opts.connect.has_value();
  sc.replies = opts.replies;
  if (opts.connect) sc.chat_target = to_string(*opts.connect);
  sc.echo = opts.echo;
  if (history) {
    sc.history = recall_order(history->records(), sc.chat_target);
    sc.record_history = history->writable() && !plain;
  }
  return sc;
}

// The first entries: how the terminal is driven and what went wrong with the history file.
void tell_notes(session& s, std::vector<std::string>& notes, const std::optional<history_file>& history) {
  for (std::string& note : notes) s.apply(sys_event{std::move(note)}, std::time(nullptr));
  if (history) {
    for (const auto& p : history->problems()) s.apply(sys_event{p}, std::time(nullptr));
  }
}

pipeline_config make_pipeline_config(const options& opts, display& d, std::optional<history_file>& history) {
  pipeline_config config;
  config.slow_delay =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(opts.delay_seconds));
  config.countdown = !d.plain;
  // Piped into chat mode, standard input is lines to send: no byte in it is a key.
  config.input_is_data = d.plain && opts.connect.has_value() && ::isatty(STDIN_FILENO) == 0;
  config.on_slow_fire = injected_fault();
  if (d.out) config.may_read = &d.out->may_read();
  if (history && history->writable()) {
    config.record = [&history, target = to_string(*opts.connect)](const std::vector<std::string>& lines) {
      for (const auto& l : lines) history->append(target, l);
    };
  }
  return config;
}

void start_client(std::optional<chat_client>& net, const options& opts, asio::io_context& io,
                  connection_factory connector, display& d) {
  if (!opts.connect) return;
  const auto connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(opts.connect_timeout_seconds));
  net.emplace(io.get_executor(), to_string(*opts.connect), std::move(connector), backoff_policy{},
              std::max(connect_timeout, std::chrono::milliseconds{1}));
  net->on_connect(opts.on_connect);
  net->resend_unacknowledged(opts.resend_unacked);
  if (opts.linger_seconds) {
    net->linger_for(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(*opts.linger_seconds)));
  }
  if (d.out) net->pause_reads_on(d.out->may_read());
}

// What the pipeline ended with: its exit code, or what it threw.
struct pipeline_end {
  int code = 0;
  std::exception_ptr failure;
};

pipeline_end run_until_quit(asio::io_context& io, chunk_channel& chunks, display& d, session& s,
                            asio::signal_set& signals, pipeline_config config, const entry_sink& sink,
                            chat_client* net) {
  pipeline_end end;
  asio::co_spawn(io, run_pipeline(chunks, *d.scr, s, signals, std::move(config), sink, net),
                 [&](std::exception_ptr e, int c) {
                   end = {c, e};
                   // The reader is gone: a chunk the input thread sends now must fail at once
                   // rather than wait in the channel as work that keeps run() from returning.
                   chunks.close();
                   io.stop();
                 });
  io.run();
  return end;
}

// As tee does: the program went on, and now says what the log is missing (exit status 1).
void report_log_loss(const std::optional<log_file>& log) {
  if (!log || !log->failed()) return;
  const std::size_t n = log->lost();
  std::fprintf(stderr, "echochat: %zu entr%s not logged to %s\n", n, n == 1 ? "y was" : "ies were",
               log->failure().c_str());
}

// Whatever nobody took from plain output: said, never dropped silently (exit status 1, as for
// the log).
int report_unwritten(output_writer& out, int code) {
  out.flush_now();
  const std::size_t n = out.unwritten_lines();
  if (n == 0) return code;
  const std::string why = out.error() ? out.error().message() : "nobody was reading it";
  std::fprintf(stderr, "echochat: %zu line%s not written to standard output (%s)\n", n,
               n == 1 ? " was" : "s were", why.c_str());
  return code == 0 ? 1 : code;
}

// Echo mode's summary, as ping prints it on Ctrl-C: after the terminal is restored, on stdout
// (in plain mode it went out with the rest of the output).
void print_echo_report(const session& s) {
  if (const std::string report = s.report(); !report.empty()) {
    std::fputs(report.c_str(), stdout);
    std::fflush(stdout);
  }
}

// Quitting with lines still waiting for the server: say so, never drop them silently.
void report_unsent(const std::optional<chat_client>& net, const session& s) {
  if (!net || net->unsent() == 0 || s.why() == quit_reason::unsent) return;
  const std::size_t n = net->unsent();
  std::fprintf(stderr, "echochat: %zu typed line%s not sent (the connection was %s)\n", n,
               n == 1 ? " was" : "s were", s.connection().state == net_state::online ? "still busy" : "down");
}

// An encrypted key's passphrase: from the variable --key-passphrase-env names (once: a wrong one
// is not asked again), or typed on the terminal (three tries).
std::function<std::optional<std::string>(int)> passphrase_source(const options& opts) {
  if (opts.key_passphrase_env) {
    const char* value = std::getenv(opts.key_passphrase_env->c_str());
    if (value == nullptr) {
      throw bad_setting("--key-passphrase-env " + *opts.key_passphrase_env + ": the variable is not set");
    }
    return [passphrase = std::string{value}](int attempt) -> std::optional<std::string> {
      if (attempt > 0) return std::nullopt;
      return passphrase;
    };
  }
  const std::string key = sanitize(opts.key_file.value_or(opts.cert_file.value_or("")));
  return [key](int attempt) {
    return ask_secret("Passphrase for " + key + (attempt > 0 ? " (wrong, try again): " : ": "));
  };
}

std::optional<std::string> environment_variable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::nullopt : std::optional<std::string>{value};
}

// The proxy: --proxy's, or the environment's for this address (none with --proxy ''). A bad URL
// in a variable stops the run as a bad --proxy does, its password masked.
std::optional<proxy_settings> proxy_of(const options& opts) {
  if (!opts.connect || opts.connect->kind == transport::unix_socket) return std::nullopt;
  std::string text;
  std::string from = "--proxy";
  if (opts.proxy) {
    if (opts.proxy->empty()) return std::nullopt;
    text = *opts.proxy;
  } else {
    const proxy_environment env{environment_variable("http_proxy"),  environment_variable("https_proxy"),
                                environment_variable("HTTPS_PROXY"), environment_variable("all_proxy"),
                                environment_variable("ALL_PROXY"),   environment_variable("no_proxy"),
                                environment_variable("NO_PROXY")};
    auto choice = proxy_from_environment(*opts.connect, env);
    if (!choice) return std::nullopt;
    text = std::move(choice->url);
    from = std::move(choice->variable);
  }
  auto parsed = parse_proxy_url(text);
  if (const auto* why = std::get_if<std::string>(&parsed)) {
    throw bad_setting(from + ": '" + masked_proxy_text(text) + "': " + *why);
  }
  return proxy_settings{std::get<proxy_url>(std::move(parsed)), from};
}

connect_settings settings_of(const options& opts) {
  connect_settings s;
  s.tls = tls_settings{opts.ca_file, opts.insecure, opts.cert_file, opts.key_file, {}};
  if (opts.cert_file) s.tls.passphrase = passphrase_source(opts);
  s.crlf = opts.crlf;
  s.dead_after = std::chrono::seconds{opts.dead_after_seconds};
  s.ws = ws_settings{opts.headers, opts.protocols, opts.origin, !opts.no_compress};
  s.proxy = proxy_of(opts);
  return s;
}

}  // namespace

int run(const options& opts) {
  std::vector<std::string> notes = set_up_process();
  // Opened before the terminal is touched: an unwritable path is an error on a clean terminal.
  std::optional<log_file> log;
  if (opts.log_file) log.emplace(*opts.log_file);
  // Before the terminal too: a --ca, --cert or --key file that cannot be used is a clear error on
  // a clean terminal, and an encrypted key's passphrase is asked for there.
  connection_factory connector;
  try {
    if (opts.connect) connector = connector_for(*opts.connect, settings_of(opts));
  } catch (const bad_setting& e) {
    std::fprintf(stderr, "echochat: %s\n", sanitize(e.what()).c_str());
    return 2;
  }
  if (opts.load) return run_load(opts, std::move(connector));
  const bool plain = opts.plain || ::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0;
  std::optional<history_file> history;
  open_history(history, opts, plain);

  asio::io_context io(1);
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  take_signals(signals, plain);
  display d;
  d.plain = plain;  // and plain from here on if the terminal cannot show a screen
  open_display(d, opts, io, signals, notes);
  session s(make_session_config(opts, d.plain, log.has_value(), history));
  tell_notes(s, notes, history);
  std::optional<chat_client> net;
  start_client(net, opts, io, std::move(connector), d);
  entry_sink sink;
  if (log) sink = [&log](std::span<const entry> entries) { return log->write(entries); };

  chunk_channel chunks(io, 64);
  input_thread input(STDIN_FILENO, chunks);
  auto [code, failure] = run_until_quit(io, chunks, d, s, signals, make_pipeline_config(opts, d, history),
                                        sink, net ? &*net : nullptr);
  if (d.out && !failure) code = finish_output(io, *d.out, signals, s, code);
  d.scr.reset();  // the terminal is ours again before anything is said on stderr
  report_log_loss(log);
  if (failure) std::rethrow_exception(failure);
  if (d.out) code = report_unwritten(*d.out, code);
  if (!d.out) print_echo_report(s);
  report_unsent(net, s);
  return code;
}

}  // namespace echochat
