// ServerClass membership, and the `any` class kept present.
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_class_match.hpp"

namespace ferrum::reconciler {

namespace {

// Class lists follow Server changes a moment later: a burst of Server changes becomes one
// reconcile per class (the `any` class lists every Server, so its status is a big write that
// must not ride along with every single change).
constexpr auto kServerChangeCoalescing = std::chrono::milliseconds(500);

// Class writes that matter: spec (selectors), status (someone else's write to correct), or a
// class that has no status yet.
bool class_changed(const kube::Json& a, const kube::Json& b) {
  const kube::Json* status = model::find_field(b, {"status"});
  return field_changed(a, b, {"spec"}) || field_changed(a, b, {"status"}) || status == nullptr ||
         status->is_null();
}

}  // namespace

ServerClassController::ServerClassController(Deps deps, ServerSnapshot& snapshot)
    : d_(std::move(deps)), snapshot_(snapshot) {}

WatchSet ServerClassController::watches() {
  return WatchSet()
      .for_kind(model::kServerClass)
      .when(class_changed)
      // Only the classes the Server belonged or belongs to can change (plus `any`): with 100
      // classes that is ~2 reconciles per change instead of 100. Status-only writes (power,
      // conditions) change no list.
      .watches(model::kServer, [this](const kube::Json& s) { return classes_of(s); })
      .when(membership_inputs_changed)
      .after(kServerChangeCoalescing)
      .ensure(std::string(model::kServerClassAny));
}

std::vector<std::string> ServerClassController::classes_of(const kube::Json& server) {
  const model::Server view(slim_server(server));
  std::vector<std::string> out;
  for (const auto& o : d_.caches.server_classes->list()) {
    auto m = matchers_.get(*o);
    if (!m || m->matches(view)) out.push_back(kube::object_key(*o));
  }
  out.push_back(std::string(model::kServerClassAny));
  return out;
}

Outcome ServerClassController::reconcile(const std::string& key, std::stop_token) {
  static const kube::ResourceId resource = kube::resource_of(model::kServerClass);
  auto obj = d_.caches.server_classes->get(key);
  if (!obj) {
    fence_.forget(key);
    if (key != model::kServerClassAny) return kube::ReconcileResult{};
    auto any = model::ServerClass::make(model::kServerClassAny);
    any.set_servers_available({});
    any.set_servers_in_use({});
    auto created = d_.client.create(resource, any.raw());
    if (!created && !kube::is_already_exists(created.error())) {
      return unexpected(retriable("create ServerClass any: " + created.error().describe()));
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
    return unexpected(terminal(membership.error()));
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
  if (!r) return unexpected(retriable("status: " + r.error().describe()));
  fence_.wrote(key, model::Object(*obj).resource_version());
  return kube::ReconcileResult{};
}

}  // namespace ferrum::reconciler
