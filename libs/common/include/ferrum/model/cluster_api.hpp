#pragma once
// The Cluster API objects Ferrum reads (cluster.x-k8s.io/v1beta1): Cluster and Machine.

#include <optional>
#include <string>

#include "ferrum/model/conditions.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {

class Cluster : public ConditionedObject {
 public:
  using ConditionedObject::ConditionedObject;

  bool infrastructure_ready() const { return bool_or_false({"status", "infrastructureReady"}); }
  bool paused() const { return bool_or_false({"spec", "paused"}); }
  std::optional<ApiEndpoint> control_plane_endpoint() const;
  std::optional<ObjectReference> infrastructure_ref() const;
};

class Machine : public ConditionedObject {
 public:
  using ConditionedObject::ConditionedObject;

  // spec.clusterName, falling back to the cluster.x-k8s.io/cluster-name label.
  std::optional<std::string> cluster_name() const;
  std::optional<std::string> bootstrap_data_secret_name() const;
  std::optional<ObjectReference> infrastructure_ref() const;
  std::optional<std::string> provider_id() const;
};

}  // namespace ferrum::model
