// ferrum-bmcd: wiring only (see bmcd_app.hpp).
#include "bmcd_app.hpp"

int main(int argc, char** argv) {
  ferrum::bmcd::Settings s;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-bmcd", "bmcd",
       "Power and boot-device control of Servers over IPMI 2.0 (libfreeipmi) and Sidero's HTTP "
       "\"api\" method, as the gRPC service ferrum.power.v1.Power.",
       "0.0.0.0:9420", [&](auto& flags) { ferrum::bmcd::add_flags(flags, s); },
       [&] { return ferrum::bmcd::validate(s); },
       [&](ferrum::Daemon& d) {
         ferrum::KubeClientFlags kube{s.kubeconfig, s.kube_timeout};
         return std::make_unique<ferrum::bmcd::BmcdApp>(s, d.kube(kube), d.clock(), d.runtime(),
                                                        d.kube_config(kube).source);
       }});
}
