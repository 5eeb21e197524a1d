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
  std::string link_server_address;            // IPv6 literal; empty: no log / event sink args
  std::vector<std::string> extra_agent_args;  // already split
};

BootDecision decide(const BootQuery& query, const BootCaches& caches, const AssetReadiness& assets,
                    const DecisionSettings& settings);

// The agent environment's kernel args for this query (exposed for tests).
std::vector<std::string> agent_args(const BootQuery& query, const DecisionSettings& settings);
// An Environment's args plus the talos.* / siderolink.* args it does not set itself.
std::vector<std::string> target_args(const nlohmann::json& env, const DecisionSettings& settings);

}  // namespace ferrum::ipxe
