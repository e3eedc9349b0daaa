// Chat mode's network edge: owns the connection and the lines waiting to be written. It connects
// through a line_connection, reads its lines into events, writes the outbox, and reconnects with
// backoff when the connection drops. Everything it learns goes into the event channel.
#pragma once

#include "echochat/core/backoff.hpp"
#include "echochat/core/outbox.hpp"
#include "echochat/edges/async_flag.hpp"
#include "echochat/edges/channels.hpp"
#include "echochat/edges/line_connection.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace echochat {

// How long one attempt may take, from resolving to the last handshake (--connect-timeout).
inline constexpr std::chrono::milliseconds default_connect_timeout{10'000};
// After the end of input, over a transport that does not half-close (WebSocket, TLS): the silence
// that ends the wait for replies, unless --linger says otherwise.
inline constexpr std::chrono::milliseconds default_linger{2'000};
// Once the wait for replies is over: how long the server may take to answer the close.
inline constexpr std::chrono::milliseconds close_wait{2'000};

class chat_client {
 public:
  // `name`: the address as the user wrote it, for what the client says. `connect_timeout`
  // bounds each attempt: resolving, connecting and the handshakes (TLS, the WebSocket upgrade).
  chat_client(boost::asio::any_io_executor ex, std::string name, connection_factory connect,
              backoff_policy policy = {},
              std::chrono::milliseconds connect_timeout = default_connect_timeout);

  // Queues lines to write, oldest first, and wakes the writer. A line leaves the queue only once
  // its write completed, so a dropped connection loses none.
  void send(std::vector<std::string> lines);
  // No more lines will come (plain mode, after the end of input): once the queue is written the
  // sending side is shut, the replies are waited for, and a connection that ends is not made
  // again. Replies are read until the server closes, or until nothing has come for the linger
  // time (--linger; where the transport cannot half-close, default_linger when not given); then
  // the connection is closed politely. `replies_expected` false (echo mode, which waited for
  // exactly its echoes): no waiting where the server cannot be told.
  void end_input(bool replies_expected = true);
  // --linger: the silence that ends the wait for replies after the end of input, on every transport.
  void linger_for(std::chrono::milliseconds silence) { linger_ = silence; }
  // Lines written first at every connect, before the queue (--on-connect: a greeting or a
  // login the server needs on each connection).
  void on_connect(std::vector<std::string> lines) { greeting_ = std::move(lines); }
  // While `flag` is cleared (the output is backed up), nothing more is read from the server: the
  // socket's buffers fill and the server waits. Lines keep going out.
  void pause_reads_on(async_flag& flag) { may_read_ = &flag; }
  // --resend-unacked: lines a dying connection had not had acknowledged go back to the head of
  // the queue (they may arrive twice); without it they are only marked.
  void resend_unacknowledged(bool on) { resend_unacked_ = on; }
  // Lines not written yet.
  std::size_t unsent() const { return outbox_.size(); }

  // Runs until cancelled, or after end_input() until the connection is over.
  boost::asio::awaitable<void> run(event_channel& events);
  // After run() was cancelled: ends the connection it had politely (a TLS close_notify, a
  // WebSocket close frame), waiting at most `bound` for the peer.
  boost::asio::awaitable<void> close(std::chrono::milliseconds bound);

 private:
  boost::asio::awaitable<boost::system::error_code> read_lines(line_connection& c, event_channel& events);
  boost::asio::awaitable<boost::system::error_code> write_lines(line_connection& c, event_channel& events);
  boost::asio::awaitable<bool> wait_to_retry(event_channel& events);
  // After the end of input, with the queue written: tells the peer and waits for its replies.
  // Returns only when the wait ran out (timed_out), or if cancelled.
  boost::asio::awaitable<boost::system::error_code> linger(line_connection& c);
  // The longest silence linger() waits through; none: until the server closes.
  std::optional<std::chrono::milliseconds> linger_bound(bool peer_told) const;
  // After linger() ran out: closes politely and says how it ended.
  boost::asio::awaitable<void> stop_lingering(line_connection& c, event_channel& events);
  boost::asio::awaitable<boost::system::error_code> greet(line_connection& c, event_channel& events);
  // After a connection died: names the lines it wrote that the peer had not acknowledged, and puts
  // them back in the queue with --resend-unacked.
  boost::asio::awaitable<void> report_unacknowledged(line_connection& c, event_channel& events);
  // connect(), given up after connect_timeout_; on failure last_failure_ says why (for a timeout,
  // the stage the attempt was in).
  boost::asio::awaitable<boost::system::error_code> connect_within(line_connection& c);

  // Wakes the writer: capacity 1, since a wake-up already pending is enough.
  using wake_channel =
      default_token::as_default_on_t<boost::asio::experimental::channel<void(boost::system::error_code)>>;

  boost::asio::any_io_executor ex_;
  std::string name_;
  connection_factory connect_;
  backoff_policy policy_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds delay_{0};  // the last wait before retrying; 0 after a stable connection
  std::minstd_rand rng_{std::random_device{}()};  // the jitter
  outbox outbox_;
  wake_channel wake_;
  bool input_ended_ = false;
  bool replies_expected_ = true;
  bool shut_ = false;  // the end of input was made known (or lingering began) on the connection
  std::optional<std::chrono::milliseconds> linger_;       // --linger
  std::optional<std::chrono::milliseconds> lingered_;     // the wait that ran out, if it did
  std::chrono::steady_clock::time_point last_heard_{};    // the last line from the server
  std::chrono::steady_clock::time_point last_written_{};  // the last line written to it
  bool unanswered_ = false;  // the wait ran out with nothing heard since the last line written
  std::vector<std::string> greeting_;
  std::unique_ptr<line_connection> current_;  // the attempt or connection in progress
  std::string last_failure_;                  // why the last attempt failed or the connection ended
  bool unverified_ = false;
  async_flag* may_read_ = nullptr;
  bool resend_unacked_ = false;
  // The lines of the outbox written on the current connection, and their sizes on the wire.
  std::deque<std::string> written_;
  std::deque<std::size_t> written_sizes_;
};

}  // namespace echochat
