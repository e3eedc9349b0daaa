// Happy Eyeballs (RFC 8305) as data: in which order a host name's addresses are tried, and how
// long an attempt has before the next one starts beside it. The edge (resolve_connect.cpp) runs
// the attempts; the first to connect wins and the others are cancelled.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace echochat {

// RFC 8305 section 5: 250 ms is the recommended Connection Attempt Delay.
inline constexpr std::chrono::milliseconds attempt_delay{250};

// The order to try addresses in (indices into `is_v6`, which says for each address, in the
// resolver's order, whether it is IPv6): IPv6 first, then the families alternate (RFC 8305
// section 4), each family keeping the resolver's order among its own.
std::vector<std::size_t> attempt_order(const std::vector<bool>& is_v6);

}  // namespace echochat
