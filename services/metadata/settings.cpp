#include "settings.hpp"

#include "ferrum/contract.hpp"
#include "ferrum/net.hpp"
#include "ferrum/siderolink_secret.hpp"

namespace ferrum::metadata {

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_string("listen", &s.listen, "0.0.0.0:" + std::to_string(contract::kMetadataPort),
               "Address for GET /configdata?uuid=<uuid> (plain HTTP; nodes fetch their machine "
               "config here via talos.config=).");
  f.add_string("kubeconfig", &s.kubeconfig, "",
               "Kubeconfig file of the management cluster; empty: in-cluster service account, "
               "else $KUBECONFIG.");
  f.add_string(
      "link-api-endpoint", &s.link_api_endpoint, "",
      "ferrum-linkd's Provision API as nodes reach it, written into SideroLinkConfig.apiUrl: "
      "host:port (becomes grpc://host:port) or a grpc:// or https:// URL. Empty: configs "
      "carry no SideroLink documents.");
  f.add_string("link-secret", &s.link_secret, std::string(siderolink::kDefaultInstallationSecret),
               "<namespace>/<name> of the SideroLink installation Secret ferrum-linkd writes "
               "(key installation-id); the link server address (prefix::1) is derived from it. "
               "While it is missing, configs carry no SideroLink documents.");
  f.add_int("link-events-port", &s.link_events_port, siderolink::kEventsPort,
            "ferrum-linkd's event sink port on the link address (EventSinkConfig.endpoint).", 1,
            65535);
  f.add_int("link-logs-port", &s.link_logs_port, siderolink::kLogsPort,
            "ferrum-linkd's kmsg log port on the link address (KmsgLogConfig.url).", 1, 65535);
  f.add_string(
      "bootstrap-secret-selector", &s.bootstrap_secret_selector,
      std::string(contract::kClusterNameLabel),
      "Label selector of the bootstrap Secrets kept in the watch cache (Cluster API labels "
      "its bootstrap data Secrets with the cluster name). A bootstrap Secret outside it is "
      "read from the API on each request. Empty: never cache Secrets.");
  f.add_int("threads", &s.threads, 0, "HTTP worker threads; 0: one per core.", 0, 256);
  f.add_int("max-connections", &s.max_connections, 4096,
            "Open HTTP connections at most; more are closed at accept (and /readyz reports "
            "the cap as full).",
            1, 1'000'000);
  f.add_int("max-connections-per-client", &s.max_connections_per_client, 256,
            "Open HTTP connections from one client address at most; more are closed at accept, "
            "so one address cannot take every connection (0: no per-address share).",
            0, 1'000'000);
  f.add_duration("read-timeout", &s.read_timeout, std::chrono::seconds(10),
                 "Time allowed to read a whole request head, one deadline from its first byte "
                 "(or from the connect), not extended by partial reads; also the idle time of a "
                 "kept-alive connection.");
  f.add_duration("write-timeout", &s.write_timeout, std::chrono::seconds(10),
                 "Time allowed to write a response.");
  f.add_int("render-cache-entries", &s.render_cache_entries, 10000,
            "Rendered configs kept, keyed by the resourceVersion of every input (0: render every "
            "request).",
            0, 10'000'000);
  f.add_int(
      "parsed-config-cache-entries", &s.parsed_cache_entries, 256,
      "Parsed bootstrap configs kept, keyed by a SHA-256 of their bytes (YAML parsing is most of "
      "a render's cost; identical configs share one entry). 0: parse on every render.",
      0, 1'000'000);
  f.add_duration("secret-read-timeout", &s.secret_read_timeout, std::chrono::seconds(5),
                 "Deadline of an on-demand Secret read from the API.");
}

std::string link_api_url(const std::string& endpoint, std::string* error) {
  if (endpoint.empty()) return {};
  auto scheme_end = endpoint.find("://");
  if (scheme_end != std::string::npos) {
    auto scheme = endpoint.substr(0, scheme_end);
    if (scheme != "grpc" && scheme != "https") {
      *error = "--link-api-endpoint " + endpoint + ": scheme must be grpc:// or https://, not " +
               scheme + "://";
      return {};
    }
    if (endpoint.size() == scheme_end + 3) {
      *error = "--link-api-endpoint " + endpoint + ": missing host";
      return {};
    }
    return endpoint;
  }
  auto hp = net::parse_host_port(endpoint);
  if (!hp || hp->host.empty()) {
    *error = "--link-api-endpoint " + endpoint + ": want host:port or a grpc:// or https:// URL" +
             (hp ? std::string(" (missing host)") : ": " + hp.error());
    return {};
  }
  return "grpc://" + endpoint;
}

std::string validate(const Settings& s) {
  auto hp = net::parse_host_port(s.listen);
  if (!hp) return "--listen " + s.listen + ": " + hp.error();
  if (auto addr = net::listen_address(*hp); !addr)
    return "--listen " + s.listen + ": " + addr.error();
  std::string err;
  link_api_url(s.link_api_endpoint, &err);
  if (!err.empty()) return err;
  if (auto n = siderolink::parse_secret_name(s.link_secret); !n)
    return "--link-secret " + n.error();
  if (s.read_timeout.count() <= 0) return "--read-timeout must be positive";
  if (s.write_timeout.count() <= 0) return "--write-timeout must be positive";
  if (s.secret_read_timeout.count() <= 0) return "--secret-read-timeout must be positive";
  return {};
}

}  // namespace ferrum::metadata
