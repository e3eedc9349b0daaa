// Plain output that never blocks the io thread. Bytes wait in a buffer and go out as the file
// descriptor takes them; when more than `high` bytes wait, `may_read()` is cleared so that the
// readers of the network and of piped input pause (backpressure) until the buffer is down to
// `low`. A reader of our output that stops reading then stalls the server, not the program:
// keys and signals are still handled at once.
#pragma once

#include "echochat/edges/async_flag.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace echochat {

class output_writer {
 public:
  static constexpr std::size_t default_high = 256 * 1024;
  static constexpr std::size_t default_low = 64 * 1024;

  // Writes to `fd` (not taken: the writer works on its own descriptor for the same file, see
  // the .cpp). Throws std::system_error if it cannot.
  output_writer(boost::asio::any_io_executor ex, int fd, std::size_t high = default_high,
                std::size_t low = default_low);
  ~output_writer();
  output_writer(const output_writer&) = delete;
  output_writer& operator=(const output_writer&) = delete;

  // Queues `bytes` and writes what the descriptor takes now; never waits.
  void write(std::string_view bytes);
  // Set while fewer than `high` bytes wait (since the last time it was down to `low`).
  async_flag& may_read() { return may_read_; }
  // Returns once every byte is written, or the output failed; false if cancelled first.
  boost::asio::awaitable<bool> drained() { return drained_.wait(); }
  // One last attempt to write what waits, without waiting (the program is ending).
  void flush_now();

  std::size_t waiting_bytes() const { return buffer_.size() - head_; }
  // Lines not (wholly) written yet, or lost once the output failed: every line end among those
  // bytes, and a last line without one.
  std::size_t unwritten_lines() const;
  // Why writing stopped for good (EPIPE: nobody reads any more), or nothing.
  boost::system::error_code error() const { return error_; }

 private:
  enum class kind { blocking, nonblocking, socket };
  void pump();
  void wait_writable();
  void settle();
  void count_lost(std::string_view bytes);

  kind kind_ = kind::blocking;
  bool socket_was_nonblocking_ = false;
  boost::asio::posix::stream_descriptor fd_;  // our own descriptor, closed with the writer
  std::size_t high_, low_;
  std::string buffer_;
  std::size_t head_ = 0;  // bytes of buffer_ already written
  bool waiting_ = false;  // an async wait for writability is under way
  boost::system::error_code error_;
  std::size_t lost_lines_ = 0;  // after a failure: the line ends among the bytes not written
  bool lost_open_ = false;      // ... and whether the last of them was left without one
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for a wait that ends after us
  async_flag may_read_;
  async_flag drained_;
};

}  // namespace echochat
