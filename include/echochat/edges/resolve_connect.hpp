// Resolve and connect a TCP socket: the first steps of tcp://, tls://, ws:// and wss://.
#pragma once

#include "echochat/core/address.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string_view>
#include <vector>

namespace echochat {

struct race_run;

// The connection attempts of one connect, racing (Happy Eyeballs), so that the connect's
// watchdog can stop them all at once.
class connect_race {
 public:
  // Closes every attempt's socket and ends the race: resolve_and_connect() returns
  // operation_aborted soon. Safe to call at any time, also before or after the race.
  void abort();

 private:
  friend struct race_run;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> attempts_;
  race_run* run_ = nullptr;  // while a race runs
  bool aborted_ = false;
};

// Resolves `target` and connects `socket` to one of its addresses, turning Nagle's algorithm off.
// With several addresses the attempts race as RFC 8305 says: IPv6 first and the families
// alternating, the next attempt starting 250 ms after the one before (at once when one fails),
// the first to connect winning and the others cancelled. Each step is named in `stage` as it
// starts ("resolving the host name", "connecting") for the watchdog of connect(), which stops the
// attempts with race->abort(). The first step that fails ends the attempt with its error (every
// attempt failed: the last one's), setting TCP_NODELAY included (see the definition for why).
boost::asio::awaitable<boost::system::error_code> resolve_and_connect(
    boost::asio::ip::tcp::resolver& resolver, boost::asio::ip::tcp::socket& socket, const host_port& target,
    std::string_view& stage, connect_race* race = nullptr);

}  // namespace echochat
