#pragma once
// Which machine a tunnel address belongs to: tunnel address -> ServerBinding name, kept by
// the ServerBinding informer's handlers, plus the annotation (NodeAnnotation) built from
// the informers' caches. version() changes on every change, so connections can cache an
// annotation and rebuild it only when something moved.

#include <atomic>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>

#include "ferrum/kube/informer.hpp"
#include "node_records.hpp"

namespace ferrum::linkd {

class NodeDirectory {
 public:
  NodeDirectory(const Ipv6Bytes& network, const kube::ObjectStore& bindings,
                const kube::ObjectStore* metal_machines)
      : network_(network), bindings_(bindings), metal_machines_(metal_machines) {}

  void on_binding(const Json& obj);
  void on_binding_deleted(const Json& obj);
  void on_metal_machine() { version_.fetch_add(1, std::memory_order_relaxed); }

  std::optional<std::string> binding_for(const Ipv6Bytes& addr) const;
  std::optional<NodeAnnotation> annotation_for_address(const Ipv6Bytes& addr) const;
  std::uint64_t version() const { return version_.load(std::memory_order_relaxed); }

 private:
  Ipv6Bytes network_;
  const kube::ObjectStore& bindings_;
  const kube::ObjectStore* metal_machines_;
  mutable std::shared_mutex mu_;
  std::map<Ipv6Bytes, std::string> by_address_;
  std::map<std::string, Ipv6Bytes> address_of_;
  std::atomic<std::uint64_t> version_{1};
};

}  // namespace ferrum::linkd
