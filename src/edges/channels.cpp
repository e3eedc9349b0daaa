// The event channel's send, in one place.
#include "echochat/edges/channels.hpp"

#include <boost/asio/use_awaitable.hpp>

namespace echochat {

boost::asio::awaitable<void> send_event(event_channel& events, event ev) {
  // Waiting is rare (the channel holds 1024 events); a cancelled send is the end of the program.
  co_await events.async_send(boost::system::error_code{}, std::move(ev), boost::asio::use_awaitable);
}

}  // namespace echochat
