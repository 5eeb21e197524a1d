// ferrum-registry: wiring only (see registry_app.hpp).
#include "registry_app.hpp"

int main(int argc, char** argv) {
  ferrum::registry::Settings s;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-registry", "registry",
       "Agent registration API (gRPC service api.Agent, wire-compatible with Sidero's): creates "
       "Servers from the inventory agents report, tells accepted ones to wipe and set up their "
       "BMC, records wipes, heartbeats, addresses and BMC credentials (in <uuid>-bmc Secrets).",
       "0.0.0.0:9421", [&](auto& flags) { ferrum::registry::add_flags(flags, s); },
       [&] { return ferrum::registry::validate(s); },
       [&](ferrum::Daemon& d) {
         ferrum::KubeClientFlags kube{s.kubeconfig, s.kube_timeout, static_cast<double>(s.kube_qps),
                                      static_cast<int>(s.kube_burst)};
         return std::make_unique<ferrum::registry::RegistryApp>(
             s, d.kube(kube), d.clock(), d.runtime(), d.kube_config(kube).source);
       }});
}
