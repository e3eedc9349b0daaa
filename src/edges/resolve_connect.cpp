// The resolve and connect every transport over TCP starts with, and its one rule for set_option.
#include "echochat/edges/resolve_connect.hpp"

#include "echochat/edges/channels.hpp"

#include <boost/asio/connect.hpp>

#include <tuple>

namespace echochat {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

asio::awaitable<error_code> resolve_and_connect(tcp::resolver& resolver, tcp::socket& socket,
                                                const host_port& target, std::string_view& stage) {
  stage = "resolving the host name";
  auto [ec, endpoints] = co_await resolver.async_resolve(target.host, target.port, default_token{});
  if (ec) co_return ec;
  stage = "connecting";
  std::tie(ec, std::ignore) = co_await asio::async_connect(socket, endpoints, default_token{});
  if (ec) co_return ec;
  // A line goes out when it is written, not once the peer's delayed ACK comes back. Setting it
  // fails the attempt like any other step: on a socket that has just connected it fails only when
  // the socket is gone (abort() closed it as the connect completed), and a dead socket must not be
  // handed on to a handshake or called connected. Ignoring the error would hide exactly that case.
  socket.set_option(tcp::no_delay(true), ec);
  co_return ec;
}

}  // namespace echochat
