// ServerClass membership, and the `any` class kept present.
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_class_match.hpp"

namespace ferrum::reconciler {

ServerClassController::ServerClassController(Deps deps, ServerSnapshot& snapshot)
    : d_(std::move(deps)), snapshot_(snapshot) {}

Outcome ServerClassController::reconcile(const std::string& key, std::stop_token) {
  static const kube::ResourceId resource = kube::resource_of(model::kServerClass);
  auto obj = d_.caches.server_classes->store().get(key);
  if (!obj) {
    fence_.forget(key);
    if (key != model::kServerClassAny) return kube::ReconcileResult{};
    auto any = model::ServerClass::make(model::kServerClassAny);
    any.set_servers_available({});
    any.set_servers_in_use({});
    auto created = d_.client.create(resource, any.raw());
    if (!created && !kube::is_already_exists(created.error())) {
      return unexpected(
          kube::ReconcileError{"create ServerClass any: " + created.error().describe()});
    }
    if (created) d_.log.info("created ServerClass", {{"server_class", key}});
    // Its status is filled by the reconcile its watch event triggers.
    return kube::ReconcileResult{};
  }
  model::ServerClass sc(*obj);
  if (fence_.stale(key, sc.resource_version())) return kube::ReconcileResult{};
  auto servers = snapshot_.get();
  auto membership = model::compute_membership(sc, *servers);
  if (!membership) {
    // The class itself is wrong (its selector): an operator has to fix it; retrying won't.
    if (once_.first(key, "InvalidSelector@" + sc.resource_version())) {
      d_.events.warning(sc.raw(), "InvalidSelector", membership.error());
    }
    return unexpected(kube::ReconcileError{membership.error(), true});
  }
  bool present = obj->contains("status") && (*obj)["status"].contains("serversAvailable") &&
                 (*obj)["status"].contains("serversInUse");
  if (present && sc.servers_available() == membership->available &&
      sc.servers_in_use() == membership->in_use) {
    return kube::ReconcileResult{};
  }
  sc.set_servers_available(membership->available);
  sc.set_servers_in_use(membership->in_use);
  auto r = d_.client.update_status(resource, sc.raw());
  if (!r) return unexpected(kube::ReconcileError{"status: " + r.error().describe()});
  fence_.wrote(key, model::Object(*obj).resource_version());
  return kube::ReconcileResult{};
}

}  // namespace ferrum::reconciler
