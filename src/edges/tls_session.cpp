// TLS through Asio: the shared context, the verified handshake, rejection reasons, connection facts.
#include "echochat/edges/tls_session.hpp"

#include "echochat/edges/channels.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace echochat {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

// The names a certificate is for: its DNS and IP subject alternative names, or else its CN.
std::string cert_names(X509* cert) {
  std::string names;
  auto add = [&names](std::string_view n) {
    if (!names.empty()) names += ", ";
    names += n;
  };
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
      if (g->type == GEN_DNS) {
        const auto* s = g->d.dNSName;
        add(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<std::size_t>(ASN1_STRING_length(s))));
      } else if (g->type == GEN_IPADD) {
        const auto* s = g->d.iPAddress;
        const auto* bytes = ASN1_STRING_get0_data(s);
        boost::system::error_code ec;
        if (ASN1_STRING_length(s) == 4) {
          asio::ip::address_v4::bytes_type b;
          std::copy_n(bytes, 4, b.begin());
          add(asio::ip::address_v4(b).to_string());
        } else if (ASN1_STRING_length(s) == 16) {
          asio::ip::address_v6::bytes_type b;
          std::copy_n(bytes, 16, b.begin());
          add(asio::ip::address_v6(b).to_string());
        }
      }
    }
    GENERAL_NAMES_free(sans);
  }
  if (names.empty()) {
    char cn[256] = {};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0) add(cn);
  }
  return names.empty() ? "no name" : names;
}

std::string fingerprint(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", md[i]);
    out += hex;
  }
  return out;
}

// "TLSv1.3" as the status bar says it: "tls1.3".
std::string protocol_name(const SSL* ssl) {
  std::string v = SSL_get_version(ssl);
  if (v.starts_with("TLSv")) return "tls" + v.substr(4);
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// The reason OpenSSL gave last (its queue emptied), for a sentence about a file.
unsigned long last_error() {
  unsigned long e = 0;
  while (const unsigned long next = ERR_get_error()) e = next;
  return e;
}

struct passphrase_ask {
  const tls_settings* settings = nullptr;
  int attempt = 0;
  bool asked = false;  // the key is encrypted: a passphrase was wanted
  bool none = false;   // and none could be had
};

// OpenSSL's pem_password_cb: the passphrase for this attempt, or -1 (none: the read fails).
extern "C" int passphrase_for(char* buf, int size, int /*rwflag*/, void* user) {
  auto* ask = static_cast<passphrase_ask*>(user);
  ask->asked = true;
  std::optional<std::string> p;
  if (ask->settings->passphrase) p = ask->settings->passphrase(ask->attempt);
  if (!p) {
    ask->none = true;
    return -1;
  }
  if (p->size() > static_cast<std::size_t>(size)) return -1;
  std::copy(p->begin(), p->end(), buf);
  const int n = static_cast<int>(p->size());
  OPENSSL_cleanse(p->data(), p->size());
  return n;
}

// The key, read from its PEM file with the passphrase asked for (three times at most) when it is
// encrypted.
EVP_PKEY* read_key(const tls_settings& settings, const std::string& flag, const std::string& path) {
  std::string named = flag;  // "--key FILE", for the sentences
  named += ' ';
  named += path;
  passphrase_ask ask{&settings};
  for (;; ++ask.attempt) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), &BIO_free);
    if (!bio) throw bad_setting(named + ": cannot be read");
    ERR_clear_error();
    if (EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_for, &ask)) return key;
    last_error();
    if (!ask.asked) throw bad_setting(named + ": no private key could be read from it");
    if (ask.none && ask.attempt == 0) {
      throw bad_setting(named +
                        ": the key is encrypted; type its passphrase on a terminal, or name the variable "
                        "that holds it with --key-passphrase-env");
    }
    if (ask.none || ask.attempt == 2) throw bad_setting(named + ": wrong passphrase");
    ask.asked = false;
  }
}

// --cert and --key: the chain this client presents when the server asks, and its key.
void use_client_certificate(ssl::context& ctx, const tls_settings& settings) {
  const std::string& cert = *settings.cert_file;
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx.native_handle(), cert.c_str()) != 1) {
    last_error();
    throw bad_setting("--cert " + cert + ": no certificate could be read from it");
  }
  const std::string flag = settings.key_file ? "--key" : "--cert";
  const std::string& path = settings.key_file ? *settings.key_file : cert;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(read_key(settings, flag, path), &EVP_PKEY_free);
  if (SSL_CTX_use_PrivateKey(ctx.native_handle(), key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    last_error();
    throw bad_setting(flag + " " + path + ": the key does not belong to the certificate in --cert " + cert);
  }
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const tls_settings& settings) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (settings.cert_file) use_client_certificate(*ctx, settings);
  if (settings.insecure) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);  // no system store is not fatal: --ca may be all there is
  if (settings.ca_file) {
    ctx->load_verify_file(*settings.ca_file, ec);
    if (ec) throw bad_setting("--ca " + *settings.ca_file + ": no certificate could be read from it");
  }
  return ctx;
}

void tls_checks::prepare(ssl::stream<asio::ip::tcp::socket>& stream, const std::string& host) {
  // SNI names a host, never an address (RFC 6066).
  // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
  if (!is_ip_address(host)) {
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(host.c_str()));
  }
  if (insecure_) return;
  stream.set_verify_callback(
      [this, check = ssl::host_name_verification(host), host](bool preverified, ssl::verify_context& vc) {
        X509_STORE_CTX* store = vc.native_handle();
        if (!preverified) {
          if (failure_.empty()) failure_ = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
          return false;
        }
        if (X509_STORE_CTX_get_error_depth(store) == 0 && !check(preverified, vc)) {
          X509* cert = X509_STORE_CTX_get_current_cert(store);
          failure_ = "host name mismatch: cert is for " + cert_names(cert) + ", not " + host;
          return false;
        }
        return true;
      });
}

asio::awaitable<boost::system::error_code> tls_checks::handshake(ssl::stream<asio::ip::tcp::socket>& stream,
                                                                 const std::string& host) {
  prepare(stream, host);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, default_token{});
  handshake_done_ = !ec;
  if (handshake_done_) facts_ = facts_of(stream.native_handle());
  co_return ec;
}

std::string tls_checks::explain(const boost::system::error_code& ec) const {
  if (!failure_.empty() && !handshake_done_) return failure_;
  if (std::string words = refusal(ec); !words.empty()) return words;
  if (!handshake_done_ && (ec == asio::error::eof || ec == ssl::error::stream_truncated)) {
    return "the server closed the connection during the TLS handshake";
  }
  if (ec == ssl::error::stream_truncated) return "closed by the server (without a TLS close_notify)";
  return {};
}

// The server's alert, when it is about the client's certificate (asked for and not given, or
// given and refused) or about the TLS version (OpenSSL's words are "tlsv1 alert protocol
// version" or "unsupported protocol").
std::string tls_checks::refusal(const boost::system::error_code& ec) const {
  if (ec.category() != asio::error::get_ssl_category()) return {};
  const auto reason = static_cast<unsigned long>(ec.value());
  switch (ERR_GET_REASON(reason)) {
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_UNSUPPORTED_PROTOCOL:
      return "the server offers only TLS 1.1 or older; echochat needs TLS 1.2 at least";
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return "the server requires a client certificate (--cert, --key)";
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
      if (client_cert_) return {};
      return "the server refused the handshake (alert: handshake failure); it may require a client "
             "certificate (--cert, --key)";
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
    case SSL_R_TLSV1_ALERT_DECRYPT_ERROR: {  // what OpenSSL sends when the certificate's signature fails
      const char* what = ERR_reason_error_string(reason);
      const std::string alert = what != nullptr ? what : "refused";
      return client_cert_ ? "the server refused the client certificate (--cert): " + alert
                          : "the server refused the connection: " + alert;
    }
    default: return {};
  }
}

connection_facts tls_checks::facts() const {
  if (handshake_done_) return facts_;
  connection_facts f;
  f.unverified = insecure_;
  return f;
}

connection_facts tls_checks::facts_of(const SSL* ssl) const {
  connection_facts f;
  f.unverified = insecure_;
  f.protocol = protocol_name(ssl);
  std::string summary = "TLS: " + f.protocol + " " + SSL_get_cipher_name(ssl);
  if (X509* cert = SSL_get0_peer_certificate(ssl)) {
    summary += "; certificate " + name_text(X509_get_subject_name(cert)) + ", issued by " +
               name_text(X509_get_issuer_name(cert)) + ", SHA-256 " + fingerprint(cert);
  }
  f.notes.push_back(std::move(summary));
  if (insecure_)
    f.notes.push_back("UNVERIFIED: --insecure, the certificate and the host name were not checked");
  return f;
}

}  // namespace echochat
