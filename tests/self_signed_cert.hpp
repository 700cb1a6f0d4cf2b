#pragma once
// A self-signed certificate for the TLS tests, made with the openssl CLI: a temporary
// directory holding cert.pem and key.pem (prime256v1, valid two days, the given
// subjectAltName), removed by the destructor. Header-only; throws if openssl fails.

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace styx::test {

class self_signed_cert {
public:
  explicit self_signed_cert(const std::string& subject_alt_name = "IP:127.0.0.1") {
    char tmpl[] = "/tmp/styx-cert-XXXXXX";
    if (mkdtemp(tmpl) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                      " -days 2 -subj /CN=styx-test -addext subjectAltName=" + subject_alt_name
                      + " -keyout " + key_file() + " -out " + cert_file() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("openssl could not make a certificate");
  }
  ~self_signed_cert() {
    unlink(cert_file().c_str());
    unlink(key_file().c_str());
    rmdir(dir_.c_str());
  }

  self_signed_cert(const self_signed_cert&) = delete;
  self_signed_cert& operator=(const self_signed_cert&) = delete;

  std::string cert_file() const { return dir_ + "/cert.pem"; }
  std::string key_file() const { return dir_ + "/key.pem"; }

private:
  std::string dir_;
};

} // namespace styx::test
