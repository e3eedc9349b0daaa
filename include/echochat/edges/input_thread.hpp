// The one thread besides the io_context: blocks in poll() on the terminal and a wake-up pipe,
// reads chunks, hands them to the reader coroutine. Quitting never waits on a key.
#pragma once

#include "echochat/edges/channels.hpp"

#include <atomic>
#include <memory>
#include <thread>

namespace echochat {

class input_thread {
 public:
  // Starts reading `fd` into `out`. The thread blocks every signal, so that the io_context's
  // signal_set sees them all.
  input_thread(int fd, chunk_channel& out);
  // Wakes the thread through the pipe and joins it, whether or not input is pending.
  ~input_thread();

  input_thread(const input_thread&) = delete;
  input_thread& operator=(const input_thread&) = delete;

  struct shared_state;  // the wake-up pipe and flags, shared with the send completions

 private:
  std::shared_ptr<shared_state> state_;
  std::thread thread_;
};

}  // namespace echochat
