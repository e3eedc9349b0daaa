// Reconnect delays.
#include "echochat/core/backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace echochat {

std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous, const backoff_policy& policy) {
  if (previous.count() <= 0) return policy.first;
  return std::min(previous * 2, policy.most);
}

std::chrono::milliseconds backoff_after(std::chrono::milliseconds previous, std::chrono::milliseconds lived,
                                        const backoff_policy& policy) {
  return lived >= policy.stable ? std::chrono::milliseconds{0} : previous;
}

std::chrono::milliseconds jittered(std::chrono::milliseconds delay, double jitter) {
  jitter = std::clamp(jitter, 0.5, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) * jitter));
}

}  // namespace echochat
