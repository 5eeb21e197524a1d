#pragma once
// Where the API server is and how to authenticate to it: kubeconfig files and the in-cluster
// service account.
//
// Contract: every error names the file and the field ("kubeconfig /x: users[admin].user.
// client-key-data: not valid base64"). Relative file paths inside a kubeconfig are resolved
// against the kubeconfig's directory, as kubectl does. Resolution order for daemons
// (DESIGN.md 2): an explicit --kubeconfig path, else the in-cluster service account (when
// KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set), else $KUBECONFIG (a
// colon-separated list merged as kubectl merges it: the first file to define a name wins),
// else an error saying all three were tried.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ferrum/expected.hpp"

namespace ferrum::kube {

struct RestConfig {
  std::string server;  // "https://127.0.0.1:6443", no trailing slash
  std::string ca_pem;  // trusted CA bundle (PEM); empty => the system trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;  // SNI / name to verify instead of the host in `server`
  std::string token;            // bearer token
  std::string token_file;       // re-read every minute when set (service account tokens rotate)
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string default_namespace;  // the context's namespace, or the pod's in-cluster
  std::string source;             // for logs: "kubeconfig /p (context c)" or "in-cluster"

  // Client-side rate limit. Default high on purpose: Metal3 found client-go's 10 QPS / 20
  // burst to be the bottleneck of their provisioning controllers; the API server (with its
  // own priority and fairness) is the place to push back, not every daemon's client.
  double qps = 500;
  int burst = 1000;
  std::chrono::milliseconds timeout{30000};  // whole request, every non-watch call
  std::chrono::milliseconds connect_timeout{10000};
  std::size_t max_response_bytes = 512u << 20;  // a list of 10,000 Servers is well below
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the process environment.
EnvLookup process_env_lookup();

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// Parses kubeconfig text; `path` is used in errors and to resolve relative file references.
// `context` overrides current-context when non-empty.
Expected<RestConfig, std::string> parse_kubeconfig(std::string_view text, const std::string& path,
                                                   std::string_view context = {});
// Loads one file, or a colon-separated list of files merged as kubectl does.
Expected<RestConfig, std::string> load_kubeconfig(const std::string& paths,
                                                  std::string_view context = {});
// The pod's service account: token, ca.crt and namespace from `sa_dir`, server from
// KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT.
Expected<RestConfig, std::string> in_cluster_config(
    const EnvLookup& env, const std::string& sa_dir = std::string(kServiceAccountDir));
// The daemon resolution order above.
Expected<RestConfig, std::string> resolve_config(
    const std::string& explicit_path, const EnvLookup& env,
    const std::string& sa_dir = std::string(kServiceAccountDir));

// Standard base64 (padding optional, whitespace ignored); nothing on malformed input.
std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view in);

}  // namespace ferrum::kube
