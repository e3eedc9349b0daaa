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

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace echochat {

struct tls_settings {
  std::optional<std::string> ca_file;  // PEM certificates to trust besides the system's
  bool insecure = false;               // no verification at all
  // A client certificate (PEM chain) and its key (none: the key is in cert_file too).
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
  // An encrypted key's passphrase, asked again (attempt 1, 2) after a wrong one; nothing when
  // none can be had (no terminal, no variable) or there is no more asking.
  std::function<std::optional<std::string>(int attempt)> passphrase;
};

// A setting that cannot be used (a file that holds no certificate, a wrong passphrase): the run
// does not start, with this sentence and exit status 2.
class bad_setting : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The context every connection of a run shares. Throws bad_setting, saying why, when the CA file,
// the client certificate or its key cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_settings& settings);

// The checks of one connection, its handshake, and what they found.
class tls_checks {
 public:
  explicit tls_checks(const tls_settings& settings)
      : insecure_(settings.insecure), client_cert_(settings.cert_file.has_value()) {}

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
  std::string refusal(const boost::system::error_code& ec) const;

  bool insecure_;
  bool client_cert_;  // --cert: a refusal may be of the certificate; without it, for want of one
  bool handshake_done_ = false;
  std::string failure_;  // why verification rejected the certificate
  connection_facts facts_;
};

}  // namespace echochat
