// What tls:// and wss:// share: the TLS context (verification on by default, TLS 1.2 at least,
// --ca, --insecure), the handshake of one connection with its checks (SNI, chain, host name), the
// reason for a rejected certificate in words, and what the user is told once connected.
#pragma once

#include "echochat/edges/line_connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>
#include <string>

namespace echochat {

struct tls_settings {
  std::optional<std::string> ca_file;  // PEM certificates to trust besides the system's
  bool insecure = false;               // no verification at all
};

// The context every connection of a run shares. Throws std::runtime_error, saying why, when
// the CA file cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_settings& settings);

// The checks of one connection, its handshake, and what they found.
class tls_checks {
 public:
  explicit tls_checks(bool insecure) : insecure_(insecure) {}

  // Sends SNI for `host` (unless it is an IP address), verifies the chain and the host name
  // (unless insecure, remembering why a certificate was rejected) and shakes hands as a client.
  boost::asio::awaitable<boost::system::error_code> handshake(
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream, const std::string& host);
  bool handshake_done() const { return handshake_done_; }
  // The handshake failed or the connection ended with `ec`: the reason in words, or empty.
  std::string explain(const boost::system::error_code& ec) const;
  // After the handshake: the protocol for the status bar; the cipher, the certificate's subject
  // and SHA-256 fingerprint, and (insecure) that none of it was checked, for the transcript.
  // Before it: only whether the peer goes unverified.
  connection_facts facts() const;

 private:
  void prepare(boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream, const std::string& host);
  connection_facts facts_of(const SSL* ssl) const;

  bool insecure_;
  bool handshake_done_ = false;
  std::string failure_;  // why verification rejected the certificate
  connection_facts facts_;
};

}  // namespace echochat
