// Test support: a test-only CA and a server certificate it signed, made with OpenSSL at test time
// (nothing secret is committed), as PEM text and as files for --ca and real peers.
#pragma once

#include <filesystem>
#include <string>

namespace echochat::testing {

struct cert_options {
  std::string host = "localhost";  // the DNS name the server certificate is for
  bool ip_san = true;              // it is for IP 127.0.0.1 too
  bool expired = false;            // valid from two days ago until yesterday
  bool self_signed = false;        // the server certificate signs itself (no CA)
};

struct test_certs {
  std::string ca_pem;    // the test CA's certificate: what --ca trusts
  std::string cert_pem;  // the server's certificate
  std::string key_pem;   // the server's private key
  // A client certificate the test CA signed (for mutual TLS), its key in the clear, and the same
  // key encrypted (AES-256) with `client_passphrase`.
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string client_key_encrypted_pem;
  static constexpr const char* client_passphrase = "correct horse";

  // Writes ca.pem, cert.pem, key.pem, client.pem, client-key.pem and client-key-enc.pem into `dir`.
  void write_to(const std::filesystem::path& dir) const;
};

// Throws std::runtime_error if OpenSSL fails.
test_certs make_test_certs(const cert_options& options = {});

}  // namespace echochat::testing
