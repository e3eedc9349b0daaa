// The history file on disk: read (and compacted) once at start, then one write per line sent.
// Never a reason not to start: what goes wrong is said in `problems`, for sys entries.
#pragma once

#include "echochat/core/history.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace echochat {

class history_file {
 public:
  // Creates the directories (0700) and the file (0600) as needed, makes the file 0600, reads
  // it, and writes it again when it is over the limit or damaged. Never waits: anything but a
  // regular file at the path (a FIFO, a device) is refused, said in `problems`.
  explicit history_file(std::string path, std::size_t limit = history_file_limit);
  ~history_file();
  history_file(const history_file&) = delete;
  history_file& operator=(const history_file&) = delete;

  const std::string& path() const { return path_; }
  // The lines read, oldest first.
  const std::vector<history_record>& records() const { return records_; }
  // What went wrong, one sentence each, for sys entries.
  const std::vector<std::string>& problems() const { return problems_; }
  // Whether lines can be appended.
  bool writable() const { return fd_ >= 0; }

  // Appends one line with one write() (O_APPEND) to the file the path names now (another
  // echochat may have compacted it since), under a shared flock. A failed write (a full disk) is
  // dropped: the chat goes on without it.
  void append(std::string_view destination, std::string_view text);

 private:
  // False when the path is no regular file: then nothing is kept.
  bool load(std::size_t limit);
  // Writes the newest `limit` records over the file; called under its exclusive flock.
  void compact(const parsed_history& h, std::size_t limit);
  std::string not_regular_problem(const char* kind) const;

  std::string path_;
  int fd_ = -1;
  std::vector<history_record> records_;
  std::vector<std::string> problems_;
};

}  // namespace echochat
