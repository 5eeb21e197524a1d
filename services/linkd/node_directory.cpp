#include "node_directory.hpp"

namespace ferrum::linkd {

namespace {
std::string name_of(const Json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return {};
  return m->value("name", "");
}
}  // namespace

void NodeDirectory::on_binding(const Json& obj) {
  std::string name = name_of(obj);
  std::optional<Ipv6Bytes> addr;
  if (auto p = desired_peer(obj, network_)) {
    addr = parse_node_address(p->allowed_ip.substr(0, p->allowed_ip.find('/')), network_);
  }
  std::unique_lock lock(mu_);
  if (auto old = address_of_.find(name); old != address_of_.end()) {
    if (auto it = by_address_.find(old->second); it != by_address_.end() && it->second == name) {
      by_address_.erase(it);
    }
    address_of_.erase(old);
  }
  if (addr) {
    by_address_[*addr] = name;
    address_of_[name] = *addr;
  }
  version_.fetch_add(1, std::memory_order_relaxed);
}

void NodeDirectory::on_binding_deleted(const Json& obj) {
  std::string name = name_of(obj);
  std::unique_lock lock(mu_);
  if (auto old = address_of_.find(name); old != address_of_.end()) {
    if (auto it = by_address_.find(old->second); it != by_address_.end() && it->second == name) {
      by_address_.erase(it);
    }
    address_of_.erase(old);
  }
  version_.fetch_add(1, std::memory_order_relaxed);
}

std::optional<std::string> NodeDirectory::binding_for(const Ipv6Bytes& addr) const {
  std::shared_lock lock(mu_);
  auto it = by_address_.find(addr);
  if (it == by_address_.end()) return std::nullopt;
  return it->second;
}

std::optional<NodeAnnotation> NodeDirectory::annotation_for_address(const Ipv6Bytes& addr) const {
  auto name = binding_for(addr);
  if (!name) return std::nullopt;
  auto b = bindings_.get(*name);
  if (!b) return std::nullopt;
  kube::ObjectPtr mm;
  if (metal_machines_ != nullptr) {
    std::string ns = (*b).value("/spec/metalMachineRef/namespace"_json_pointer, "");
    std::string mm_name = (*b).value("/spec/metalMachineRef/name"_json_pointer, "");
    if (!mm_name.empty()) mm = metal_machines_->get(ns + "/" + mm_name);
  }
  return annotation_for(*b, mm.get());
}

}  // namespace ferrum::linkd
