#pragma once
// The Cluster API provider's decisions (DESIGN.md 5), pure: what a MetalMachine waits for,
// which Servers it may be given and in which order, and what it copies from its binding.

#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "ferrum/model/cluster_api.hpp"
#include "ferrum/model/metal_machine.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/server_class_match.hpp"

namespace ferrum::reconciler {

// Why a MetalMachine cannot be given a Server yet (a reason word and a message), or nullopt
// when it can: it needs its owner Machine, the Machine's Cluster with
// status.infrastructureReady, and the Machine's spec.bootstrap.dataSecretName.
struct Waiting {
  std::string reason;
  std::string message;
};
std::optional<Waiting> allocation_blocker(const model::MetalMachine& mm,
                                          const model::Machine* owner,
                                          const model::Cluster* cluster);

// The Servers a MetalMachine of this class may take, in the order to try them (by name):
// matching, accepted, not cordoned, not in use, clean, and not already bound.
std::vector<std::string> allocation_candidates(const model::ServerClassMatcher& matcher,
                                               std::span<const model::Server> servers,
                                               const std::set<std::string, std::less<>>& bound);

// "sidero://<uuid>", as Sidero writes it.
std::string provider_id_for(std::string_view server_uuid);

// The binding the MetalMachine creates to claim `server_uuid` (the create is the lock).
model::ServerBinding make_binding(std::string_view server_uuid, const model::MetalMachine& mm,
                                  const std::optional<model::ObjectReference>& server_class);

// Whether `binding` belongs to this MetalMachine: namespace and name, and, when both have one,
// the same uid, or else a MetalMachine whose spec.providerID already names the binding's
// Server (a binding carried over by `clusterctl move` keeps the old uid; see allocation.cpp).
bool binding_belongs_to(const model::ServerBinding& binding, const model::MetalMachine& mm);

// MetalMachine status from its binding: addresses (spec.addresses as InternalIP, hostname as
// Hostname) and the Talos conditions. Returns whether anything changed.
bool copy_binding_status(model::MetalMachine& mm, const model::ServerBinding& binding,
                         model::Timestamp now);

}  // namespace ferrum::reconciler
