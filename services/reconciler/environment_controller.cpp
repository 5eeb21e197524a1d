// The `default` Environment kept present (created from the flags when missing; an operator's
// edits are never overwritten).
#include <sstream>

#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/environment.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {

EnvironmentController::EnvironmentController(Deps deps) : d_(std::move(deps)) {}

WatchSet EnvironmentController::watches() {
  // Only the `default` Environment is kept, and only its delete can undo it.
  return WatchSet()
      .for_kind(model::kEnvironment)
      .on(kOnDelete)
      .ensure(std::string(model::kEnvironmentDefault));
}

Outcome EnvironmentController::reconcile(const std::string& key, std::stop_token) {
  if (key != model::kEnvironmentDefault) return kube::ReconcileResult{};
  if (d_.caches.environments->get(key)) return kube::ReconcileResult{};
  auto env = model::Environment::make(model::kEnvironmentDefault);
  model::EnvironmentKernel kernel;
  kernel.url = d_.settings.default_environment_kernel_url;
  std::istringstream args(d_.settings.default_environment_args);
  for (std::string a; args >> a;) kernel.args.push_back(a);
  env.set_kernel(kernel);
  env.set_initrd(model::EnvironmentAsset{d_.settings.default_environment_initrd_url, ""});
  auto created = d_.client.create(kube::resource_of(model::kEnvironment), env.raw());
  if (!created && !kube::is_already_exists(created.error())) {
    return unexpected(retriable("create Environment default: " + created.error().describe()));
  }
  if (created) d_.log.info("created Environment", {{"environment", key}});
  return kube::ReconcileResult{};
}

}  // namespace ferrum::reconciler
