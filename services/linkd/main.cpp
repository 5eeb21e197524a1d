// ferrum-linkd: wiring only (see linkd_app.hpp).
#include "linkd_app.hpp"

int main(int argc, char** argv) {
  ferrum::linkd::Settings s;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-linkd", "linkd",
       "SideroLink server: answers sidero.link.ProvisionService/Provision for machines with a "
       "ServerBinding, keeps one WireGuard peer per provisioned machine (kernel WireGuard or "
       "wireguard-go), receives their kernel logs (tcp, newline-delimited JSON) and Talos events "
       "(events.EventSinkService) through the tunnel, writes the logs enriched with the machine's "
       "cluster placement and turns events into ServerBinding conditions and addresses.",
       "0.0.0.0:9410", [&](auto& flags) { ferrum::linkd::add_flags(flags, s); },
       [&] { return ferrum::linkd::validate(s); },
       [&](ferrum::Daemon& d) {
         return std::make_unique<ferrum::linkd::LinkdApp>(
             s,
             d.kube({s.kubeconfig, s.kube_timeout, static_cast<double>(s.kube_qps),
                     static_cast<int>(s.kube_burst)}),
             d.clock(), d.runtime());
       }});
}
