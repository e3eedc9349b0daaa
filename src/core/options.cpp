// Options with CLI11: validators give each bad value one clear line naming the flag and value.
#include "echochat/core/options.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/version.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace echochat {
namespace {

std::optional<double> parse_seconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

}  // namespace

std::variant<options, parse_exit> parse_options(const std::vector<std::string>& args) {
  options opts;
  CLI::App app{"echochat: every key you type shows at once; a slow task reports in while you type.",
               "echochat"};
  app.footer(
      "Keys:\n"
      "  q             quit (local echo; in chat mode q is a letter)\n"
      "  Ctrl-D        chat mode: quit, on an empty input line\n"
      "  Ctrl-C        quit\n"
      "  Ctrl-Z        suspend (fg resumes)\n"
      "  PgUp / PgDn   scroll the transcript; typing jumps back to the live end\n"
      "  Enter         local echo: a new entry; chat: send the input line\n"
      "  Backspace     remove the last character or named key\n"
      "  other keys    local echo shows them by name: <Up> <F5> <C-a> <M-x> <Esc>\n"
      "  chat mode     Left Right Home End Del Ctrl-U Ctrl-W edit the input line; Up Down walk its history\n"
      "  Ctrl-R        chat: search the lines sent (type to narrow, Ctrl-R older, Backspace widens,\n"
      "                Enter sends, Esc or a movement key edits the match, Ctrl-G cancels)\n"
      "  Ctrl-S        chat: find text in the transcript (also /find TEXT): Up or Ctrl-R older match,\n"
      "                Down or Ctrl-S newer, Enter stays there, Esc back to the live end\n"
      "  mouse wheel   with --mouse: scrolls three rows\n"
      "Chat commands (a line that starts with a slash; //text sends /text):\n"
      "  /quit         quit\n"
      "  /help         list the keys and commands\n"
      "  /find TEXT    search the transcript back for TEXT\n"
      "  /secret       on or off: lines sent meanwhile stay out of the history file (the status bar\n"
      "                says secret while it is on)\n"
      "History (chat): lines sent are kept in $XDG_STATE_HOME/echochat/history (default\n"
      "~/.local/state/echochat/history), 1,000 lines, with the --connect value; Up and Ctrl-R\n"
      "meet the lines sent to the same destination first.");
  app.set_version_flag("--version", std::string{"echochat "} + version, "Print the version and exit");

  // Each value is parsed once, by its option's callback. A bad one throws what a CLI11 validator
  // would, so the message names the flag and the value.
  const auto set_delay = [&opts](const std::string& v) {
    const auto seconds = parse_seconds(v);
    if (!seconds) {
      throw CLI::ValidationError("--delay",
                                 "'" + v + "' is not a number of seconds (want a finite number >= 0)");
    }
    opts.delay_seconds = *seconds;
  };
  app.add_option_function<std::string>(
         "--delay", set_delay, "Seconds until the slow task reports (fractional, 0 = at once; default 10)")
      ->type_name("SECONDS");
  const auto set_connect = [&opts](const std::string& v) {
    // The address is shown (the status bar, the log, plain output): no control in it, ever.
    if (!is_safe_text(v)) {
      throw CLI::ValidationError("--connect", "'" + sanitize(v) + "': an address has no control characters");
    }
    auto r = parse_address(v);
    if (const auto* why = std::get_if<std::string>(&r)) {
      throw CLI::ValidationError("--connect", "'" + sanitize(v) + "': " + *why);  // one line, shown safely
    }
    opts.connect = std::get<address>(std::move(r));
  };
  app.add_option_function<std::string>(
         "--connect", set_connect,
         "Chat through a line server: HOST:PORT or [V6]:PORT or tcp://HOST:PORT (TCP), tls://HOST:PORT (TLS), "
         "ws://HOST[:PORT][/PATH] or wss://... (WebSocket), unix:PATH (a Unix socket)")
      ->type_name("ADDRESS");
  const auto set_ca = [&opts](const std::string& file) { opts.ca_file = file; };
  app.add_option_function<std::string>("--ca", set_ca,
                                       "Also trust the CA or self-signed certificates in this PEM file (tls, wss)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", opts.insecure,
               "Do not verify the server's certificate or name (tls, wss); the status bar says UNVERIFIED");
  const auto set_log = [&opts](const std::string& file) { opts.log_file = file; };
  app.add_option_function<std::string>("--log", set_log, "Append every entry, with an ISO 8601 time, to FILE")
      ->type_name("FILE");
  app.add_flag("--plain", opts.plain, "Plain lines on stdout, no screen (the default without a terminal)");
  app.add_flag_callback(
      "--no-history", [&opts] { opts.history = false; },
      "Chat mode: do not read or write the history file (nothing is recorded with --plain either)");
  app.add_flag("--mouse", opts.mouse,
               "The mouse wheel scrolls (SGR 1006 mouse reporting); off by default, so that the "
               "terminal's own text selection keeps working");
  const auto safe_line = CLI::Validator(
      [](std::string& v) {
        return v.empty() || !is_safe_text(v) ? std::string{"'" + sanitize(v) + "' is not one line of text"}
                                             : std::string{};
      },
      "LINE");
  app.add_option("--on-connect", opts.on_connect,
                 "A line sent first at every connect, before the lines waiting (repeatable; NICK, USER, AUTH)")
      ->type_name("LINE")
      ->allow_extra_args(false)
      ->check(safe_line);
  std::vector<std::string> replies;
  app.add_option("--reply", replies,
                 "When a whole line received matches PATTERN, send ANSWER; a * ending PATTERN captures the "
                 "rest and * in ANSWER puts it back (repeatable; 'PING *=PONG *')")
      ->type_name("PATTERN=ANSWER")
      ->allow_extra_args(false)
      ->check(safe_line)
      ->check(CLI::Validator(
          [](std::string& v) {
            auto r = parse_reply_rule(v);
            const auto* why = std::get_if<std::string>(&r);
            return why == nullptr ? std::string{} : "'" + v + "': " + *why;
          },
          "PATTERN=ANSWER"));

  // Echo mode. Each value is checked here; which flags need which is checked after parsing.
  bool echo = false;
  echo_options eo;
  auto* echo_flag = app.add_flag("--echo", echo, "With --connect: the server echoes; show each line's round trip");
  const auto seconds_of = [](const char* flag, const std::string& v, double least) {
    const auto s = parse_seconds(v);
    if (!s || *s < least) {
      throw CLI::ValidationError(flag, "'" + v + "' is not a number of seconds (want a finite number >= " +
                                           (least > 0 ? std::string{"0.001"} : std::string{"0"}) + ")");
    }
    return *s;
  };
  const auto whole_number = [](const char* flag, const std::string& v, std::uint64_t least, std::uint64_t most) {
    std::uint64_t n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || ptr != v.data() + v.size() || n < least || n > most) {
      throw CLI::ValidationError(flag, "'" + v + "' is not a whole number from " + std::to_string(least) + " to " +
                                           std::to_string(most));
    }
    return n;
  };
  auto* count = app.add_option_function<std::string>(
                       "--count", [&](const std::string& v) { eo.count = whole_number("--count", v, 1, 1'000'000'000); },
                       "With --echo: send N probe lines, print the summary and exit")
                    ->type_name("N");
  auto* interval = app.add_option_function<std::string>(
                          "--interval",
                          [&](const std::string& v) { eo.interval_seconds = seconds_of("--interval", v, 0.001); },
                          "With --echo: seconds between probes (fractional, at least 0.001; default 1)")
                       ->type_name("SECONDS");
  auto* size = app.add_option_function<std::string>(
                      "--size",
                      [&](const std::string& v) {
                        eo.size = static_cast<std::size_t>(whole_number("--size", v, 1, 65'536));
                      },
                      "With --echo: pad each probe line to BYTES bytes")
                   ->type_name("BYTES");
  auto* connect_timeout =
      app.add_option_function<std::string>(
             "--connect-timeout",
             [&](const std::string& v) {
               opts.connect_timeout_seconds = seconds_of("--connect-timeout", v, 0.001);
             },
             "With --connect: give up an attempt (resolving, connecting, the TLS handshake, the WebSocket "
             "upgrade) after SECONDS, then retry as after any failure "
             "(fractional, at least 0.001; default 10)")
          ->type_name("SECONDS");
  auto* timeout = app.add_option_function<std::string>(
                         "--echo-timeout",
                         [&](const std::string& v) { eo.timeout_seconds = seconds_of("--echo-timeout", v, 0.001); },
                         "With --echo: a line not echoed within SECONDS is lost (default 5)")
                      ->type_name("SECONDS");

  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  argv.push_back("echochat");
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    return parse_exit{0, app.help(), {}};
  } catch (const CLI::CallForVersion&) {
    return parse_exit{0, std::string{"echochat "} + version + "\n", {}};
  } catch (const CLI::ParseError& e) {
    // The message quotes what was given: escaped, so no flag can drive the terminal.
    return parse_exit{2, {}, std::string{"echochat: "} + sanitize(e.what()) + " (see --help)\n"};
  }
  // Which flag needs which: one line naming the flag, exit 2.
  const auto needs = [](const char* flag, const char* other) {
    return parse_exit{2, {}, std::string{"echochat: "} + flag + " needs " + other + " (see --help)\n"};
  };
  if (echo && !opts.connect) return needs("--echo", "--connect");
  if (connect_timeout->count() > 0 && !opts.connect) return needs("--connect-timeout", "--connect");
  for (const auto* o : {count, interval, size, timeout}) {
    if (o->count() > 0 && !echo) return needs(o->get_name().c_str(), "--echo");
  }
  if (echo_flag->count() > 0) opts.echo = eo;
  if ((!opts.on_connect.empty() || !replies.empty()) && !opts.connect) {
    return needs(opts.on_connect.empty() ? "--reply" : "--on-connect", "--connect");
  }
  for (const auto& r : replies) opts.replies.push_back(std::get<reply_rule>(parse_reply_rule(r)));
  return opts;
}

}  // namespace echochat
