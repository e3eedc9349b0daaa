// Options with CLI11, read from one table of flags: parsing, --help and the documentation tests.
#include "echochat/core/options.hpp"

#include "echochat/core/chat_mode.hpp"
#include "echochat/core/proxy.hpp"
#include "echochat/core/sanitize.hpp"
#include "echochat/version.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace echochat {
namespace {

// What parsing gathers: echo mode's values become options only if --echo came too.
struct parsing {
  options opts;
  bool echo = false;
  echo_options echo_opts;
  load_settings load;                // load mode's values: load mode if any of them came with --echo
  std::set<std::string_view> given;  // the flags that were set (not those given as --flag=false)
};

// A bare flag turns something on; `values` takes a value each time it is given.
enum class flag_kind { bare, value, values, help, version };

// One flag. A bad value throws what a CLI11 validator would (`check` is one), so the message
// names the flag and the value.
struct flag {
  std::string_view name;
  std::string_view value_name;  // empty for a flag without a value
  flag_kind kind = flag_kind::value;
  std::string_view what;
  void (*set)(parsing& p, const std::string& name, const std::string& value) = nullptr;
  std::string (*check)(std::string& value) = nullptr;  // why the value is bad, or nothing
  // Given without this other flag (set, not given as --flag=false), the run is refused.
  std::string_view needs = {};
};

std::optional<double> parse_seconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

double seconds_of(const std::string& flag, const std::string& v, double least) {
  const auto s = parse_seconds(v);
  if (!s || *s < least) {
    throw CLI::ValidationError(flag, "'" + v + "' is not a number of seconds (want a finite number >= " +
                                         (least > 0 ? std::string{"0.001"} : std::string{"0"}) + ")");
  }
  return *s;
}

std::uint64_t whole_number(const std::string& flag, const std::string& v, std::uint64_t least,
                           std::uint64_t most) {
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || ptr != v.data() + v.size() || n < least || n > most) {
    throw CLI::ValidationError(flag, "'" + v + "' is not a whole number from " + std::to_string(least) +
                                         " to " + std::to_string(most));
  }
  return n;
}

double positive_number(const std::string& flag, const std::string& v, double most) {
  const auto n = parse_seconds(v);
  if (!n || *n <= 0 || *n > most) {
    throw CLI::ValidationError(flag, "'" + v + "' is not a number above 0 and at most " +
                                         std::to_string(static_cast<std::uint64_t>(most)));
  }
  return *n;
}

void set_connect(parsing& p, const std::string& flag, const std::string& v) {
  // The address is shown (the status bar, the log, plain output): no control in it, ever.
  if (!is_safe_text(v)) {
    throw CLI::ValidationError(flag, "'" + sanitize(v) + "': an address has no control characters");
  }
  auto r = parse_address(v);
  if (const auto* why = std::get_if<std::string>(&r)) {
    throw CLI::ValidationError(flag, "'" + sanitize(v) + "': " + *why);  // one line, shown safely
  }
  p.opts.connect = std::get<address>(std::move(r));
}

std::string not_a_line(std::string& v) {
  return v.empty() || !is_safe_text(v) ? std::string{"'" + sanitize(v) + "' is not one line of text"}
                                       : std::string{};
}

std::string not_a_reply_rule(std::string& v) {
  if (std::string why = not_a_line(v); !why.empty()) return why;
  auto r = parse_reply_rule(v);
  const auto* why = std::get_if<std::string>(&r);
  return why == nullptr ? std::string{} : "'" + v + "': " + *why;
}

std::string not_a_file(std::string& v) { return CLI::ExistingFile(v); }

std::string not_a_header(std::string& v) {
  auto r = parse_http_header(v);
  const auto* why = std::get_if<std::string>(&r);
  return why == nullptr ? std::string{} : "'" + sanitize(v) + "': " + *why;
}

std::string not_a_token(std::string& v) {
  return is_http_token(v) ? std::string{} : "'" + sanitize(v) + "' is not a subprotocol name (an HTTP token)";
}

// Empty is allowed: --proxy '' turns the environment's proxy off. The password is never quoted.
std::string not_a_proxy(std::string& v) {
  if (v.empty()) return {};
  auto r = parse_proxy_url(v);
  const auto* why = std::get_if<std::string>(&r);
  return why == nullptr ? std::string{} : "'" + sanitize(masked_proxy_text(v)) + "': " + *why;
}

std::string not_a_variable(std::string& v) {
  const bool ok = !v.empty() && std::isdigit(static_cast<unsigned char>(v[0])) == 0 &&
                  std::all_of(v.begin(), v.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                  });
  return ok ? std::string{} : "'" + sanitize(v) + "' is not the name of an environment variable";
}

// In --help's order. A value is parsed once, by its flag's `set`.
constexpr auto flags = std::to_array<flag>({
    {"--help", "", flag_kind::help, "Print this help message and exit"},
    {"--version", "", flag_kind::version, "Print the version and exit"},
    {"--delay", "SECONDS", flag_kind::value,
     "Seconds until the slow task reports (fractional, 0 = at once; default 10)",
     [](auto& p, auto& f, auto& v) { p.opts.delay_seconds = seconds_of(f, v, 0); }},
    {"--connect", "ADDRESS", flag_kind::value,
     "Chat through a line server: HOST:PORT or [V6]:PORT or tcp://HOST:PORT (TCP), tls://HOST:PORT (TLS), "
     "ws://HOST[:PORT][/PATH] or wss://... (WebSocket), unix:PATH (a Unix socket)",
     set_connect},
    {"--ca", "FILE", flag_kind::value,
     "Also trust the CA or self-signed certificates in this PEM file (tls, wss)",
     [](auto& p, auto&, auto& v) { p.opts.ca_file = v; }, not_a_file},
    {"--insecure", "", flag_kind::bare,
     "Do not verify the server's certificate or name (tls, wss); the status bar says UNVERIFIED",
     [](auto& p, auto&, auto&) { p.opts.insecure = true; }},
    {"--crlf", "", flag_kind::bare,
     "With --connect: end each line sent in CR LF, as SMTP and HTTP require (tcp, tls, unix; a WebSocket "
     "message carries no line end). A received CR LF is one line end either way",
     [](auto& p, auto&, auto&) { p.opts.crlf = true; }, nullptr, "--connect"},
    {"--cert", "FILE", flag_kind::value,
     "With a tls:// or wss:// address: present this client certificate (PEM; mutual TLS). Its key comes "
     "from --key, or from this file too",
     [](auto& p, auto&, auto& v) { p.opts.cert_file = v; }, not_a_file, "--connect"},
    {"--key", "FILE", flag_kind::value,
     "With --cert: the certificate's private key (PEM). An encrypted key's passphrase is asked for on "
     "the terminal before the screen starts, or read from --key-passphrase-env; never from the command line",
     [](auto& p, auto&, auto& v) { p.opts.key_file = v; }, not_a_file, "--cert"},
    {"--key-passphrase-env", "NAME", flag_kind::value,
     "With --cert: read the key's passphrase from the environment variable NAME",
     [](auto& p, auto&, auto& v) { p.opts.key_passphrase_env = v; }, not_a_variable, "--cert"},
    {"--header", "HEADER", flag_kind::values,
     "With a ws:// or wss:// address: add HEADER, 'Name: value', to the upgrade request (repeatable; an "
     "Authorization "
     "or Cookie value is masked wherever it is shown or logged)",
     [](auto& p, auto&, auto& v) { p.opts.headers.push_back(std::get<http_header>(parse_http_header(v))); },
     not_a_header, "--connect"},
    {"--protocol", "NAME", flag_kind::values,
     "With a ws:// or wss:// address: offer this subprotocol (repeatable, in order of preference); the "
     "server must choose one of them, shown on the status bar",
     [](auto& p, auto&, auto& v) { p.opts.protocols.push_back(v); }, not_a_token, "--connect"},
    {"--origin", "URL", flag_kind::value,
     "With a ws:// or wss:// address: the Origin the upgrade request names (as a browser page's would)",
     [](auto& p, auto&, auto& v) { p.opts.origin = v; }, not_a_line, "--connect"},
    {"--no-compress", "", flag_kind::bare,
     "With a ws:// or wss:// address: do not offer permessage-deflate (offered by default; the status bar "
     "says deflate when the server takes it)",
     [](auto& p, auto&, auto&) { p.opts.no_compress = true; }, nullptr, "--connect"},
    {"--proxy", "URL", flag_kind::value,
     "With --connect: reach a tcp, tls, ws or wss server through this proxy: socks5://HOST[:PORT] (echochat "
     "resolves the server's name), socks5h://HOST[:PORT] (the proxy resolves it) or http://HOST[:PORT] (HTTP "
     "CONNECT), port 1080 unless given, with USER:PASSWORD@ before HOST if the proxy wants them. Without it "
     "ALL_PROXY, HTTPS_PROXY (tls, wss), http_proxy (tcp, ws) and NO_PROXY apply as for curl; --proxy '' "
     "turns them off. A password on the command line is seen by other users of the system until echochat "
     "hides it: put the URL in ALL_PROXY instead",
     [](auto& p, auto&, auto& v) { p.opts.proxy = v; }, not_a_proxy, "--connect"},
    {"--log", "FILE", flag_kind::value, "Append every entry, with an ISO 8601 time, to FILE",
     [](auto& p, auto&, auto& v) { p.opts.log_file = v; }},
    {"--plain", "", flag_kind::bare, "Plain lines on stdout, no screen (the default without a terminal)",
     [](auto& p, auto&, auto&) { p.opts.plain = true; }},
    {"--no-history", "", flag_kind::bare,
     "Chat mode: do not read or write the history file (nothing is recorded with --plain either)",
     [](auto& p, auto&, auto&) { p.opts.history = false; }},
    {"--mouse", "", flag_kind::bare,
     "The mouse wheel scrolls (SGR 1006 mouse reporting); off by default, so that the terminal's own text "
     "selection keeps working",
     [](auto& p, auto&, auto&) { p.opts.mouse = true; }},
    {"--on-connect", "LINE", flag_kind::values,
     "A line sent first at every connect, before the lines waiting (repeatable; NICK, USER, AUTH)",
     [](auto& p, auto&, auto& v) { p.opts.on_connect.push_back(v); }, not_a_line, "--connect"},
    {"--reply", "PATTERN=ANSWER", flag_kind::values,
     "When a whole line received matches PATTERN, send ANSWER; a * ending PATTERN captures the rest and * in "
     "ANSWER puts it back (repeatable; 'PING *=PONG *')",
     [](auto& p, auto&, auto& v) { p.opts.replies.push_back(std::get<reply_rule>(parse_reply_rule(v))); },
     not_a_reply_rule, "--connect"},
    {"--echo", "", flag_kind::bare, "With --connect: the server echoes; show each line's round trip",
     [](auto& p, auto&, auto&) { p.echo = true; }, nullptr, "--connect"},
    {"--count", "N", flag_kind::value, "With --echo: send N probe lines, print the summary and exit",
     [](auto& p, auto& f, auto& v) { p.echo_opts.count = whole_number(f, v, 1, 1'000'000'000); }, nullptr,
     "--echo"},
    {"--interval", "SECONDS", flag_kind::value,
     "With --echo: seconds between probes (fractional, at least 0.001; default 1)",
     [](auto& p, auto& f, auto& v) { p.echo_opts.interval_seconds = seconds_of(f, v, 0.001); }, nullptr,
     "--echo"},
    {"--size", "BYTES", flag_kind::value, "With --echo: pad each probe line to BYTES bytes",
     [](auto& p, auto& f, auto& v) {
       p.echo_opts.size = static_cast<std::size_t>(whole_number(f, v, 1, 65'536));
     },
     nullptr, "--echo"},
    {"--connect-timeout", "SECONDS", flag_kind::value,
     "With --connect: give up an attempt (resolving, connecting, the TLS handshake, the WebSocket upgrade) "
     "after SECONDS, then retry as after any failure (fractional, at least 0.001; default 10)",
     [](auto& p, auto& f, auto& v) { p.opts.connect_timeout_seconds = seconds_of(f, v, 0.001); }, nullptr,
     "--connect"},
    {"--dead-after", "SECONDS", flag_kind::value,
     "With --connect: a connection on which nothing has come for SECONDS, TCP keepalives (and WebSocket "
     "pings) unanswered or lines sent unacknowledged, is lost and reconnected (whole seconds, 0 = never; "
     "default 15)",
     [](auto& p, auto& f, auto& v) {
       p.opts.dead_after_seconds = static_cast<std::uint32_t>(whole_number(f, v, 0, 86'400));
     },
     nullptr, "--connect"},
    {"--resend-unacked", "", flag_kind::bare,
     "With --connect: lines a connection that died had not had acknowledged are sent again on the next "
     "(at least once: they may arrive twice); without it they are marked 'not acknowledged'",
     [](auto& p, auto&, auto&) { p.opts.resend_unacked = true; }, nullptr, "--connect"},
    {"--linger", "SECONDS", flag_kind::value,
     "With --connect, after the end of piped input: wait at most SECONDS of silence for the server's "
     "replies, then close (default: 2 over tls, ws and wss, which do not half-close; until the server "
     "closes otherwise). No reply at all to the last line is exit 1",
     [](auto& p, auto& f, auto& v) { p.opts.linger_seconds = seconds_of(f, v, 0); }, nullptr, "--connect"},
    {"--echo-timeout", "SECONDS", flag_kind::value,
     "With --echo: a line not echoed within SECONDS is lost (default 5)",
     [](auto& p, auto& f, auto& v) { p.echo_opts.timeout_seconds = seconds_of(f, v, 0.001); }, nullptr,
     "--echo"},
    {"--connections", "N", flag_kind::value,
     "With --echo, load mode: open N connections (default 1) and send over all of them (see Load mode)",
     [](auto& p, auto& f, auto& v) {
       p.load.connections = static_cast<std::uint32_t>(whole_number(f, v, 1, 1'000'000));
     },
     nullptr, "--echo"},
    {"--rate", "RATE", flag_kind::value,
     "With --echo, load mode: send RATE messages a second over all connections, each due at its planned "
     "time (open loop; latency counts from that time); without it each connection keeps one message in "
     "flight (closed loop)",
     [](auto& p, auto& f, auto& v) { p.load.rate = positive_number(f, v, 10'000'000); }, nullptr, "--echo"},
    {"--duration", "SECONDS", flag_kind::value,
     "With --echo, load mode: send for SECONDS after the warm-up, then wait for the last echoes and print "
     "the summary (without it and --count: until q or Ctrl-C)",
     [](auto& p, auto& f, auto& v) { p.load.duration = seconds_of(f, v, 0.001); }, nullptr, "--echo"},
    {"--warmup", "SECONDS", flag_kind::value,
     "With --echo, load mode: the first SECONDS are measured and shown but not counted in the summary",
     [](auto& p, auto& f, auto& v) { p.load.warmup = seconds_of(f, v, 0); }, nullptr, "--echo"},
    {"--connect-rate", "RATE", flag_kind::value,
     "With --echo, load mode: open at most RATE new connections a second (default: all at once)",
     [](auto& p, auto& f, auto& v) { p.load.connect_rate = positive_number(f, v, 1'000'000); }, nullptr,
     "--echo"},
    {"--json", "FILE", flag_kind::value,
     "With --echo, load mode: write the summary to FILE as one JSON object ('-': standard output)",
     [](auto& p, auto&, auto& v) { p.load.json = v; }, nullptr, "--echo"},
    {"--histogram-log", "FILE", flag_kind::value,
     "With --echo, load mode: write each second's latencies to FILE in HdrHistogram's interval log "
     "format, to merge runs with any HdrHistogram tool",
     [](auto& p, auto&, auto& v) { p.load.histogram_log = v; }, nullptr, "--echo"},
});

constexpr std::string_view keys_help =
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
    "  mouse wheel   with --mouse: scrolls three rows\n";

constexpr std::string_view history_help =
    "History (chat): lines sent are kept in $XDG_STATE_HOME/echochat/history (default\n"
    "~/.local/state/echochat/history), 1,000 lines, with the --connect value; Up and Ctrl-R\n"
    "meet the lines sent to the same destination first.";

// A command's line in --help: how it is typed ("/find TEXT") in the keys' left column, and what
// it does.
std::string command_help(const chat_command& c) {
  std::string line = "  " + std::string{c.usage};
  line.resize(std::max<std::size_t>(line.size() + 1, 16), ' ');
  return line + std::string{c.what} + "\n";
}

// The chat commands as chat mode lists them.
std::string chat_commands_help() {
  std::string out = "Chat commands (a line that starts with a slash; //text sends /text):\n";
  for (const chat_command& c : chat_commands()) out += command_help(c);
  return out;
}

void apply_flag(parsing& p, const flag& f, const std::string& name, const std::string& value) {
  p.given.insert(f.name);
  f.set(p, name, value);
}

CLI::Option* add_value_flag(CLI::App& app, const flag& f, parsing& p) {
  const std::string name{f.name};
  if (f.kind == flag_kind::value) {
    return app.add_option_function<std::string>(
        name, [&p, f, name](const std::string& v) { apply_flag(p, f, name, v); }, std::string{f.what});
  }
  return app
      .add_option_function<std::vector<std::string>>(
          name,
          [&p, f, name](const std::vector<std::string>& vs) {
            for (const auto& v : vs) apply_flag(p, f, name, v);
          },
          std::string{f.what})
      ->allow_extra_args(false);
}

void add_flag(CLI::App& app, const flag& f, parsing& p) {
  const std::string name{f.name};
  switch (f.kind) {
    case flag_kind::help: app.set_help_flag("-h," + name, std::string{f.what}); return;
    case flag_kind::version:
      app.set_version_flag(name, std::string{"echochat "} + version, std::string{f.what});
      return;
    case flag_kind::bare:
      app.add_flag_callback(
          name, [&p, f, name] { apply_flag(p, f, name, {}); }, std::string{f.what});
      return;
    case flag_kind::value:
    case flag_kind::values: break;
  }
  CLI::Option* o = add_value_flag(app, f, p)->type_name(std::string{f.value_name});
  // No description: CLI11 would show it after the value's name ("FILE:FILE").
  if (f.check != nullptr) o->check(CLI::Validator(f.check, ""));
}

// Which flag needs which: one line naming the flag, exit 2.
std::optional<parse_exit> missing_partner(const parsing& p) {
  for (const flag& f : flags) {
    if (f.needs.empty() || !p.given.contains(f.name) || p.given.contains(f.needs)) continue;
    return parse_exit{
        2, {}, "echochat: " + std::string{f.name} + " needs " + std::string{f.needs} + " (see --help)\n"};
  }
  return std::nullopt;
}

// A flag for one kind of address given with another: one line naming both, exit 2.
std::optional<parse_exit> wrong_transport(const parsing& p) {
  if (!p.opts.connect) return std::nullopt;
  const transport kind = p.opts.connect->kind;
  const bool ws = kind == transport::ws || kind == transport::wss;
  for (std::string_view f : {"--header", "--protocol", "--origin", "--no-compress"}) {
    if (p.given.contains(f) && !ws) {
      return parse_exit{
          2, {}, "echochat: " + std::string{f} + " is for ws:// and wss:// addresses (see --help)\n"};
    }
  }
  if (p.opts.proxy && !p.opts.proxy->empty() && kind == transport::unix_socket) {
    return parse_exit{
        2, {}, "echochat: --proxy is for tcp://, tls://, ws:// and wss:// addresses (see --help)\n"};
  }
  if (p.given.contains("--cert") && !uses_tls(kind)) {
    return parse_exit{2, {}, "echochat: --cert is for tls:// and wss:// addresses (see --help)\n"};
  }
  return std::nullopt;
}

// Runs the parse (the flags fill `p`); a bad argument, --help, --version or a flag without the
// flag it needs ends the run with what to say.
std::optional<parse_exit> parse_into(CLI::App& app, const parsing& p, const std::vector<std::string>& args) {
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
  if (auto missing = missing_partner(p)) return missing;
  return wrong_transport(p);
}

// The flags that make --echo load mode.
constexpr std::string_view load_flags[] = {"--connections",  "--rate", "--duration",     "--warmup",
                                           "--connect-rate", "--json", "--histogram-log"};

// Load mode: --echo and any of its flags. Echo mode's --count, --size and --echo-timeout carry
// over; what makes no sense under a load (one line a second, lines of the user's) is refused.
std::optional<parse_exit> load_mode_of(parsing& p) {
  if (!p.echo || std::none_of(std::begin(load_flags), std::end(load_flags),
                              [&](std::string_view f) { return p.given.contains(f); })) {
    return std::nullopt;
  }
  for (std::string_view f :
       {"--interval", "--on-connect", "--reply", "--log", "--resend-unacked", "--linger"}) {
    if (p.given.contains(f)) {
      return parse_exit{
          2, {}, "echochat: " + std::string{f} + " is not for load mode (see Load mode in --help)\n"};
    }
  }
  load_settings& l = p.load;
  l.count = p.echo_opts.count;
  if (p.echo_opts.size != 0) l.size = p.echo_opts.size;
  l.timeout = p.echo_opts.timeout_seconds;
  if (l.duration && l.count != 0) {
    return parse_exit{2, {}, "echochat: --duration and --count both end the run: give one (see --help)\n"};
  }
  p.opts.load = l;
  return std::nullopt;
}

}  // namespace

std::vector<argument_secret> argument_secrets(const std::vector<std::string>& args) {
  constexpr std::string_view joined = "--proxy=";
  std::vector<argument_secret> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::size_t arg = i;
    std::size_t skip = 0;
    if (args[i] == "--proxy" && i + 1 < args.size()) {
      arg = ++i;
    } else if (args[i].starts_with(joined)) {
      skip = joined.size();
    } else {
      continue;
    }
    if (auto span = proxy_password_span(std::string_view{args[arg]}.substr(skip))) {
      out.push_back({arg, skip + span->first, span->second});
    }
  }
  return out;
}

std::vector<flag_name> option_flags() {
  std::vector<flag_name> out;
  out.reserve(std::size(flags));
  for (const flag& f : flags) out.push_back({f.name, f.value_name});
  return out;
}

// CLI11 2.1's App::clear(), which parse() calls when it parses again, leaves the order the options
// came in (CLI11 issue 1216, fixed in later versions): an App parsed again and again would keep a
// pointer for every option it ever parsed.
struct reusable_app : CLI::App {
  using CLI::App::App;
  void forget_parse_order() { parse_order_.clear(); }
};

struct option_parser::impl {
  parsing p;
  reusable_app app{"echochat: every key you type shows at once; a slow task reports in while you type.",
                   "echochat"};
  impl() {
    app.footer(std::string{keys_help} + chat_commands_help() + std::string{history_help});
    for (const flag& f : flags) add_flag(app, f, p);
  }
};

option_parser::option_parser() : impl_(std::make_unique<impl>()) {}
option_parser::option_parser(option_parser&&) noexcept = default;
option_parser& option_parser::operator=(option_parser&&) noexcept = default;
option_parser::~option_parser() = default;

std::variant<options, parse_exit> option_parser::parse(const std::vector<std::string>& args) {
  parsing& p = impl_->p;
  p = parsing{};  // CLI11 clears its own results when it parses again
  impl_->app.forget_parse_order();
  if (auto done = parse_into(impl_->app, p, args)) return *done;
  if (auto refused = load_mode_of(p)) return *refused;
  if (p.echo) p.opts.echo = p.echo_opts;
  return p.opts;
}

std::variant<options, parse_exit> parse_options(const std::vector<std::string>& args) {
  return option_parser{}.parse(args);
}

}  // namespace echochat
