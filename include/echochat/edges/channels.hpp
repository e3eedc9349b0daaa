// The two hand-offs of the pipeline, named: byte chunks from the input thread to the reader,
// and events from every producer to the printer.
#pragma once

#include "echochat/core/event.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace echochat {

// The completion token of every coroutine's co_await: expected outcomes (end of input, a closed
// channel, cancellation, a refused connection) come back as values, (error_code, result...).
using default_token = boost::asio::as_tuple_t<boost::asio::use_awaitable_t<>>;
using steady_timer = default_token::as_default_on_t<boost::asio::steady_timer>;

// Crosses threads: the input thread sends, the reader coroutine receives. An error code of
// asio::error::eof is the end of input; another error code is a read error (a hang-up).
using chunk_channel = default_token::as_default_on_t<
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, std::string)>>;

// Lives on the io_context thread only: every producer sends, the printer drains.
using event_channel = default_token::as_default_on_t<
    boost::asio::experimental::channel<void(boost::system::error_code, event)>>;

// Sends one event, waiting while the channel is full; throws if the sender is cancelled meanwhile.
// Build the event as a named variable and move it in:
//   event ev = sys_event{text};
//   co_await send_event(events, std::move(ev));
// GCC 12 destroys a temporary made by aggregate initialisation inside a co_await expression
// twice (a std::string member then frees memory that is not its own), so no such temporary may
// appear in one.
boost::asio::awaitable<void> send_event(event_channel& events, event ev);

}  // namespace echochat
