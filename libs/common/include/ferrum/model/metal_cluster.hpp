#pragma once
// MetalCluster (infrastructure.cluster.x-k8s.io/v1alpha3, namespaced).

#include <optional>

#include "ferrum/model/object.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {

class MetalCluster : public Object {
 public:
  using Object::Object;

  std::optional<ApiEndpoint> control_plane_endpoint() const;
  void set_control_plane_endpoint(const ApiEndpoint& v);
  bool ready() const { return bool_or_false({"status", "ready"}); }
  void set_ready(bool v) { set_field(j_, {"status", "ready"}, v); }
};

}  // namespace ferrum::model
