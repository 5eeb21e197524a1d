#pragma once
// ferrum-apiserver's TLS and client credentials, kept in its data directory:
//   ca.crt, ca.key       a self-signed CA (EC P-256, 10 years)
//   tls.crt, tls.key     the serving certificate signed by the CA, with SANs for localhost,
//                        127.0.0.1, ::1 and every host given (IPs as IP SANs, names as DNS)
//   token                a random bearer token (32 bytes, hex)
//   kubeconfig           a kubeconfig for clients: the server URL, the CA, the token; written
//                        by the caller (kubeconfig_yaml + write_file_atomic, mode 0600), which
//                        knows the URL
// Key and token files are mode 0600. The serving certificate lives 2 years and is re-issued
// when within 30 days of expiry, not from ca.crt, or its key does not match; a damaged CA is
// an error (replacing it would lock out every client).
//
// Contract: ensure_credentials() reuses what exists (so clients keep working across
// restarts) and generates what is missing; if the serving certificate lacks a requested
// host it is re-issued from the same CA. Errors name the file and the reason.

#include <string>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

struct Credentials {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  std::string token;
};

Expected<Credentials, std::string> ensure_credentials(const std::string& data_dir,
                                                      const std::vector<std::string>& hosts);

// The kubeconfig YAML for `server_url` (https://host:port), embedding the CA and token.
std::string kubeconfig_yaml(const std::string& server_url, const std::string& ca_pem,
                            const std::string& token);

// Writes `content` to `path` atomically (temp file + rename) with `mode`.
Expected<bool, std::string> write_file_atomic(const std::string& path, const std::string& content,
                                              unsigned mode);

}  // namespace ferrum::apiserver
