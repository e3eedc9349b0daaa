// --log FILE: every entry of every source appended with an ISO 8601 time and its source tag,
// one write per entry, so a crash loses nothing already shown.
#pragma once

#include "echochat/core/transcript.hpp"

#include <span>
#include <string>

namespace echochat {

class log_file {
 public:
  // Opens (creating, appending) `path`; throws std::runtime_error saying why it cannot.
  explicit log_file(const std::string& path);
  ~log_file();
  log_file(const log_file&) = delete;
  log_file& operator=(const log_file&) = delete;

  void write(std::span<const entry> entries);

 private:
  int fd_ = -1;
};

// "2026-11-25T19:04:01+01:00 you hello" (local time with its offset), without the newline.
std::string log_line(const entry& e);

}  // namespace echochat
