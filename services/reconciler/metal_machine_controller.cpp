// MetalMachine: the Cluster API infrastructure provider (DESIGN.md 5). Allocation is
// race-free because the ServerBinding (named by the Server UUID) is the lock: its create
// either succeeds or answers AlreadyExists, whoever else tried at the same moment.
#include "allocation.hpp"
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_class_match.hpp"

namespace ferrum::reconciler {

namespace {

const kube::ResourceId& mm_resource() {
  static const kube::ResourceId r = kube::resource_of(model::kMetalMachine);
  return r;
}
const kube::ResourceId& binding_resource() {
  static const kube::ResourceId r = kube::resource_of(model::kServerBinding);
  return r;
}

}  // namespace

MetalMachineController::MetalMachineController(Deps deps, ServerSnapshot& snapshot,
                                               WorkloadNodes& nodes)
    : d_(std::move(deps)), snapshot_(snapshot), nodes_(nodes) {}

WatchSet MetalMachineController::watches() {
  auto waiting = [this](const kube::Json&) { return waiting_machines(); };
  return WatchSet()
      .for_kind(model::kMetalMachine)
      // The binding names its MetalMachine: its creation fills providerID and status, its
      // conditions and addresses are copied, its deletion drops the finalizer.
      .watches(model::kServerBinding, machine_of_binding)
      // The owner Machine (cluster-api util/util.go MachineToInfrastructureMapFunc).
      .watches(model::kMachine,
               [](const kube::Json& m) {
                 model::Machine machine(m);
                 return referenced(machine.infrastructure_ref(), "MetalMachine",
                                   machine.namespace_());
               })
      .on(kOnAdd | kOnUpdate)
      // A Cluster turning infrastructureReady may unblock every MetalMachine of its namespace.
      .watches(model::kCluster,
               [this](const kube::Json& c) {
                 return d_.caches.metal_machines->keys_by_index(kMetalMachineByNamespace,
                                                                kube::namespace_of(c));
               })
      .on(kOnAdd | kOnUpdate)
      // A Server becoming available, or a class changing its selection, may give a waiting
      // MetalMachine its Server.
      .watches(model::kServer, waiting)
      .on(kOnAdd | kOnUpdate)
      .when(membership_inputs_changed)
      .watches(model::kServerClass, waiting)
      .on(kOnAdd | kOnUpdate)
      .when([](const kube::Json& a, const kube::Json& b) { return field_changed(a, b, {"spec"}); });
}

std::vector<std::string> MetalMachineController::waiting_machines() const {
  std::vector<std::string> out;
  for (const auto& o : d_.caches.metal_machines->list()) {
    if (!model::get_bool(*o, {"status", "ready"}).value_or(false)) {
      out.push_back(kube::object_key(*o));
    }
  }
  return out;
}

std::optional<model::ServerBinding> MetalMachineController::binding_of(
    const model::MetalMachine& mm) const {
  for (const auto& b :
       d_.caches.bindings->by_index(kBindingByMachine, kube::object_key(mm.raw()))) {
    model::ServerBinding binding(*b);
    if (binding_belongs_to(binding, mm)) return binding;
  }
  return std::nullopt;
}

Outcome MetalMachineController::reconcile(const std::string& key, std::stop_token) {
  auto obj = d_.caches.metal_machines->get(key);
  if (!obj) {
    fence_.forget(key);
    once_.clear_all(key);
    return kube::ReconcileResult{};
  }
  model::MetalMachine mm(*obj);
  if (fence_.stale(key, mm.resource_version())) return kube::ReconcileResult{};
  auto binding = binding_of(mm);

  if (mm.is_being_deleted()) {
    if (binding) {
      if (binding->is_being_deleted()) return kube::ReconcileResult{};
      kube::DeleteOptions opts;
      opts.precondition_uid = binding->uid();
      auto r = d_.client.remove(binding_resource(), "", binding->name(), opts);
      if (!r && !kube::is_not_found(r.error())) {
        return unexpected(retriable("delete ServerBinding: " + r.error().describe()));
      }
      d_.events.normal(mm.raw(), "ServerReleased",
                       "deleted ServerBinding " + binding->name() + "; the Server gets wiped");
      // The binding's delete event brings this key back to drop the finalizer.
      return kube::ReconcileResult{};
    }
    if (!mm.has_finalizer(model::kMetalMachineFinalizer)) return kube::ReconcileResult{};
    mm.remove_finalizer(model::kMetalMachineFinalizer);
    auto r = d_.client.update(mm_resource(), mm.raw());
    if (!r && !kube::is_not_found(r.error())) {
      return unexpected(retriable("remove finalizer: " + r.error().describe()));
    }
    return kube::ReconcileResult{};
  }

  if (mm.add_finalizer(model::kMetalMachineFinalizer)) {
    auto r = d_.client.update(mm_resource(), mm.raw());
    if (!r) return unexpected(retriable("add finalizer: " + r.error().describe()));
    fence_.wrote(key, model::Object(*obj).resource_version());
    mm = model::MetalMachine(std::move(*r));
  }
  if (binding) return bound(std::move(mm), *binding, key);
  return allocate(mm, key);
}

Outcome MetalMachineController::allocate(model::MetalMachine& mm, const std::string& key) {
  const model::Machine* owner = nullptr;
  const model::Cluster* cluster = nullptr;
  std::optional<model::Machine> owner_view;
  std::optional<model::Cluster> cluster_view;
  if (auto ref = mm.owner_of_kind(model::kClusterApiGroup, "Machine")) {
    if (auto m = d_.caches.machines->get(kube::object_key(mm.namespace_(), ref->name))) {
      owner_view.emplace(*m);
      owner = &*owner_view;
      if (auto name = owner->cluster_name()) {
        if (auto c = d_.caches.clusters->get(kube::object_key(mm.namespace_(), *name))) {
          cluster_view.emplace(*c);
          cluster = &*cluster_view;
        }
      }
    }
  }
  if (auto waiting = allocation_blocker(mm, owner, cluster)) {
    d_.log.debug(
        "metal machine waiting",
        {{"metal_machine", key}, {"reason", waiting->reason}, {"message", waiting->message}});
    return kube::ReconcileResult{};  // Machine and Cluster changes bring the key back
  }

  // Claims `uuid`; true when the binding is ours (created now, or found to be ours).
  auto claim =
      [&](const std::string& uuid,
          const std::optional<model::ObjectReference>& cls) -> Expected<bool, std::string> {
    auto b = make_binding(uuid, mm, cls);
    auto created = d_.client.create(binding_resource(), b.raw());
    if (created) return true;
    if (!kube::is_already_exists(created.error())) return unexpected(created.error().describe());
    // Someone holds it; it may be us (an earlier attempt the cache has not shown yet).
    auto existing = d_.client.get(binding_resource(), "", uuid);
    if (!existing) return false;
    return binding_belongs_to(model::ServerBinding(std::move(*existing)), mm);
  };

  std::string chosen;
  if (auto ref = mm.server_ref(); ref && !ref->name.empty()) {
    auto server = d_.caches.servers->get(ref->name);
    if (!server || !model::Server(*server).accepted()) {
      if (once_.first(key, "ServerRefUnavailable")) {
        d_.events.warning(mm.raw(), "ServerRefUnavailable",
                          "spec.serverRef names Server " + ref->name +
                              ", which does not exist or is not accepted; waiting");
      }
      return kube::ReconcileResult{};
    }
    auto ok = claim(ref->name, std::nullopt);
    if (!ok) return unexpected(retriable("create ServerBinding: " + ok.error()));
    if (!*ok) {
      if (once_.first(key, "ServerInUse")) {
        d_.events.warning(mm.raw(), "ServerInUse",
                          "Server " + ref->name + " is bound to another MetalMachine; waiting");
      }
      return kube::ReconcileResult{};
    }
    chosen = ref->name;
  } else if (auto cls = mm.server_class_ref(); cls && !cls->name.empty()) {
    auto sc_obj = d_.caches.server_classes->get(cls->name);
    if (!sc_obj) {
      if (once_.first(key, "ServerClassNotFound")) {
        d_.events.warning(mm.raw(), "ServerClassNotFound",
                          "ServerClass " + cls->name + " does not exist; waiting");
      }
      return kube::ReconcileResult{};
    }
    once_.clear(key, "ServerClassNotFound");
    model::ServerClass sc(*sc_obj);
    auto matcher = model::ServerClassMatcher::compile(sc);
    if (!matcher) return unexpected(terminal(matcher.error()));
    std::set<std::string, std::less<>> bound;
    for (const auto& k : d_.caches.bindings->keys()) bound.insert(k);
    auto servers = snapshot_.get();
    model::ObjectReference class_ref;
    class_ref.kind = "ServerClass";
    class_ref.api_version = model::kServerClass.api_version();
    class_ref.name = sc.name();
    for (const auto& uuid : allocation_candidates(*matcher, *servers, bound)) {
      auto ok = claim(uuid, class_ref);
      if (!ok) return unexpected(retriable("create ServerBinding: " + ok.error()));
      if (*ok) {
        chosen = uuid;
        break;
      }
      // AlreadyExists: another MetalMachine won that Server; try the next.
    }
    if (chosen.empty()) {
      if (once_.first(key, "NoServerAvailable")) {
        d_.events.normal(mm.raw(), "NoServerAvailable",
                         "no clean, accepted, uncordoned Server of ServerClass " + cls->name +
                             " is free; waiting for one");
      }
      return kube::ReconcileResult{};  // Server changes bring the key back
    }
  } else {
    d_.events.warning(mm.raw(), "NoServerSource",
                      "neither spec.serverRef nor spec.serverClassRef is set");
    return unexpected(terminal("neither serverRef nor serverClassRef"));
  }
  once_.clear_all(key);
  d_.events.normal(mm.raw(), "ServerAllocated",
                   "bound Server " + chosen + " (ServerBinding " + chosen + ")");
  d_.log.info("server allocated", {{"metal_machine", key}, {"server", chosen}});
  // The binding's add event brings this key back to fill providerID and status.
  return kube::ReconcileResult{};
}

Outcome MetalMachineController::bound(model::MetalMachine mm, const model::ServerBinding& binding,
                                      const std::string& key) {
  const std::string uuid = binding.name();
  const std::string provider_id = provider_id_for(uuid);
  const std::string old_rv = mm.resource_version();
  if (mm.provider_id() != provider_id || !mm.server_ref()) {
    mm.set_provider_id(provider_id);
    if (!mm.server_ref()) {
      model::ObjectReference ref;
      ref.kind = "Server";
      ref.api_version = model::kServer.api_version();
      ref.name = uuid;
      mm.set_server_ref(ref);
    }
    auto r = d_.client.update(mm_resource(), mm.raw());
    if (!r) return unexpected(retriable("spec.providerID: " + r.error().describe()));
    fence_.wrote(key, old_rv);
    mm = model::MetalMachine(std::move(*r));
  }
  const kube::Json before = mm.raw().contains("status") ? mm.raw()["status"] : kube::Json();
  const auto now = now_seconds(d_.clock);
  mm.set_ready(true);
  mm.set_failure("", "");
  copy_binding_status(mm, binding, now);

  kube::ReconcileResult result;
  if (!mm.is_condition_true(model::kConditionProviderSet)) {
    std::string cluster;
    if (auto ref = mm.owner_of_kind(model::kClusterApiGroup, "Machine")) {
      if (auto m = d_.caches.machines->get(kube::object_key(mm.namespace_(), ref->name))) {
        cluster = model::Machine(*m).cluster_name().value_or("");
      }
    }
    if (cluster.empty()) cluster = mm.label(model::kClusterNameLabel).value_or("");
    model::Condition c{std::string(model::kConditionProviderSet), "", "", "", "", std::nullopt};
    if (cluster.empty()) {
      c.status = model::kStatusFalse;
      c.severity = model::kSeverityWarning;
      c.reason = "ClusterUnknown";
      c.message = "cannot tell the MetalMachine's cluster (no owner Machine, no cluster label)";
    } else if (auto r = nodes_.set_provider_id(mm.namespace_(), cluster, uuid, provider_id); r) {
      c.status = model::kStatusTrue;
      c.reason = "ProviderIDSet";
      c.message = "Node of Server " + uuid + " has spec.providerID " + provider_id;
      d_.events.normal(mm.raw(), "ProviderSet", c.message);
    } else {
      c.status = model::kStatusFalse;
      c.severity = model::kSeverityInfo;
      c.reason = r.error().first;
      c.message = r.error().second;
    }
    if (!c.is_true()) result.requeue_after = d_.settings.provider_set_retry;
    mm.set_condition(c, now);
  }
  const kube::Json after = mm.raw().contains("status") ? mm.raw()["status"] : kube::Json();
  if (before != after) {
    const std::string rv = mm.resource_version();
    auto r = d_.client.update_status(mm_resource(), mm.raw());
    if (!r) return unexpected(retriable("status: " + r.error().describe()));
    fence_.wrote(key, rv);
  }
  return result;
}

}  // namespace ferrum::reconciler
