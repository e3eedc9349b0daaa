// The log file: O_APPEND, and one write() per entry (no user-space buffer to lose).
#include "echochat/edges/log_file.hpp"

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

log_file::log_file(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("--log: cannot open '" + path + "': " + std::strerror(errno));
}

log_file::~log_file() {
  if (fd_ >= 0) ::close(fd_);
}

void log_file::write(std::span<const entry> entries) {
  for (const entry& e : entries) {
    std::string line = log_line(e);
    line.push_back('\n');
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // a full disk must not take the chat down with it
      }
      done += static_cast<std::size_t>(n);
    }
  }
}

}  // namespace echochat
