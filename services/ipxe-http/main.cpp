// ferrum-ipxe-http: wiring only (see ipxe_http_app.hpp).
#include "ipxe_http_app.hpp"

int main(int argc, char** argv) {
  ferrum::ipxe::Settings s;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-ipxe-http", "ipxe-http",
       "iPXE boot scripts and boot decisions, iPXE binaries over HTTP, and the Environment asset "
       "cache.",
       "0.0.0.0:9481", [&](auto& flags) { ferrum::ipxe::add_flags(flags, s); },
       [&] { return ferrum::ipxe::validate(s); },
       [&](ferrum::Daemon& d) {
         return std::make_unique<ferrum::ipxe::IpxeHttpApp>(s, d.kube({s.kubeconfig}), d.clock(),
                                                            d.runtime());
       }});
}
