// talos-node-peer: a test peer that boots like Talos' metal platform (see node_run.hpp).
// Runs as the init's main program; flags: --no-reboot (stay up instead of rebooting),
// --talos-version VERSION.
#include <cstring>
#include <string>

#include "node_run.hpp"

int main(int argc, char** argv) {
  ferrum::talos_node::NodeSettings s;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-reboot") == 0) {
      s.reboot = false;
    } else if (std::strcmp(argv[i], "--talos-version") == 0 && i + 1 < argc) {
      s.talos_version = argv[++i];
    } else {
      return 2;
    }
  }
  return ferrum::talos_node::run_node(s);
}
