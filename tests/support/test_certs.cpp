// Test certificates with OpenSSL 3: P-256 keys, a CA, a server certificate with its names.
#include "support/test_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace echochat::testing {
namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string{"test certificates: "} + what + " failed");
}

key_ptr make_key() {
  key_ptr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

cert_ptr make_cert(EVP_PKEY* key, const std::string& cn, long serial, X509* issuer, EVP_PKEY* issuer_key,
                   bool ca, const cert_options& o) {
  cert_ptr cert(X509_new(), &X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  const long day = 24 * 3600;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), o.expired && !ca ? -2 * day : -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), o.expired && !ca ? -day : 7 * day);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("echochat tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    const std::string san = "DNS:" + o.host + (o.ip_san ? ",IP:127.0.0.1" : "");
    add_ext(cert.get(), signer, NID_subject_alt_name, san.c_str());
    add_ext(cert.get(), signer, NID_ext_key_usage,
            cn == "echochat test client" ? "clientAuth" : "serverAuth");
  }
  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

template <class Write>
std::string pem(Write write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(bio != nullptr && write(bio.get()) == 1, "PEM_write");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

test_certs make_test_certs(const cert_options& o) {
  test_certs out;
  const key_ptr server_key = make_key();
  if (o.self_signed) {
    const cert_ptr cert = make_cert(server_key.get(), o.host, 2, nullptr, nullptr, false, o);
    out.cert_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    out.ca_pem = out.cert_pem;
  } else {
    const key_ptr ca_key = make_key();
    const cert_ptr ca = make_cert(ca_key.get(), "echochat test-only CA", 1, nullptr, nullptr, true, o);
    const cert_ptr cert = make_cert(server_key.get(), o.host, 2, ca.get(), ca_key.get(), false, o);
    out.ca_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, ca.get()); });
    out.cert_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    const key_ptr client_key = make_key();
    const cert_ptr client =
        make_cert(client_key.get(), "echochat test client", 3, ca.get(), ca_key.get(), false, cert_options{});
    out.client_cert_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, client.get()); });
    out.client_key_pem = pem([&](BIO* b) {
      return PEM_write_bio_PrivateKey(b, client_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    out.client_key_encrypted_pem = pem([&](BIO* b) {
      return PEM_write_bio_PKCS8PrivateKey(b, client_key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                           const_cast<char*>(test_certs::client_passphrase));
    });
  }
  out.key_pem = pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return out;
}

void test_certs::write_to(const std::filesystem::path& dir) const {
  write_file(dir / "ca.pem", ca_pem);
  write_file(dir / "cert.pem", cert_pem);
  write_file(dir / "key.pem", key_pem);
  write_file(dir / "client.pem", client_cert_pem);
  write_file(dir / "client-key.pem", client_key_pem);
  write_file(dir / "client-key-enc.pem", client_key_encrypted_pem);
}

}  // namespace echochat::testing
