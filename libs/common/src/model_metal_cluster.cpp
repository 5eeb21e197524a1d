#include "ferrum/model/metal_cluster.hpp"

namespace ferrum::model {

std::optional<ApiEndpoint> MetalCluster::control_plane_endpoint() const {
  return get_object_as<ApiEndpoint>(j_, {"spec", "controlPlaneEndpoint"});
}
void MetalCluster::set_control_plane_endpoint(const ApiEndpoint& v) {
  set_field(j_, {"spec", "controlPlaneEndpoint"}, v);
}

}  // namespace ferrum::model
