// How long to wait before connecting again: doubling delays with jitter. Pure arithmetic.
#pragma once

#include <chrono>

namespace echochat {

struct backoff_policy {
  std::chrono::milliseconds first{500};
  std::chrono::milliseconds most{30'000};
  // A connection that lasted this long was a success: the next drop starts the delays again.
  // One that ended sooner (a server that accepts and then drops or bans you) keeps them doubling.
  std::chrono::milliseconds stable{10'000};
};

// The delay before attempt n+1 given the delay `previous` (0 before the first retry): doubling
// from policy.first up to policy.most.
std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous, const backoff_policy& policy);

// The delay to carry into the next retry once a connection that lasted `lived` has ended: the
// one before it, or 0 (start again) when the connection was stable.
std::chrono::milliseconds backoff_after(std::chrono::milliseconds previous, std::chrono::milliseconds lived,
                                        const backoff_policy& policy);

// `delay` scaled by `jitter` in [0.5, 1] (clamped), so that clients dropped together do not come
// back together.
std::chrono::milliseconds jittered(std::chrono::milliseconds delay, double jitter);

}  // namespace echochat
