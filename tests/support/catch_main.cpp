// The test runner's main: a UTF-8 locale first, since widths come from wcwidth.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <clocale>
#include <csignal>

int main(int argc, char* argv[]) {
  if (std::setlocale(LC_ALL, "C.UTF-8") == nullptr) std::setlocale(LC_ALL, "");
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
