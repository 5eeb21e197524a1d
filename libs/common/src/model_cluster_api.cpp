#include "ferrum/model/cluster_api.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::model {

std::optional<ApiEndpoint> Cluster::control_plane_endpoint() const {
  return get_object_as<ApiEndpoint>(j_, {"spec", "controlPlaneEndpoint"});
}
std::optional<ObjectReference> Cluster::infrastructure_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "infrastructureRef"});
}

std::optional<std::string> Machine::cluster_name() const {
  if (auto n = get_string(j_, {"spec", "clusterName"}); n && !n->empty()) return n;
  return label(kClusterNameLabel);
}
std::optional<std::string> Machine::bootstrap_data_secret_name() const {
  return get_string(j_, {"spec", "bootstrap", "dataSecretName"});
}
std::optional<ObjectReference> Machine::infrastructure_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "infrastructureRef"});
}
std::optional<std::string> Machine::provider_id() const {
  return get_string(j_, {"spec", "providerID"});
}

}  // namespace ferrum::model
