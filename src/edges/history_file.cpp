// The history file's I/O: mkdir, open, read the newest lines, compact (a temporary file renamed
// over it, under an exclusive lock), append (under a shared lock, to the file the path names).
#include "echochat/edges/history_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace echochat {
namespace {

// Never read further back than this from the end: 1,000 lines of at most 64 KiB each.
constexpr off_t max_read = 1000 * (64 * 1024 + 256);
// The newest lines are looked for this many bytes at a time, back from the end.
constexpr off_t block_size = 64 * 1024;

std::string why() { return std::strerror(errno); }

// A file descriptor closed when it goes (and with it any flock it holds).
class unique_fd {
 public:
  explicit unique_fd(int fd = -1) : fd_(fd) {}
  ~unique_fd() { reset(); }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Every missing directory above `path`, made 0700 (the XDG base directory spec's mode).
bool make_parents(const std::string& path) {
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A failed write (a full disk) is dropped: the chat goes on without it.
void write_line(int fd, std::string_view line) {
  [[maybe_unused]] const ssize_t n = ::write(fd, line.data(), line.size());
}

// What a file that is not a regular one is, for the sentence that refuses it.
const char* kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "neither a file nor a directory";
}

// Opens `path` without ever waiting (a FIFO's open() waits for the other side; O_NONBLOCK does
// not) and keeps it only when it is a regular file. Otherwise -1, with `not_regular` set to what
// it is when that was the reason (errno says why otherwise).
int open_regular(const std::string& path, int flags, const char*& not_regular) {
  not_regular = nullptr;
  unique_fd fd(::open(path.c_str(), flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
  if (fd.get() < 0) return -1;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return -1;
  if (!S_ISREG(st.st_mode)) {
    not_regular = kind_of(st.st_mode);
    return -1;
  }
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  return fd.release();
}

// Whether `fd` is still the file `path` names: another echochat's compaction renames a new file
// over it, and someone may have removed it.
bool is_named_by(int fd, const std::string& path) {
  struct stat open_st {};
  struct stat path_st {};
  return ::fstat(fd, &open_st) == 0 && ::stat(path.c_str(), &path_st) == 0 &&
         open_st.st_dev == path_st.st_dev && open_st.st_ino == path_st.st_ino;
}

// `n` bytes at `offset`, fewer when the file has become shorter.
bool read_at(int fd, off_t offset, std::size_t n, std::string& out) {
  out.resize(n);
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out.data() + got, n - got, offset + static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return true;
}

// Where the newest `lines` lines of a file of `size` bytes begin, looked for back from its end a
// block at a time and never further back than max_read; `mid_line` when that bound cut a line.
bool find_tail(int fd, off_t size, std::size_t lines, off_t& start, bool& mid_line) {
  const off_t floor = size > max_read ? size - max_read : 0;
  start = floor;
  mid_line = floor > 0;
  if (lines == 0) {
    start = size;
    mid_line = false;
    return true;
  }
  std::string block;
  // The last byte is left out: a newline there ends the last line, it begins none.
  for (off_t end = size - 1; end > floor;) {
    const off_t begin = std::max(floor, end - block_size);
    if (!read_at(fd, begin, static_cast<std::size_t>(end - begin), block)) return false;
    for (std::size_t i = block.size(); i-- > 0;) {
      if (block[i] == '\n' && --lines == 0) {
        start = begin + static_cast<off_t>(i) + 1;
        mid_line = false;
        return true;
      }
    }
    end = begin;
  }
  return true;
}

}  // namespace

history_file::history_file(std::string path, std::size_t limit) : path_(std::move(path)) {
  if (!make_parents(path_)) {
    problems_.push_back("history: cannot make the directory for " + path_ + ": " + why() +
                        "; nothing is kept");
    return;
  }
  if (!load(limit)) return;
  const char* not_regular = nullptr;
  fd_ = open_regular(path_, O_WRONLY | O_APPEND | O_CREAT, not_regular);
  if (fd_ < 0) {
    problems_.push_back(not_regular != nullptr
                            ? not_regular_problem(not_regular)
                            : "history: cannot write " + path_ + ": " + why() + "; nothing is kept");
    return;
  }
  ::fchmod(fd_, 0600);  // a file made some other way is private from now on too
}

history_file::~history_file() {
  if (fd_ >= 0) ::close(fd_);
}

std::string history_file::not_regular_problem(const char* kind) const {
  return "history: " + path_ + " is not a regular file (" + kind + "); nothing is kept";
}

bool history_file::load(std::size_t limit) {
  // Read and compacted under an exclusive flock, which append() takes shared: no line another
  // echochat appends can fall between the read and the rename. Taken without waiting: when
  // another program holds it, the file is read as it is and compacted at a later start.
  unique_fd fd;
  bool locked = false;
  const char* not_regular = nullptr;
  for (int attempt = 0; attempt < 3; ++attempt) {
    fd.reset(open_regular(path_, O_RDONLY, not_regular));
    if (fd.get() < 0) break;
    locked = ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0;
    if (!locked || is_named_by(fd.get(), path_)) break;
    locked = false;  // compacted by another echochat between the open and the lock: read the new file
  }
  if (not_regular != nullptr) {
    problems_.push_back(not_regular_problem(not_regular));
    return false;
  }
  if (fd.get() < 0) {
    if (errno != ENOENT) problems_.push_back("history: cannot read " + path_ + ": " + why());
    return true;
  }
  struct stat st {};
  off_t start = 0;
  bool mid_line = false;
  std::string content;
  if (::fstat(fd.get(), &st) != 0 || !find_tail(fd.get(), st.st_size, limit, start, mid_line) ||
      !read_at(fd.get(), start, static_cast<std::size_t>(st.st_size - start), content)) {
    problems_.push_back("history: cannot read " + path_ + ": " + why());
    return true;
  }
  std::string_view tail = content;
  if (mid_line) {  // the first line is only part of one
    const std::size_t nl = tail.find('\n');
    tail.remove_prefix(nl == std::string_view::npos ? tail.size() : nl + 1);
  }
  parsed_history h = parse_history(tail);
  std::string{}.swap(content);  // freed: the records hold their own copies
  if (h.corrupt > 0) {
    problems_.push_back("history: " + std::to_string(h.corrupt) +
                        (h.corrupt == 1 ? " damaged line" : " damaged lines") + " in " + path_ + " left out");
  }
  if (locked && (start > 0 || needs_compaction(h, limit))) compact(h, limit);
  const std::size_t skip = h.records.size() > limit ? h.records.size() - limit : 0;
  records_.assign(std::make_move_iterator(h.records.begin() + static_cast<std::ptrdiff_t>(skip)),
                  std::make_move_iterator(h.records.end()));
  return true;
}

void history_file::compact(const parsed_history& h, std::size_t limit) {
  // A symlink is followed: the file it names is written again beside itself and the link stays
  // (dotfiles kept in a repository are linked into place).
  std::error_code ec;
  const std::string target = std::filesystem::canonical(path_, ec).string();
  if (ec) {
    problems_.push_back("history: cannot compact " + path_ + ": " + ec.message());
    return;
  }
  // Written beside it and renamed over it: a crash leaves the old file or the new, never half.
  const std::string tmp = target + ".new";
  ::unlink(tmp.c_str());  // left by a crash; made afresh, never followed if it is a link
  unique_fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.get() < 0 || !write_all(out.get(), compact_history(h, limit)) || ::fsync(out.get()) != 0 ||
      ::rename(tmp.c_str(), target.c_str()) != 0) {
    problems_.push_back("history: cannot compact " + path_ + ": " + why());
    ::unlink(tmp.c_str());
  }
}

void history_file::append(std::string_view destination, std::string_view text) {
  if (fd_ < 0) return;
  // One write() of the whole line: with O_APPEND, two echochats appending at once never
  // interleave within a line. Under a shared flock, to the file the path names at that moment:
  // another echochat's compaction (under the exclusive lock) may have renamed a new one over it.
  const std::string line = format_history_line(destination, text);
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (!is_named_by(fd_, path_)) {
      const char* not_regular = nullptr;
      const int fresh = open_regular(path_, O_WRONLY | O_APPEND | O_CREAT, not_regular);
      if (fresh < 0) return;  // dropped, as a full disk's line is: the chat goes on without it
      ::close(fd_);
      fd_ = fresh;
    }
    if (::flock(fd_, LOCK_SH) != 0) break;  // no locks here (some network file systems): write as before
    const bool current = is_named_by(fd_, path_);
    if (current) write_line(fd_, line);
    ::flock(fd_, LOCK_UN);
    if (current) return;
  }
  write_line(fd_, line);
}

}  // namespace echochat
