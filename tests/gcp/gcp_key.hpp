#pragma once
// A throwaway RSA service-account key for the GCP tests (OpenSSL), as the JSON key file Google
// issues: {"type": "service_account", "project_id", "private_key_id", "private_key",
// "client_email", "token_uri", ...}. Header-only.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/json.hpp"

namespace styx::test {

struct test_key {
  std::string private_pem;
  std::string public_pem;
};

inline test_key make_rsa_key() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  if (!key)
    throw std::runtime_error("RSA key generation failed");
  auto pem = [&](bool priv) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    int ok = priv ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                             nullptr)
                  : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (ok != 1)
      throw std::runtime_error("PEM encoding failed");
    char* data = nullptr;
    auto n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  };
  return {pem(true), pem(false)};
}

/// The JSON key file text of a service account with `key`.
inline std::string service_account_json(const test_key& key, const std::string& token_uri,
                                        const std::string& project = "styx-test",
                                        const std::string& email =
                                          "styx-ci@styx-test.iam.gserviceaccount.com") {
  return "{\"type\":\"service_account\",\"project_id\":" + json_quote(project)
         + ",\"private_key_id\":\"k1\",\"private_key\":" + json_quote(key.private_pem)
         + ",\"client_email\":" + json_quote(email) + ",\"client_id\":\"1\",\"token_uri\":"
         + json_quote(token_uri) + "}";
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

} // namespace styx::test
