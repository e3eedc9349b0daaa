// --log FILE: every entry of every source appended with an ISO 8601 time and its source tag,
// one write per entry, so a crash loses nothing already shown.
#pragma once

#include "echochat/core/transcript.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace echochat {

class log_file {
 public:
  // Opens (creating, appending) `path` without ever blocking: a FIFO nobody reads is an error,
  // as is any path that cannot be opened. Throws std::runtime_error saying why.
  explicit log_file(const std::string& path);
  ~log_file();
  log_file(const log_file&) = delete;
  log_file& operator=(const log_file&) = delete;

  // Appends each entry whole or not at all (a torn line is cut back off). The first write that
  // fails stops the log: it returns what to tell the user (the path and the error), and from then
  // on every entry is counted as not logged. Returns nothing otherwise.
  std::optional<std::string> write(std::span<const entry> entries);

  bool failed() const { return error_ != 0; }
  // Entries not logged since the first failure, that one included.
  std::size_t lost() const { return lost_; }
  // The path (escaped for showing) and the error of the first failure.
  std::string failure() const;

 private:
  bool write_whole(const std::string& line);

  int fd_ = -1;
  std::string path_;
  int error_ = 0;
  std::size_t lost_ = 0;
};

// "2026-11-25T19:04:01+01:00 you hello" (local time with its offset), without the newline.
std::string log_line(const entry& e);

}  // namespace echochat
