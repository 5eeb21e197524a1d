// ProviderSet: the workload cluster's Node gets spec.providerID. The kubeconfig comes from
// the Cluster API Secret <cluster>-kubeconfig (key `value`), as Sidero reads it.
#include "controllers.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"

namespace ferrum::reconciler {

namespace {
const kube::ResourceId kNodes{"", "v1", "nodes", false};
}

WorkloadNodes::WorkloadNodes(kube::Client& management, Clock& clock,
                             std::chrono::milliseconds timeout)
    : management_(management), clock_(clock), timeout_(timeout) {}

std::shared_ptr<kube::Client> WorkloadNodes::client_for(const std::string& ns,
                                                        const std::string& cluster,
                                                        std::pair<std::string, std::string>* err) {
  const std::string secret_name = cluster + "-kubeconfig";
  auto secret = management_.get(kube::resources::secrets(), ns, secret_name);
  if (!secret) {
    *err = {"KubeconfigMissing",
            "Secret " + ns + "/" + secret_name + ": " + secret.error().describe()};
    return nullptr;
  }
  model::Secret s(std::move(*secret));
  const std::string key = ns + "/" + cluster;
  std::lock_guard lock(mu_);
  if (auto it = clients_.find(key);
      it != clients_.end() && it->second.first == s.resource_version()) {
    return it->second.second;
  }
  auto text = s.value("value");
  if (!text) {
    *err = {"KubeconfigMissing", "Secret " + ns + "/" + secret_name + " has no key `value`"};
    return nullptr;
  }
  auto config = kube::parse_kubeconfig(*text, "Secret " + ns + "/" + secret_name);
  if (!config) {
    *err = {"KubeconfigInvalid", config.error()};
    return nullptr;
  }
  config->timeout = timeout_;
  config->qps = 20;  // one Node patch per machine; a workload cluster is not ours to load
  config->burst = 40;
  auto client = std::make_shared<kube::RestClient>(*config, clock_);
  clients_[key] = {s.resource_version(), client};
  return client;
}

Expected<Done, std::pair<std::string, std::string>> WorkloadNodes::set_provider_id(
    const std::string& ns, const std::string& cluster, const std::string& uuid,
    const std::string& provider_id) {
  std::pair<std::string, std::string> err;
  auto client = client_for(ns, cluster, &err);
  if (!client) return unexpected(err);
  kube::ListOptions opts;
  opts.label_selector = std::string(model::kServerUuidLabel) + "=" + uuid;
  auto nodes = client->list(kNodes, "", opts);
  if (!nodes) {
    return unexpected(std::pair<std::string, std::string>{
        "WorkloadUnreachable",
        "listing Nodes of cluster " + cluster + ": " + nodes.error().describe()});
  }
  const auto& items = (*nodes)["items"];
  if (!items.is_array() || items.empty()) {
    return unexpected(std::pair<std::string, std::string>{
        "NodeNotFound",
        "no Node labelled " + opts.label_selector + " in cluster " + cluster + " yet"});
  }
  if (items.size() > 1) {
    return unexpected(std::pair<std::string, std::string>{
        "NodeAmbiguous", std::to_string(items.size()) + " Nodes labelled " + opts.label_selector});
  }
  const auto& node = items[0];
  auto have = node.contains("spec") && node["spec"].contains("providerID") &&
                      node["spec"]["providerID"].is_string()
                  ? node["spec"]["providerID"].get<std::string>()
                  : std::string();
  if (have == provider_id) return Done{};
  if (!have.empty()) {
    return unexpected(std::pair<std::string, std::string>{
        "ProviderIDConflict", "Node " + kube::name_of(node) + " already has providerID " + have});
  }
  kube::Json patch = {{"spec", {{"providerID", provider_id}}}};
  auto r = client->patch(kNodes, "", kube::name_of(node), kube::PatchType::kMerge, patch);
  if (!r) {
    return unexpected(std::pair<std::string, std::string>{
        "WorkloadUnreachable",
        "patching Node " + kube::name_of(node) + ": " + r.error().describe()});
  }
  return Done{};
}

}  // namespace ferrum::reconciler
