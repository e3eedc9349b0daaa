// Test support: a scratch directory removed afterwards, and a file read back line by line.
#pragma once

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <stdlib.h>  // mkdtemp

namespace echochat::testing {

// A directory of its own under the temporary directory, removed afterwards. `prefix` names the
// directory, so that one a failed run leaves behind says which tests made it.
struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(std::string_view prefix = "echochat-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / prefix).string();
    pattern += "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

// Every line of the file at `p`, without the newlines.
inline std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace echochat::testing
