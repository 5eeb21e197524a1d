#include <algorithm>

#include "controllers.hpp"

namespace ferrum::reconciler {

model::Timestamp now_seconds(const Clock& clock) {
  return std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
}

std::vector<std::string> machine_of_binding(const kube::Json& binding) {
  auto ref = model::ServerBinding(binding).metal_machine_ref();
  if (ref.name.empty()) return {};
  return {kube::object_key(ref.namespace_, ref.name)};
}

bool field_changed(const kube::Json& a, const kube::Json& b, model::FieldPath path) {
  const kube::Json* x = model::find_field(a, path);
  const kube::Json* y = model::find_field(b, path);
  if (x == nullptr || y == nullptr) return x != y;
  return *x != *y;
}

bool membership_inputs_changed(const kube::Json& a, const kube::Json& b) {
  auto differs = [&](model::FieldPath path) { return field_changed(a, b, path); };
  return differs({"metadata", "labels"}) || differs({"spec", "accepted"}) ||
         differs({"spec", "cordoned"}) || differs({"spec", "hardware"}) ||
         differs({"status", "inUse"}) || differs({"status", "isClean"}) ||
         differs({"metadata", "deletionTimestamp"});
}

std::vector<std::string> referenced(const std::optional<model::ObjectReference>& ref,
                                    std::string_view kind, const std::string& ns) {
  if (!ref || ref->kind != kind || ref->name.empty()) return {};
  return {kube::object_key(ns, ref->name)};
}

std::shared_ptr<const std::vector<model::Server>> ServerSnapshot::get() {
  std::lock_guard lock(mu_);
  auto v = version_.load(std::memory_order_relaxed);
  if (snapshot_ && built_ == v) return snapshot_;
  auto objects = store_.list();
  auto out = std::make_shared<std::vector<model::Server>>();
  out->reserve(objects.size());
  for (const auto& o : objects) out->emplace_back(slim_server(*o));
  snapshot_ = std::move(out);
  built_ = v;
  return snapshot_;
}

kube::Json slim_server(const kube::Json& s) {
  kube::Json out = kube::Json::object();
  auto copy = [&](const char* section, std::initializer_list<const char*> keys) {
    auto it = s.find(section);
    if (it == s.end() || !it->is_object()) return;
    for (const char* k : keys) {
      if (auto f = it->find(k); f != it->end()) out[section][k] = *f;
    }
  };
  copy("metadata", {"name", "labels", "deletionTimestamp", "resourceVersion"});
  copy("spec", {"accepted", "cordoned", "hardware"});
  copy("status", {"inUse", "isClean"});
  return out;
}

std::shared_ptr<const model::ServerClassMatcher> MatcherCache::get(const kube::Json& sc) {
  const std::string name = kube::name_of(sc);
  const std::string rv = kube::resource_version_of(sc);
  std::lock_guard lock(mu_);
  if (auto it = by_name_.find(name); it != by_name_.end() && it->second.first == rv) {
    return it->second.second;
  }
  auto compiled = model::ServerClassMatcher::compile(model::ServerClass(sc));
  std::shared_ptr<const model::ServerClassMatcher> m;
  if (compiled) m = std::make_shared<const model::ServerClassMatcher>(std::move(*compiled));
  by_name_[name] = {rv, m};
  return m;
}

void WriteFence::wrote(const std::string& key, const std::string& old_rv) {
  std::lock_guard lock(mu_);
  over_[key].push_back(old_rv);
}

bool WriteFence::stale(const std::string& key, const std::string& cached_rv) {
  std::lock_guard lock(mu_);
  auto it = over_.find(key);
  if (it == over_.end()) return false;
  if (std::find(it->second.begin(), it->second.end(), cached_rv) != it->second.end()) return true;
  over_.erase(it);
  return false;
}

void WriteFence::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  over_.erase(key);
}

bool OnceEvents::first(const std::string& key, const std::string& reason) {
  std::lock_guard lock(mu_);
  return seen_.emplace(key, reason).second;
}

void OnceEvents::clear(const std::string& key, const std::string& reason) {
  std::lock_guard lock(mu_);
  seen_.erase({key, reason});
}

void OnceEvents::clear_all(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = seen_.lower_bound({key, ""});
  while (it != seen_.end() && it->first == key) it = seen_.erase(it);
}

}  // namespace ferrum::reconciler
