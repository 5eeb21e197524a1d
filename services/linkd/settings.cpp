#include "settings.hpp"

#include <net/if.h>

#include "ferrum/net.hpp"
#include "node_records.hpp"

namespace ferrum::linkd {

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_string("wireguard-endpoint", &s.wireguard_endpoint, "",
               "host name or IP address machines reach this server's WireGuard port at "
               "(answered to Provision as <endpoint>:<port>; required)");
  f.add_int("wireguard-port", &s.wireguard_port, 51821, "UDP port of the WireGuard interface", 1,
            65535);
  f.add_choice("wireguard-backend", &s.wireguard_backend, "auto", {"auto", "kernel", "userspace"},
               "kernel: the kernel's WireGuard over generic netlink; userspace: wireguard-go "
               "driven over its UAPI socket; auto: kernel when the kernel has WireGuard");
  f.add_string("wireguard-go", &s.wireguard_go, "wireguard-go",
               "wireguard-go program the userspace backend starts");
  f.add_string("interface", &s.interface_name, "siderolink",
               "WireGuard interface name (wireguard-go's UAPI socket is "
               "/var/run/wireguard/<interface>.sock, so the name must be unique on the host)");
  f.add_string("api-listen", &s.api_listen,
               "0.0.0.0:" + std::to_string(siderolink::kProvisionApiPort),
               "gRPC listen address (host:port) of sidero.link.ProvisionService and "
               "grpc.health.v1.Health");
  f.add_int("log-listen-port", &s.log_listen_port, siderolink::kLogsPort,
            "TCP port on the server's tunnel address receiving nodes' kmsg JSON lines", 1, 65535);
  f.add_int("event-listen-port", &s.event_listen_port, siderolink::kEventsPort,
            "TCP port on the server's tunnel address serving events.EventSinkService", 1, 65535);
  f.add_string("join-token", &s.join_token, "",
               "when set, Provision requires this join_token (siderolink.api=...?jointoken=)");
  f.add_list("negative-address-filter", &s.negative_address_filter, {},
             "CIDR prefixes dropped from the addresses nodes report (comma-separated)");
  f.add_string("log-output", &s.log_output, "stdout",
               "where enriched node log lines go, one JSON object per line: stdout or a file "
               "path (appended)");
  f.add_string("kubeconfig", &s.kubeconfig, "",
               "kubeconfig of the API server holding ServerBindings (empty: in-cluster, then "
               "$KUBECONFIG)");
  f.add_string("link-secret", &s.link_secret, std::string(siderolink::kDefaultInstallationSecret),
               "<namespace>/<name> of the Secret keeping installation-id and private-key "
               "(created on first start; ferrum-metadata reads the same Secret)");
  f.add_duration("peer-batch-delay", &s.peer_batch_delay, std::chrono::milliseconds(50),
                 "how long peer changes are gathered before one write to the WireGuard device");
  f.add_duration("peer-check-period", &s.peer_check_period, std::chrono::milliseconds(15000),
                 "how often the device is read back (handshake metrics; peers lost by a "
                 "restarted device are re-added)");
  f.add_duration("stale-handshake-after", &s.stale_handshake_after,
                 std::chrono::milliseconds(5 * 60 * 1000),
                 "a peer without a handshake for this long counts in linkd_peers_stale");
  f.add_duration("call-timeout", &s.call_timeout, std::chrono::milliseconds(10000),
                 "longest a Provision or Publish call may take when the caller sets no shorter "
                 "deadline");
  f.add_duration("kube-timeout", &s.kube_timeout, std::chrono::milliseconds(10000),
                 "time one API server request may take");
  f.add_int("kube-qps", &s.kube_qps, 2000, "API server requests per second this daemon may send", 1,
            100000);
  f.add_int("kube-burst", &s.kube_burst, 4000,
            "API server requests that may go out at once above --kube-qps", 1, 100000);
  f.add_int("workers", &s.workers, 16, "threads doing API server calls for Provision and events", 1,
            1024);
  f.add_int("max-pending-calls", &s.max_pending_calls, 4096,
            "calls waiting for a worker; beyond this calls fail with RESOURCE_EXHAUSTED", 1,
            1 << 20);
  f.add_int("max-message-bytes", &s.max_message_bytes, 64 * 1024,
            "largest gRPC request accepted (Provision and events are a few hundred bytes)", 1024,
            16 << 20);
  f.add_int("max-log-line-bytes", &s.max_log_line_bytes, 16 * 1024,
            "longest kmsg line; a longer one is counted, dropped up to its newline", 256, 1 << 20);
  f.add_int("max-log-connections", &s.max_log_connections, 4096,
            "kmsg connections open at once; more are closed at once", 1, 1 << 20);
  f.add_duration("log-idle-timeout", &s.log_idle_timeout, std::chrono::milliseconds(30 * 60 * 1000),
                 "a kmsg connection silent for this long is closed (the node reconnects)");
  f.add_int("conflict-retries", &s.conflict_retries, 8,
            "how often a ServerBinding write that met a newer resourceVersion is redone", 0, 100);
}

bool split_secret_name(const std::string& text, std::string* ns, std::string* name) {
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) return false;
  if (text.find('/', slash + 1) != std::string::npos) return false;
  auto ok = [](const std::string& s) {
    if (s.size() > 253) return false;
    for (char c : s) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
        return false;
      }
    }
    return true;
  };
  *ns = text.substr(0, slash);
  *name = text.substr(slash + 1);
  return ok(*ns) && ok(*name);
}

std::string validate(const Settings& s) {
  if (s.wireguard_endpoint.empty()) {
    return "--wireguard-endpoint: required (the host or IP machines reach this server at)";
  }
  if (s.wireguard_endpoint.find_first_of(" /[]") != std::string::npos) {
    return "--wireguard-endpoint: \"" + s.wireguard_endpoint +
           "\" must be a bare host name or IP address (no port, brackets or path)";
  }
  if (!net::parse_host_port(s.api_listen)) {
    return "--api-listen: \"" + s.api_listen + "\" is not host:port";
  }
  if (s.interface_name.empty() || s.interface_name.size() >= IFNAMSIZ ||
      s.interface_name.find_first_of("/ \t:") != std::string::npos ||
      s.interface_name.front() == '-') {
    return "--interface: \"" + s.interface_name + "\" is not an interface name (1-15 characters)";
  }
  if (s.log_listen_port == s.event_listen_port) {
    return "--log-listen-port and --event-listen-port must differ";
  }
  if (auto p = parse_prefixes(s.negative_address_filter); !p) {
    return "--negative-address-filter: " + p.error();
  }
  if (s.log_output.empty()) return "--log-output: empty (stdout or a file path)";
  std::string ns, name;
  if (!split_secret_name(s.link_secret, &ns, &name)) {
    return "--link-secret: \"" + s.link_secret + "\" is not <namespace>/<name>";
  }
  using std::chrono::milliseconds;
  if (s.call_timeout < milliseconds(100)) return "--call-timeout: must be at least 100ms";
  if (s.kube_timeout < milliseconds(100)) return "--kube-timeout: must be at least 100ms";
  if (s.peer_check_period < milliseconds(100)) {
    return "--peer-check-period: must be at least 100ms";
  }
  if (s.peer_batch_delay > milliseconds(10000)) return "--peer-batch-delay: at most 10s";
  if (s.log_idle_timeout < milliseconds(1000)) return "--log-idle-timeout: at least 1s";
  return {};
}

}  // namespace ferrum::linkd
