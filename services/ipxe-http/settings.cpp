#include "settings.hpp"

#include <boost/asio/ip/address.hpp>

#include "ferrum/contract.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/net.hpp"
#include "ferrum/siderolink_secret.hpp"
#include "kernel_args.hpp"

namespace ferrum::ipxe {

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_string("listen", &s.listen, "0.0.0.0:8081",
               "TCP address serving /boot.ipxe, /ipxe, /tftp/ and /env/ (host:port).");
  f.add_string("api-endpoint", &s.api_endpoint, "",
               "Host (IP or name) machines use to reach Ferrum; goes into /boot.ipxe and, unless "
               "the more specific flags say otherwise, into kernel args. Required.");
  f.add_int("api-port", &s.api_port, 8081,
            "Port machines use to reach this service (differs from --listen behind NAT or a "
            "Service).",
            1, 65535);
  f.add_string("tftp-root", &s.tftp_root, "/var/lib/ferrum/tftp",
               "Directory with the iPXE binaries served under /tftp/ (the same as ferrum-tftpd's "
               "--root).");
  f.add_string("asset-dir", &s.asset_dir, "/var/lib/ferrum/env",
               "Where downloaded Environment kernels and initrds are kept (one directory per "
               "Environment).");
  f.add_string("agent-dir", &s.agent_dir, "/var/lib/ferrum/agent",
               "Agent environment: <agent-dir>/<arch>/vmlinuz and initramfs.xz (arch amd64, "
               "arm64), served as /env/agent-<arch>/.");
  f.add_string(
      "registry-endpoint", &s.registry_endpoint, "",
      "host:port of ferrum-registry for the agent's " + std::string(contract::kAgentEndpointArg) +
          "= arg (default <api-endpoint>:" + std::to_string(contract::kRegistryPort) + ").");
  f.add_string("metadata-endpoint", &s.metadata_endpoint, "",
               "host:port of ferrum-metadata as machines reach it, for talos.config= and for "
               "the redirect of Sidero's GET /configdata on this port (default "
               "<api-endpoint>:" +
                   std::to_string(contract::kMetadataPort) + ").");
  f.add_string("link-api-endpoint", &s.link_api_endpoint, "",
               "host:port of ferrum-linkd's Provision API for siderolink.api= (default "
               "<api-endpoint>:" +
                   std::to_string(contract::kLinkApiPort) + ").");
  f.add_string("link-server-address", &s.link_server_address, "",
               "ferrum-linkd's tunnel IPv6 address for talos.logging.kernel= and "
               "talos.events.sink=, overriding the one derived from --link-secret.");
  f.add_string("link-secret", &s.link_secret, std::string(siderolink::kDefaultInstallationSecret),
               "<namespace>/<name> of ferrum-linkd's SideroLink installation Secret (key "
               "installation-id): the link server address (prefix::1) for "
               "talos.logging.kernel= and talos.events.sink= is derived from it, as "
               "ferrum-metadata does. While it is missing those args are left out.");
  f.add_string("extra-agent-kernel-args", &s.extra_agent_kernel_args, "",
               "Extra kernel args for the agent environment; an arg whose key is already there "
               "replaces every entry of that key (console=ttyS1,115200 replaces both consoles).");
  f.add_choice("boot-from-disk-method", &s.boot_from_disk_method, "ipxe-exit",
               {"ipxe-exit", "http-404", "ipxe-sanboot"},
               "How PXEBooted Servers boot from disk when neither the Server nor its ServerClass "
               "says.");
  f.add_string("kubeconfig", &s.kubeconfig, "",
               "kubeconfig file; else the in-cluster service account, else $KUBECONFIG.");
  f.add_string("lease-namespace", &s.lease_namespace, "default",
               "Namespace of the ferrum-ipxe-http-assets Lease (the replica holding it writes "
               "Environment conditions).");
  f.add_int("workers", &s.workers, 2, "HTTP worker threads (one event loop each).", 1, 256);
  f.add_int("max-connections", &s.max_connections, 4096,
            "Most open HTTP connections; more are closed at accept (and /readyz reports the cap "
            "as full).",
            1, 1 << 20);
  f.add_int("max-connections-per-client", &s.max_connections_per_client, 256,
            "Most open HTTP connections from one client address; more are closed at accept, so "
            "one address (a slowloris client) cannot lock PXE clients out (0: no share).",
            0, 1 << 20);
  f.add_int("decision-cache-entries", &s.decision_cache_entries, 20000,
            "Most /ipxe decisions kept for reuse while the Server, ServerBinding, ServerClass, "
            "Environment caches and asset readiness are unchanged (0: decide every request).",
            0, 1 << 24);
  f.add_duration("header-timeout", &s.header_timeout, std::chrono::seconds(10),
                 "Time allowed to receive a whole request head: one deadline from its first byte (from "
                 "the connect for a new connection), not extended by partial reads.");
  f.add_duration("idle-timeout", &s.idle_timeout, std::chrono::seconds(30),
                 "Keep-alive connections idle this long are closed.");
  f.add_int("asset-max-bytes", &s.asset_max_bytes, 1ll << 30,
            "Largest Environment asset downloaded.", 1, 1ll << 40);
  f.add_duration("asset-connect-timeout", &s.asset_connect_timeout, std::chrono::seconds(10),
                 "Connect timeout of asset downloads.");
  f.add_duration("asset-download-timeout", &s.asset_download_timeout, std::chrono::minutes(10),
                 "Whole-transfer timeout of one asset download attempt.");
  f.add_int("asset-download-attempts", &s.asset_download_attempts, 3,
            "Attempts per asset for retryable failures (timeouts, 5xx), 1 s backoff doubling.", 1,
            20);
  f.add_int("asset-download-workers", &s.asset_download_workers, 2,
            "Environments downloaded at once.", 1, 64);
}

std::string validate(const Settings& s) {
  auto hp = net::parse_host_port(s.listen);
  if (!hp) return "--listen " + s.listen + ": " + hp.error();
  if (auto a = net::listen_address(*hp); !a) return "--listen " + s.listen + ": " + a.error();
  if (s.api_endpoint.empty()) return "--api-endpoint: required (the address machines reach)";
  if (s.api_endpoint.find_first_of(" /?#") != std::string::npos) {
    return "--api-endpoint: a host name or IP, without scheme or path";
  }
  for (const auto& [flag, value] : {std::pair{"--registry-endpoint", &s.registry_endpoint},
                                    std::pair{"--metadata-endpoint", &s.metadata_endpoint},
                                    std::pair{"--link-api-endpoint", &s.link_api_endpoint}}) {
    if (value->empty()) continue;
    if (auto p = net::parse_host_port(*value); !p)
      return std::string(flag) + " " + *value + ": " + p.error();
  }
  if (!s.metadata_endpoint.empty() && s.metadata_endpoint == boot_endpoint(s)) {
    return "--metadata-endpoint " + s.metadata_endpoint +
           ": is this service's own endpoint (GET /configdata here redirects to it)";
  }
  if (auto n = siderolink::parse_secret_name(s.link_secret); !n) {
    return "--link-secret " + n.error();
  }
  if (!s.link_server_address.empty()) {
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(s.link_server_address, ec);
    if (ec || !a.is_v6()) return "--link-server-address: not an IPv6 address";
  }
  for (const auto& arg : split_args(s.extra_agent_kernel_args)) {
    for (char c : arg) {
      if (static_cast<unsigned char>(c) < 0x20)
        return "--extra-agent-kernel-args: control character";
    }
  }
  if (s.asset_dir.empty()) return "--asset-dir: must not be empty";
  if (s.tftp_root.empty()) return "--tftp-root: must not be empty";
  if (s.header_timeout < std::chrono::milliseconds(100)) return "--header-timeout: at least 100ms";
  if (s.idle_timeout < std::chrono::milliseconds(100)) return "--idle-timeout: at least 100ms";
  if (s.asset_download_timeout < std::chrono::seconds(1))
    return "--asset-download-timeout: at least 1s";
  if (s.asset_connect_timeout < std::chrono::milliseconds(100))
    return "--asset-connect-timeout: at least 100ms";
  return {};
}

namespace {
std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}
}  // namespace

std::string boot_endpoint(const Settings& s) {
  return host_for_url(s.api_endpoint) + ":" + std::to_string(s.api_port);
}

DecisionSettings decision_settings(const Settings& s) {
  DecisionSettings d;
  std::string host = host_for_url(s.api_endpoint);
  d.default_boot_from_disk_method = s.boot_from_disk_method;
  d.registry_endpoint = s.registry_endpoint.empty()
                            ? host + ":" + std::to_string(contract::kRegistryPort)
                            : s.registry_endpoint;
  d.metadata_endpoint = s.metadata_endpoint.empty()
                            ? host + ":" + std::to_string(contract::kMetadataPort)
                            : s.metadata_endpoint;
  d.link_api_endpoint = s.link_api_endpoint.empty()
                            ? host + ":" + std::to_string(siderolink::kProvisionApiPort)
                            : s.link_api_endpoint;
  d.link_server_address = s.link_server_address;
  d.sidero_api_host = s.api_endpoint;
  d.sidero_api_port = static_cast<std::uint16_t>(s.api_port);
  d.extra_agent_args = split_args(s.extra_agent_kernel_args);
  return d;
}

}  // namespace ferrum::ipxe
