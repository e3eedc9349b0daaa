// echochat's entry point: parse the options, run, report.
#include "echochat/app/app.hpp"
#include "echochat/core/options.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = echochat::parse_options(args);
  if (auto* done = std::get_if<echochat::parse_exit>(&parsed)) {
    std::fputs(done->out.c_str(), stdout);
    std::fputs(done->err.c_str(), stderr);
    return done->code;
  }
  try {
    return echochat::run(std::get<echochat::options>(parsed));
  } catch (const std::exception& e) {
    // The screen and the input thread were unwound before we got here: the terminal is back.
    std::fprintf(stderr, "echochat: %s\n", e.what());
    return 1;
  }
}
