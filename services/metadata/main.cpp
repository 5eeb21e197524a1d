// ferrum-metadata: wiring only (see metadata_app.hpp).
#include "metadata_app.hpp"

int main(int argc, char** argv) {
  ferrum::metadata::Settings s;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-metadata", "metadata",
       "Serves Talos machine configs at GET /configdata?uuid=<uuid>: the Cluster API bootstrap "
       "config with the ServerClass's and the Server's patches applied, the "
       "metal.sidero.dev/uuid node label and the SideroLink documents.",
       "0.0.0.0:9403", [&](auto& flags) { ferrum::metadata::add_flags(flags, s); },
       [&] { return ferrum::metadata::validate(s); },
       [&](ferrum::Daemon& d) {
         // Secrets read on demand get their own, shorter deadline.
         auto secret_config = d.kube_config({s.kubeconfig});
         secret_config.timeout = s.secret_read_timeout;
         return std::make_unique<ferrum::metadata::MetadataApp>(
             s, d.kube({s.kubeconfig}),
             std::make_unique<ferrum::kube::RestClient>(secret_config, d.clock()), d.clock(),
             d.runtime());
       }});
}
