// ferrum-linkd: wiring only (see linkd_app.hpp).
#include <cstdio>

#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/signals.hpp"
#include "linkd_app.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;  // before any thread starts
  ferrum::linkd::Settings settings;
  ferrum::DaemonCommon common;
  ferrum::flags::FlagSet flags(
      "ferrum-linkd",
      "SideroLink server: answers sidero.link.ProvisionService/Provision for machines with a "
      "ServerBinding, keeps one WireGuard peer per provisioned machine (kernel WireGuard or "
      "wireguard-go), receives their kernel logs (tcp, newline-delimited JSON) and Talos events "
      "(events.EventSinkService) through the tunnel, writes the logs enriched with the machine's "
      "cluster placement and turns events into ServerBinding conditions and addresses.");
  ferrum::linkd::add_flags(flags, settings);
  common.add_flags(flags, "0.0.0.0:9410");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  if (auto err = ferrum::linkd::validate(settings); !err.empty()) {
    std::fprintf(stderr, "ferrum-linkd: %s\n", err.c_str());
    return 2;
  }
  auto kube_config =
      ferrum::daemon_kube_config("ferrum-linkd", {settings.kubeconfig, settings.kube_timeout,
                                                  static_cast<double>(settings.kube_qps),
                                                  static_cast<int>(settings.kube_burst)});
  if (!kube_config) return 2;
  ferrum::DaemonRuntime runtime("linkd", common);
  ferrum::kube::RestClient kube(*kube_config);
  return ferrum::linkd::run_linkd(settings, runtime, kube, signals);
}
