// ServerBinding: status.ready = its Server exists; a binding whose MetalMachine is gone is
// deleted (its Server is released and wiped).
#include "allocation.hpp"
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_binding.hpp"

namespace ferrum::reconciler {

ServerBindingController::ServerBindingController(Deps deps) : d_(std::move(deps)) {}

WatchSet ServerBindingController::watches() {
  return WatchSet()
      .for_kind(model::kServerBinding)
      // status.ready says whether the Server (of the same name) exists.
      .watches(model::kServer, same_key)
      .on(kOnAdd | kOnDelete)
      // A binding whose MetalMachine is gone is deleted.
      .watches(model::kMetalMachine, [this](const kube::Json& mm) {
        return d_.caches.bindings->keys_by_index(kBindingByMachine, kube::object_key(mm));
      });
}

Outcome ServerBindingController::reconcile(const std::string& key, std::stop_token) {
  static const kube::ResourceId resource = kube::resource_of(model::kServerBinding);
  auto obj = d_.caches.bindings->get(key);
  if (!obj) {
    fence_.forget(key);
    return kube::ReconcileResult{};
  }
  model::ServerBinding b(*obj);
  if (b.is_being_deleted() || fence_.stale(key, b.resource_version())) {
    return kube::ReconcileResult{};
  }
  auto ref = b.metal_machine_ref();
  auto mm = d_.caches.metal_machines->get(kube::object_key(ref.namespace_, ref.name));
  // binding_belongs_to accepts a Sidero-era binding whose uid went stale in a pivot: deleting
  // it would release and wipe a running node.
  const bool orphaned = !mm || !binding_belongs_to(b, model::MetalMachine(*mm));
  if (orphaned) {
    kube::DeleteOptions opts;
    opts.precondition_uid = b.uid();
    auto r = d_.client.remove(resource, "", key, opts);
    if (!r && !kube::is_not_found(r.error())) {
      return unexpected(retriable("delete orphaned binding: " + r.error().describe()));
    }
    d_.log.info("deleted ServerBinding of a missing MetalMachine",
                {{"server", key}, {"metal_machine", ref.namespace_ + "/" + ref.name}});
    return kube::ReconcileResult{};
  }
  const bool ready = d_.caches.servers->get(key) != nullptr;
  if (b.ready() == ready && obj->contains("status")) return kube::ReconcileResult{};
  b.set_ready(ready);
  auto r = d_.client.update_status(resource, b.raw());
  if (!r) return unexpected(retriable("status: " + r.error().describe()));
  fence_.wrote(key, model::Object(*obj).resource_version());
  return kube::ReconcileResult{};
}

}  // namespace ferrum::reconciler
