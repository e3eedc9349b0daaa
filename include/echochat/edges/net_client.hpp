// Chat mode's network edge: connects to a line-based TCP chat server, reads its lines into
// events, writes the outbox, and reconnects with backoff when the connection drops.
#pragma once

#include "echochat/core/options.hpp"
#include "echochat/core/session.hpp"
#include "echochat/edges/channels.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace echochat {

// Wakes the writer: the printer sends one after each batch (the outbox may have grown, or the
// input may have ended). Capacity 1: a wake-up already pending is enough.
using wake_channel = boost::asio::experimental::channel<void(boost::system::error_code)>;

struct backoff_policy {
  std::chrono::milliseconds first{500};
  std::chrono::milliseconds most{30'000};
};

// The delay before attempt n+1 given the delay `previous` (0 before the first retry): doubling
// from policy.first up to policy.most, then scaled by `jitter` in [0.5, 1] so that clients
// dropped together do not come back together.
std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous, const backoff_policy& policy);
std::chrono::milliseconds jittered(std::chrono::milliseconds delay, double jitter);

// Runs until cancelled (or, once the input has ended in plain mode, until the connection is
// over). Reads `s` and pops its outbox; everything it reports goes through `events`.
boost::asio::awaitable<void> chat_connection(host_port target, session& s, event_channel& events,
                                             wake_channel& wake, backoff_policy policy = {});

}  // namespace echochat
