#include "allocation.hpp"

#include <algorithm>

#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {

std::optional<Waiting> allocation_blocker(const model::MetalMachine& mm,
                                          const model::Machine* owner,
                                          const model::Cluster* cluster) {
  if (!mm.owner_of_kind(model::kClusterApiGroup, "Machine")) {
    return Waiting{"WaitingForMachine", "no owner Machine yet"};
  }
  if (owner == nullptr) {
    return Waiting{"WaitingForMachine", "the owner Machine does not exist (yet)"};
  }
  auto cluster_name = owner->cluster_name();
  if (!cluster_name) {
    return Waiting{"WaitingForCluster", "the Machine names no cluster"};
  }
  if (cluster == nullptr) {
    return Waiting{"WaitingForCluster", "Cluster " + *cluster_name + " does not exist"};
  }
  if (!cluster->infrastructure_ready()) {
    return Waiting{"WaitingForInfrastructure",
                   "Cluster " + *cluster_name + " has no status.infrastructureReady yet"};
  }
  if (!owner->bootstrap_data_secret_name()) {
    return Waiting{"WaitingForBootstrapData",
                   "the Machine has no spec.bootstrap.dataSecretName yet"};
  }
  return std::nullopt;
}

std::vector<std::string> allocation_candidates(const model::ServerClassMatcher& matcher,
                                               std::span<const model::Server> servers,
                                               const std::set<std::string, std::less<>>& bound) {
  std::vector<std::string> out;
  for (const auto& s : servers) {
    if (!model::available_for(s) || !s.is_clean() || s.is_being_deleted()) continue;
    auto name = s.name();
    if (bound.contains(name)) continue;
    if (!matcher.matches(s)) continue;
    out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string provider_id_for(std::string_view server_uuid) {
  return "sidero://" + std::string(server_uuid);
}

model::ServerBinding make_binding(std::string_view server_uuid, const model::MetalMachine& mm,
                                  const std::optional<model::ObjectReference>& server_class) {
  auto b = model::ServerBinding::make(server_uuid);
  model::ObjectReference ref;
  ref.kind = "MetalMachine";
  ref.api_version = model::kMetalMachine.api_version();
  ref.namespace_ = mm.namespace_();
  ref.name = mm.name();
  ref.uid = mm.uid();
  b.set_metal_machine_ref(ref);
  if (server_class) b.set_server_class_ref(*server_class);
  // The cluster label lets operators list a cluster's bindings, as Sidero does.
  if (auto cluster = mm.label(model::kClusterNameLabel)) {
    b.set_label(model::kClusterNameLabel, *cluster);
  }
  return b;
}

bool binding_belongs_to(const model::ServerBinding& binding, const model::MetalMachine& mm) {
  auto ref = binding.metal_machine_ref();
  if (ref.namespace_ != mm.namespace_() || ref.name != mm.name()) return false;
  if (ref.uid.empty() || mm.uid().empty() || ref.uid == mm.uid()) return true;
  // A stale uid on a MetalMachine that already carries this Server as its provider: the
  // objects were copied to another API server (`clusterctl move`, Sidero's documented pivot,
  // website/content/v0.6/Guides/bootstrapping.md), which gives every object a new uid and
  // rewrites ownerReferences but not spec.metalMachineRef. Sidero never compared the uid
  // (caps-controller-manager/controllers/metalmachine_controller.go finds the binding by
  // spec.serverRef's name), so such bindings are common in adopted installations. A new
  // MetalMachine of the same name has no providerID yet and is still told apart.
  return mm.provider_id() == provider_id_for(binding.name());
}

bool copy_binding_status(model::MetalMachine& mm, const model::ServerBinding& binding,
                         model::Timestamp now) {
  bool changed = false;
  std::vector<model::NodeAddress> addresses;
  for (const auto& a : binding.addresses()) {
    // Binding addresses may carry a prefix length (link addresses); machines get the bare IP.
    addresses.push_back({"InternalIP", a.substr(0, a.find('/'))});
  }
  if (auto h = binding.hostname(); h && !h->empty()) addresses.push_back({"Hostname", *h});
  if (mm.addresses() != addresses) {
    mm.set_addresses(addresses);
    changed = true;
  }
  for (auto type : {model::kConditionTalosConfigValidated, model::kConditionTalosConfigLoaded,
                    model::kConditionTalosInstalled}) {
    auto c = binding.condition(type);
    if (!c) continue;
    auto mine = mm.condition(type);
    if (mine && mine->status == c->status && mine->reason == c->reason &&
        mine->message == c->message && mine->severity == c->severity) {
      continue;
    }
    mm.set_condition(*c, c->last_transition_time.value_or(now));
    changed = true;
  }
  return changed;
}

}  // namespace ferrum::reconciler
