// Options with CLI11: validators give each bad value one clear line naming the flag and value.
#include "echochat/core/options.hpp"

#include "echochat/core/sanitize.hpp"
#include "echochat/version.hpp"

#include <CLI/CLI.hpp>

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
      "  q             quit (in chat mode: on an empty input line; otherwise a letter)\n"
      "  Ctrl-C        quit\n"
      "  Ctrl-Z        suspend (fg resumes)\n"
      "  PgUp / PgDn   scroll the transcript; typing jumps back to the live end\n"
      "  Enter         local echo: a new entry; chat: send the input line\n"
      "  Backspace     remove the last character or named key\n"
      "  other keys    local echo shows them by name: <Up> <F5> <C-a> <M-x> <Esc>\n"
      "  chat mode     Left Right Home End Del Ctrl-U Ctrl-W edit the input line; Up Down walk its history");
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
    return parse_exit{2, {}, std::string{"echochat: "} + e.what() + " (see --help)\n"};
  }
  return opts;
}

}  // namespace echochat
