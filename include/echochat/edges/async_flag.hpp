// A yes/no that coroutines on one io_context can wait for: "reading may go on", "the output is
// written". Setting it wakes every waiter at once; nothing polls.
#pragma once

#include "echochat/edges/channels.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

namespace echochat {

class async_flag {
 public:
  async_flag(boost::asio::any_io_executor ex, bool set)
      : set_(set), timer_(ex, steady_timer::time_point::max()) {}

  bool is_set() const { return set_; }
  void set() {
    if (set_) return;
    set_ = true;
    timer_.cancel();  // the waiters' waits end: each finds the flag set and returns
  }
  void clear() { set_ = false; }

  // Returns once the flag is set: true then, false if the waiter was cancelled first.
  boost::asio::awaitable<bool> wait() {
    while (!set_) {
      co_await timer_.async_wait();
      // Ended early either way: by set(), or by the waiter's own cancellation.
      const auto cs = co_await boost::asio::this_coro::cancellation_state;
      if (cs.cancelled() != boost::asio::cancellation_type::none) co_return false;
    }
    co_return true;
  }

 private:
  bool set_;
  steady_timer timer_;  // never expires: cancelling it is the wake-up
};

}  // namespace echochat
