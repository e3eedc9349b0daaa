// The log file: O_APPEND, one write() per entry (no user-space buffer to lose), whole entries only.
#include "echochat/edges/log_file.hpp"

#include "echochat/core/sanitize.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace echochat {

std::string log_line(const entry& e) {
  std::tm tm{};
  localtime_r(&e.time, &tm);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  const long minutes = tm.tm_gmtoff / 60;
  const int off = static_cast<int>((minutes < 0 ? -minutes : minutes) % (24 * 60));
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", minutes < 0 ? '-' : '+', off / 60, off % 60);
  std::string line = stamp;
  line += zone;
  line.push_back(' ');
  line += source_tag(e.src);
  line.push_back(' ');
  line += e.text;
  return line;
}

log_file::log_file(const std::string& path) : path_(path) {
  // O_NONBLOCK so that a FIFO with no reader fails at once (ENXIO) instead of blocking before the
  // terminal is touched; writes then block as usual, so an entry goes whole or not at all.
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
  if (fd_ < 0) {
    const int e = errno;
    if (e == ENXIO) throw std::runtime_error("--log: '" + sanitize(path) + "' is a FIFO that nobody reads");
    throw std::runtime_error("--log: cannot open '" + sanitize(path) + "': " + std::strerror(e));
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
}

log_file::~log_file() {
  if (fd_ >= 0) ::close(fd_);
}

std::string log_file::failure() const { return "'" + sanitize(path_) + "': " + std::strerror(error_); }

bool log_file::write_whole(const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      // A short write before the error (a full disk, the file size limit) left a torn line: cut
      // it off again, where the file allows it (a regular file; a device has no size to cut).
      if (done > 0) {
        const off_t end = ::lseek(fd_, 0, SEEK_CUR);
        const off_t torn = static_cast<off_t>(done);
        if (end >= torn && ::ftruncate(fd_, end - torn) != 0) {
          // The cut failed too: the torn line stays, and the log has stopped anyway.
        }
      }
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> log_file::write(std::span<const entry> entries) {
  std::optional<std::string> said;
  for (const entry& e : entries) {
    if (failed()) {
      ++lost_;  // the log has stopped; a full disk must not take the chat down with it
      continue;
    }
    std::string line = log_line(e);
    line.push_back('\n');
    if (!write_whole(line)) {
      ++lost_;
      said = "log failed: cannot write to " + failure() + "; nothing more is logged";
    }
  }
  return said;
}

}  // namespace echochat
