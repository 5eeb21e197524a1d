#pragma once
// ferrum-linkd assembled: installation Secret -> address plan -> WireGuard device ->
// informers (ServerBindings, MetalMachines) feeding PeerSync and NodeDirectory -> Provision
// gRPC on --api-listen, kmsg receiver and event sink on the tunnel address. run() returns
// the process exit code after SIGTERM/SIGINT (or a start-up failure, logged with the flag).

#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/signals.hpp"
#include "settings.hpp"

namespace ferrum::linkd {

int run_linkd(const Settings& settings, DaemonRuntime& runtime, kube::Client& kube,
              TerminationSignals& signals);

}  // namespace ferrum::linkd
