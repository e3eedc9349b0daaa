// --help, the man page and the README name the flags of the options table, and --help names every key.
#include "echochat/core/options.hpp"
#include "echochat/version.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace echochat;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every long flag mentioned ("--delay"; the man page writes it "\-\-delay").
std::set<std::string> flags_in(std::string text) {
  text = std::regex_replace(text, std::regex(R"(\\-)"), "-");
  std::set<std::string> out;
  const std::regex flag(R"(--[a-z][a-z-]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

std::string help_text() {
  auto r = parse_options({"--help"});
  REQUIRE(std::holds_alternative<parse_exit>(r));
  return std::get<parse_exit>(r).out;
}

}  // namespace

TEST_CASE("the man page lists exactly the flags that --help lists", "[docs]") {
  const auto help = flags_in(help_text());
  const std::string page = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/docs/echochat.1.in");
  const auto start = page.find(".SH OPTIONS");
  const auto end = page.find(".SH", start + 3);
  REQUIRE(start != std::string::npos);
  const auto man = flags_in(page.substr(start, end - start));
  std::set<std::string> table;
  for (const flag_name& f : option_flags()) table.insert(std::string{f.name});
  CHECK(help == table);
  CHECK(man == help);
}

TEST_CASE("the man page gives each flag's value the name --help gives it", "[docs]") {
  std::string page = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/docs/echochat.1.in");
  page = std::regex_replace(page, std::regex(R"(\\-)"), "-");
  for (const flag_name& f : option_flags()) {
    if (f.value_name.empty()) continue;
    CHECK_THAT(page,
               Catch::Contains(".BI " + std::string{f.name} + " \" " + std::string{f.value_name} + "\""));
  }
}

TEST_CASE("the README's flag table lists exactly the flags that --help lists", "[docs]") {
  const std::string readme = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/README.md");
  const auto start = readme.find("### Flags");
  const auto end = readme.find("###", start + 3);
  REQUIRE(start != std::string::npos);
  CHECK(flags_in(readme.substr(start, end - start)) == flags_in(help_text()));
}

namespace {

// Every key and chat command the user is told of.
constexpr const char* keys_and_commands[] = {
    "q",     "Ctrl-D", "Ctrl-C", "Ctrl-Z", "PgUp",   "PgDn",   "Enter", "Backspace", "Left",
    "Right", "Home",   "End",    "Del",    "Ctrl-U", "Ctrl-W", "Up",    "Down",      "Esc",
    "/quit", "/help",  "//",     "Ctrl-R", "Ctrl-S", "Ctrl-G", "/find", "/secret",   "wheel"};

}  // namespace

TEST_CASE("the help names every key and chat command", "[docs]") {
  const std::string help = help_text();
  for (const char* k : keys_and_commands) CHECK_THAT(help, Catch::Contains(k));
}

TEST_CASE("the man page and the README name every key and chat command that --help names", "[docs]") {
  std::string page = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/docs/echochat.1.in");
  page = std::regex_replace(page, std::regex(R"(\\-)"), "-");
  const std::string readme = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/README.md");
  for (const char* k : keys_and_commands) {
    CHECK_THAT(page, Catch::Contains(k));
    CHECK_THAT(readme, Catch::Contains(k));
  }
  // Chat mode's quitting, said the same way in all three.
  CHECK_THAT(help_text(), Catch::Contains("in chat mode q is a letter"));
  CHECK_THAT(page, Catch::Contains("in chat mode q is a letter"));
  CHECK_THAT(readme, Catch::Contains("in chat mode q is a letter"));
}

TEST_CASE("the changelog has a section for this version and the man page takes its version from the build",
          "[docs]") {
  const std::string changelog = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/CHANGELOG.md");
  CHECK_THAT(changelog, Catch::Contains("## [" + std::string{version} + "] - "));
  const std::string page = read_file(std::string{ECHOCHAT_SOURCE_DIR} + "/docs/echochat.1.in");
  CHECK_THAT(page, Catch::Contains("\"echochat @PROJECT_VERSION@\""));
}
