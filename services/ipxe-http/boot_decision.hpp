#pragma once
// The boot decision of DESIGN.md 4.2: what a machine asking /ipxe boots. A pure function of
// the query, the cached objects, the local asset readiness and the flags; it never calls the
// API server (the caches are informers' stores).
//
// Order (Sidero's, and the order matters):
//   no Server                         => agent environment
//   no ServerBinding                  => agent environment
//   PXEBooted=True, not pxeBootAlways => boot from disk; method from the Server, else its
//                                        ServerClass (the binding's serverClassRef), else
//                                        the flag: ipxe-exit (script), http-404, ipxe-sanboot
//   else environment: Server.spec.environmentRef, else the ServerClass's, else `default`
//   environment missing => 404; assets not verified on this replica => 412.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "boot_query.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/model/environment.hpp"
#include "ferrum/siderolink_secret.hpp"

namespace ferrum::ipxe {

enum class Outcome { kAgent, kEnvironment, kDisk, kNotFound, kNotReady, kInvalid };
// "agent", "environment", "disk", "404", "412", "500" (the metrics label).
std::string_view outcome_label(Outcome o);

struct BootDecision {
  Outcome outcome = Outcome::kNotFound;
  int http_status = 404;
  std::string body;         // the script, or the error text
  std::string environment;  // the environment booted or looked for ("agent-amd64", "default")
  std::string reason;       // why, for logs and the script's echo line
};

// What the decision reads. The stores are the informers' caches (keys are names: all four
// kinds are cluster-scoped).
struct BootCaches {
  const kube::ObjectStore& servers;
  const kube::ObjectStore& bindings;
  const kube::ObjectStore& classes;
  const kube::ObjectStore& environments;
  // ferrum-linkd's installation Secret (its informer's store, and the address derived from
  // it) for talos.logging.kernel= / talos.events.sink=; null: not watched.
  const kube::ObjectStore* link_secrets = nullptr;
  const siderolink::InstallationAddress* link_address = nullptr;
};

// Whether this replica can serve an environment's assets: empty when every asset in the
// spec is downloaded and verified here, else why not.
class AssetReadiness {
 public:
  virtual ~AssetReadiness() = default;
  // `env` is the whole Environment object as cached (read in place, never copied).
  virtual std::string environment_unready(const nlohmann::json& env) const = 0;
  virtual std::string agent_unready(const std::string& arch) const = 0;
  // Changes whenever an answer of the two above may have changed, once the new answers are
  // visible; callers cache decisions by it.
  virtual std::uint64_t generation() const = 0;
};

struct DecisionSettings {
  std::string default_boot_from_disk_method = "ipxe-exit";
  std::string console_args = "console=tty0 console=ttyS0";
  std::string registry_endpoint;              // host:port for ferrum.endpoint=
  std::string metadata_endpoint;              // host:port for talos.config=
  std::string link_api_endpoint;              // host:port for siderolink.api=
  std::string link_server_address;            // IPv6 literal (--link-server-address, an
                                              // override); empty: derived from the Secret
  // Sidero's combined port on this host (--api-endpoint, --api-port): a siderolink.api= aimed
  // there is rewritten to link_api_endpoint (sidero_compat.hpp). Empty host: no rewrite.
  std::string sidero_api_host;
  std::uint16_t sidero_api_port = 8081;
  std::vector<std::string> extra_agent_args;  // already split
};

BootDecision decide(const BootQuery& query, const BootCaches& caches, const AssetReadiness& assets,
                    const DecisionSettings& settings);

// The agent environment's kernel args for this query (exposed for tests).
std::vector<std::string> agent_args(const BootQuery& query, const DecisionSettings& settings);
// An Environment's kernel args as a target boot gets them: its own, with a siderolink.api=
// aimed at Sidero's combined port rewritten (Sidero-era Environments applied verbatim), plus
// the talos.* / siderolink.* args it does not set itself (as Sidero's appendTalosArguments in
// app/sidero-controller-manager/internal/ipxe/ipxe_server.go: a key already there is kept).
// talos.logging.kernel= and talos.events.sink= need `link_server_address` (empty: left out).
struct TargetArgs {
  std::vector<std::string> args;
  std::vector<std::string> rewrites;  // "siderolink.api=<old> -> siderolink.api=<new>"
};
TargetArgs compose_target_args(const nlohmann::json& env, const DecisionSettings& settings,
                               const std::string& link_server_address);
// compose_target_args(...).args with settings.link_server_address.
std::vector<std::string> target_args(const nlohmann::json& env, const DecisionSettings& settings);

// The link server address a decision uses: --link-server-address when set, else the one
// derived from the installation Secret (empty when neither).
std::string link_server_address(const BootCaches& caches, const DecisionSettings& settings);

}  // namespace ferrum::ipxe
