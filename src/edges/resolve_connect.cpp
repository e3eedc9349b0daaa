// The resolve and connect every transport over TCP starts with: Happy Eyeballs (RFC 8305) over
// the addresses found, and one rule for set_option.
#include "echochat/edges/resolve_connect.hpp"

#include "echochat/core/happy_eyeballs.hpp"
#include "echochat/edges/channels.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <optional>

namespace echochat {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// One race: its attempts are coroutines of their own that report here and wake the driver.
struct race_run {
  connect_race& race;
  std::vector<tcp::endpoint> endpoints;  // in the order they are tried
  steady_timer wake;
  std::size_t started = 0;
  std::size_t finished = 0;
  std::optional<std::size_t> winner;
  error_code last_error;

  race_run(connect_race& r, const asio::any_io_executor& ex) : race(r), wake(ex) {}

  static asio::awaitable<void> attempt(race_run& run, std::size_t k) {
    auto [ec] = co_await run.race.attempts_[k]->async_connect(run.endpoints[k], default_token{});
    ++run.finished;
    if (!ec && !run.winner && !run.race.aborted_) {
      run.winner = k;
    } else if (ec) {
      run.last_error = ec;
    }
    run.wake.cancel();
  }

  void start_next() {
    const std::size_t k = started++;
    race.attempts_.push_back(std::make_unique<tcp::socket>(wake.get_executor()));
    asio::co_spawn(wake.get_executor(), attempt(*this, k), asio::detached);
  }

  // Until one attempt connected, or all failed, or the race was aborted. Each wake (this
  // attempt's 250 ms are up, or one attempt ended) starts the next address, if any is left and
  // none has won: a failed attempt does not make the next wait out the delay.
  asio::awaitable<void> run() {
    for (;;) {
      if (!winner && !race.aborted_ && started < endpoints.size()) start_next();
      if (winner || race.aborted_ || finished == endpoints.size()) co_return;
      wake.expires_after(started < endpoints.size()
                             ? std::chrono::steady_clock::duration{attempt_delay}
                             : std::chrono::steady_clock::duration{std::chrono::hours(24)});
      co_await wake.async_wait();
    }
  }

  // Connects `socket` to the first of `found` (tried in `order`) that accepts.
  static asio::awaitable<error_code> fastest(connect_race& r, tcp::socket& socket,
                                             std::vector<tcp::endpoint> found,
                                             const std::vector<std::size_t>& order) {
    r.attempts_.clear();
    race_run run(r, socket.get_executor());
    for (const std::size_t i : order) run.endpoints.push_back(found[i]);
    r.run_ = &run;
    co_await run.run();
    co_await run.settle();
    r.run_ = nullptr;
    if (!run.winner) {
      r.attempts_.clear();
      co_return r.aborted_ ? error_code{asio::error::operation_aborted} : run.last_error;
    }
    socket = std::move(*r.attempts_[*run.winner]);
    r.attempts_.clear();
    co_return error_code{};
  }

  // The losers are closed, and their coroutines (which hold references to this run) have ended.
  asio::awaitable<void> settle() {
    for (std::size_t k = 0; k < race.attempts_.size(); ++k) {
      error_code ignored;
      if (!winner || k != *winner) race.attempts_[k]->close(ignored);
    }
    while (finished < started) {
      wake.expires_after(std::chrono::hours(24));
      co_await wake.async_wait();
    }
  }
};

void connect_race::abort() {
  aborted_ = true;
  for (auto& s : attempts_) {
    error_code ignored;
    s->close(ignored);
  }
  if (run_ != nullptr) run_->wake.cancel();
}

asio::awaitable<error_code> resolve_and_connect(tcp::resolver& resolver, tcp::socket& socket,
                                                const host_port& target, std::string_view& stage,
                                                connect_race* race) {
  stage = "resolving the host name";
  auto [ec, results] = co_await resolver.async_resolve(target.host, target.port, default_token{});
  if (ec) co_return ec;
  if (results.empty()) co_return asio::error::host_not_found;
  stage = "connecting";
  std::vector<tcp::endpoint> found;
  std::vector<bool> is_v6;
  for (const auto& r : results) {
    found.push_back(r.endpoint());
    is_v6.push_back(r.endpoint().address().is_v6());
  }
  connect_race own;
  if (const error_code failed = co_await race_run::fastest(race != nullptr ? *race : own, socket,
                                                           std::move(found), attempt_order(is_v6))) {
    co_return failed;
  }
  // A line goes out when it is written, not once the peer's delayed ACK comes back. Setting it
  // fails the attempt like any other step: on a socket that has just connected it fails only when
  // the socket is gone (abort() closed it as the connect completed), and a dead socket must not be
  // handed on to a handshake or called connected. Ignoring the error would hide exactly that case.
  socket.set_option(tcp::no_delay(true), ec);
  co_return ec;
}

}  // namespace echochat
