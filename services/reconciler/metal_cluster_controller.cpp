// MetalCluster: ready once it has an owner Cluster (DESIGN.md 5).
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/cluster_api.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/metal_cluster.hpp"

namespace ferrum::reconciler {

MetalClusterController::MetalClusterController(Deps deps) : d_(std::move(deps)) {}

WatchSet MetalClusterController::watches() {
  return WatchSet()
      .for_kind(model::kMetalCluster)
      .on(kOnAdd | kOnUpdate)
      // The Cluster names its MetalCluster in spec.infrastructureRef (cluster-api
      // util/util.go ClusterToInfrastructureMapFunc).
      .watches(model::kCluster,
               [](const kube::Json& c) {
                 model::Cluster cluster(c);
                 return referenced(cluster.infrastructure_ref(), "MetalCluster",
                                   cluster.namespace_());
               })
      .on(kOnAdd | kOnUpdate);
}

Outcome MetalClusterController::reconcile(const std::string& key, std::stop_token) {
  auto obj = d_.caches.metal_clusters->get(key);
  if (!obj) return kube::ReconcileResult{};
  model::MetalCluster mc(*obj);
  if (mc.is_being_deleted()) return kube::ReconcileResult{};
  const bool ready = mc.owner_of_kind(model::kClusterApiGroup, "Cluster").has_value();
  if (mc.ready() == ready && (*obj).contains("status")) return kube::ReconcileResult{};
  mc.set_ready(ready);
  auto r = d_.client.update_status(kube::resource_of(model::kMetalCluster), mc.raw());
  if (!r) return unexpected(retriable("status: " + r.error().describe()));
  if (ready) d_.events.normal(mc.raw(), "Ready", "owned by a Cluster: ready");
  return kube::ReconcileResult{};
}

}  // namespace ferrum::reconciler
