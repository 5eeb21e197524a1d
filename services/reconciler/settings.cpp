#include "settings.hpp"

#include "ferrum/contract.hpp"
#include "ferrum/net.hpp"
#include "ferrum/talos_kernel_args.hpp"

namespace ferrum::reconciler {

using std::chrono::milliseconds;

std::string default_environment_args_text() {
  std::string out;
  for (const auto& a : talos::sidero_default_environment_args()) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_string("kubeconfig", &s.kubeconfig, "",
               "kubeconfig of the management API server (empty: in-cluster, then $KUBECONFIG)");
  f.add_string("bmcd-endpoint", &s.bmcd_endpoint,
               "127.0.0.1:" + std::to_string(contract::kBmcdPort),
               "host:port of ferrum-bmcd's gRPC Power service (all power and boot-device "
               "operations go through it)");
  f.add_choice("ipmi-pxe-method", &s.ipmi_pxe_method, "uefi", {"uefi", "bios"},
               "firmware mode requested with PXE boot when a Server has no spec.pxeMode");
  f.add_duration("server-reboot-timeout", &s.server_reboot_timeout, std::chrono::minutes(20),
                 "how long a wipe may go without an agent heartbeat before the Server is power "
                 "cycled again");
  f.add_duration("power-check-period", &s.power_check_period, std::chrono::minutes(5),
                 "how often a Server's power state is read again from its BMC (BMCs misreport; "
                 "an allocated Server found off is powered on)");
  f.add_duration("power-timeout", &s.power_timeout, std::chrono::seconds(60),
                 "deadline of one call to ferrum-bmcd (which retries the BMC itself)");
  f.add_int("workers", &s.workers, 4,
            "reconcile workers per controller (Server, ServerClass, MetalMachine, ...)", 1, 256);
  f.add_bool("leader-elect", &s.leader_elect, true,
             "run the controllers only while holding the Lease (one active replica)");
  f.add_string("leader-election-namespace", &s.leader_election_namespace, "",
               "namespace of the Lease (empty: the kubeconfig's namespace, else default)");
  f.add_string("leader-election-id", &s.leader_election_id, "ferrum-reconciler",
               "name of the Lease");
  f.add_duration("leader-election-lease-duration", &s.lease_duration, std::chrono::seconds(15),
                 "how long a standby waits after the last renewal before taking over");
  f.add_duration("leader-election-renew-deadline", &s.renew_deadline, std::chrono::seconds(10),
                 "how long the leader keeps trying to renew before giving up leadership");
  f.add_duration("leader-election-retry-period", &s.retry_period, std::chrono::seconds(2),
                 "interval between acquire/renew attempts");
  f.add_string("default-environment-kernel-url", &s.default_environment_kernel_url,
               "https://github.com/siderolabs/talos/releases/download/v1.7.6/vmlinuz-amd64",
               "kernel URL of the `default` Environment when the reconciler creates it");
  f.add_string("default-environment-initrd-url", &s.default_environment_initrd_url,
               "https://github.com/siderolabs/talos/releases/download/v1.7.6/initramfs-amd64.xz",
               "initrd URL of the `default` Environment when the reconciler creates it");
  f.add_string("default-environment-args", &s.default_environment_args,
               default_environment_args_text(),
               "kernel arguments (space separated) of the `default` Environment when the "
               "reconciler creates it; the default is Sidero's: Talos' kernel defaults plus "
               "consoles, initrd=initramfs.xz and talos.platform=metal (Talos refuses to boot "
               "on metal without slab_nomerge and pti=on)");
  f.add_duration("provider-set-retry", &s.provider_set_retry, std::chrono::seconds(30),
                 "how soon a MetalMachine whose workload Node is not there yet is looked at again");
  f.add_duration("resync-period", &s.resync_period, std::chrono::minutes(10),
                 "every object is reconciled again this often even without a change (0: never)");
  f.add_duration("kube-timeout", &s.kube_timeout, std::chrono::seconds(10),
                 "time one API server request may take");
  f.add_int("kube-qps", &s.kube_qps, 1000,
            "API requests per second (token bucket rate); the API server pushes back itself", 1,
            100000);
  f.add_int("kube-burst", &s.kube_burst, 2000, "API request burst (token bucket size)", 1, 100000);
}

std::string validate(const Settings& s) {
  if (!net::parse_host_port(s.bmcd_endpoint)) {
    return "--bmcd-endpoint: \"" + s.bmcd_endpoint + "\" is not host:port";
  }
  if (s.server_reboot_timeout < milliseconds(1000)) {
    return "--server-reboot-timeout: must be at least 1s";
  }
  if (s.power_check_period < milliseconds(1000)) {
    return "--power-check-period: must be at least 1s";
  }
  if (s.power_timeout < milliseconds(100)) return "--power-timeout: must be at least 100ms";
  if (s.kube_timeout < milliseconds(100)) return "--kube-timeout: must be at least 100ms";
  if (s.provider_set_retry < milliseconds(100)) {
    return "--provider-set-retry: must be at least 100ms";
  }
  if (s.resync_period < milliseconds(0)) return "--resync-period: must not be negative";
  if (!(s.lease_duration > s.renew_deadline && s.renew_deadline > s.retry_period &&
        s.retry_period > milliseconds(0))) {
    return "--leader-election-lease-duration > --leader-election-renew-deadline > "
           "--leader-election-retry-period > 0 is required";
  }
  if (s.leader_election_id.empty()) return "--leader-election-id: must not be empty";
  return {};
}

}  // namespace ferrum::reconciler
