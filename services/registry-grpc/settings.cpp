#include "settings.hpp"

#include <cctype>

#include "ferrum/contract.hpp"
#include "ferrum/net.hpp"

namespace ferrum::registry {

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_string(
      "listen", &s.listen, "0.0.0.0:" + std::to_string(contract::kRegistryPort),
      "gRPC listen address (host:port) of the api.Agent service and grpc.health.v1.Health");
  f.add_string("kubeconfig", &s.kubeconfig, "",
               "kubeconfig of the API server holding Servers (empty: in-cluster, then "
               "$KUBECONFIG)");
  f.add_bool("auto-accept-servers", &s.auto_accept_servers, false,
             "new Servers get spec.accepted=true (they can be wiped and allocated at once); "
             "otherwise an operator accepts each one");
  f.add_bool("insecure-wipe", &s.insecure_wipe, true,
             "tell agents to wipe fast (first and last MiB and partition tables) instead of "
             "zeroing whole disks");
  f.add_bool("auto-bmc-setup", &s.auto_bmc_setup, true,
             "tell agents of accepted Servers without spec.bmc to create a BMC user and report it");
  f.add_duration("server-reboot-timeout", &s.server_reboot_timeout,
                 std::chrono::milliseconds(20 * 60 * 1000),
                 "sent to agents as reboot_timeout; they heartbeat every third of it while wiping "
                 "(keep equal to ferrum-reconciler's --server-reboot-timeout)");
  f.add_string("bmc-secret-namespace", &s.bmc_secret_namespace, "default",
               "namespace of the <uuid>-bmc Secrets holding BMC credentials agents report");
  f.add_duration("call-timeout", &s.call_timeout, std::chrono::milliseconds(30000),
                 "longest a call may take when the agent sets no shorter deadline");
  f.add_duration("kube-timeout", &s.kube_timeout, std::chrono::milliseconds(10000),
                 "time one API server request may take");
  f.add_int("kube-qps", &s.kube_qps, 2000,
            "API server requests per second this daemon may send (a new machine costs a get, "
            "a create and an Event; client-go's default of 5 would cap registrations at ~2/s)",
            1, 100000);
  f.add_int("kube-burst", &s.kube_burst, 4000,
            "API server requests that may go out at once above --kube-qps (a rack powering on)", 1,
            100000);
  f.add_int("workers", &s.workers, 16,
            "threads doing API server calls (calls in progress at the same time)", 1, 1024);
  f.add_int("max-pending-calls", &s.max_pending_calls, 1024,
            "calls waiting for a worker; beyond this calls fail with RESOURCE_EXHAUSTED", 1,
            1 << 20);
  f.add_int("max-message-bytes", &s.max_message_bytes, 1 << 20,
            "largest request accepted (an inventory of a big machine is a few tens of KiB)", 4096,
            64 << 20);
  f.add_int("conflict-retries", &s.conflict_retries, 8,
            "how often a write that met a newer resourceVersion (409) is redone from a fresh "
            "read before the call fails with ABORTED",
            0, 100);
  // What one agent may report (inventory_limits.hpp says why these numbers).
  InventoryLimits d;
  auto& inv = s.inventory;
  f.add_int("max-processors", &inv.max_processors, d.max_processors,
            "most CPU sockets in a reported inventory (hardware.compute.processors)", 1, 65536);
  f.add_int("max-memory-modules", &inv.max_memory_modules, d.max_memory_modules,
            "most DIMMs in a reported inventory (hardware.memory.modules)", 1, 65536);
  f.add_int("max-storage-devices", &inv.max_storage_devices, d.max_storage_devices,
            "most disks in a reported inventory (hardware.storage.devices)", 1, 65536);
  f.add_int("max-network-interfaces", &inv.max_network_interfaces, d.max_network_interfaces,
            "most NICs in a reported inventory (hardware.network.interfaces)", 1, 65536);
  f.add_int("max-addresses", &inv.max_addresses, d.max_addresses,
            "most addresses per reported NIC, and per ReconcileServerAddresses call", 1, 65536);
  f.add_int("max-string-bytes", &inv.max_string_bytes, d.max_string_bytes,
            "longest string in an agent's request (SMBIOS strings are at most 255 bytes; the "
            "hostname has its own bound of 253)",
            64, 1 << 20);
  f.add_int("max-inventory-bytes", &inv.max_inventory_bytes, d.max_inventory_bytes,
            "largest spec.hardware a registration may write, as JSON (etcd refuses objects over "
            "1.5 MiB, and the Server carries more than its inventory)",
            4096, 1 << 20);
}

std::string validate(const Settings& s) {
  if (!net::parse_host_port(s.listen)) return "--listen: \"" + s.listen + "\" is not host:port";
  using std::chrono::milliseconds;
  if (s.server_reboot_timeout < milliseconds(60000)) {
    return "--server-reboot-timeout: must be at least 1m";
  }
  if (s.call_timeout < milliseconds(100)) return "--call-timeout: must be at least 100ms";
  if (s.kube_timeout < milliseconds(100)) return "--kube-timeout: must be at least 100ms";
  const auto& ns = s.bmc_secret_namespace;
  bool ok = !ns.empty() && ns.size() <= 63 &&
            std::isalnum(static_cast<unsigned char>(ns.front())) &&
            std::isalnum(static_cast<unsigned char>(ns.back()));
  for (char c : ns) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) return "--bmc-secret-namespace: \"" + ns + "\" is not a namespace name (RFC 1123 label)";
  return {};
}

}  // namespace ferrum::registry
