#include <set>

#include "ferrum/model/conditions.hpp"
#include "ferrum/model/environment.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {
namespace {

void put(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
std::string str(const json& j, std::string_view key) { return get_string(j, {key}).value_or(""); }

constexpr std::array<std::string_view, 3> kKernelFields{"url", "sha512", "args"};
constexpr std::array<std::string_view, 2> kAssetFields{"url", "sha512"};

}  // namespace

void to_json(json& j, const EnvironmentAsset& v) {
  j = json::object();
  put(j, "url", v.url);
  put(j, "sha512", v.sha512);
}
void from_json(const json& j, EnvironmentAsset& v) {
  v = {};
  if (!j.is_object()) return;
  v.url = str(j, "url");
  v.sha512 = str(j, "sha512");
}

void to_json(json& j, const EnvironmentKernel& v) {
  j = json::object();
  put(j, "url", v.url);
  put(j, "sha512", v.sha512);
  if (!v.args.empty()) j["args"] = v.args;
}
void from_json(const json& j, EnvironmentKernel& v) {
  v = {};
  if (!j.is_object()) return;
  v.url = str(j, "url");
  v.sha512 = str(j, "sha512");
  v.args = get_string_list(j, {"args"});
}

void to_json(json& j, const AssetCondition& v) {
  j = json::object();
  put(j, "url", v.url);
  put(j, "sha512", v.sha512);
  j["status"] = v.status;
  j["type"] = v.type;
}
void from_json(const json& j, AssetCondition& v) {
  v = {};
  if (!j.is_object()) return;
  v.url = str(j, "url");
  v.sha512 = str(j, "sha512");
  v.status = str(j, "status");
  v.type = str(j, "type");
}

Environment Environment::make(std::string_view name) {
  Environment e;
  e.set_api_version(kEnvironment.api_version());
  e.set_kind(kEnvironment.kind);
  e.set_name(name);
  return e;
}

EnvironmentKernel Environment::kernel() const {
  return get_object_as<EnvironmentKernel>(j_, {"spec", "kernel"}).value_or(EnvironmentKernel{});
}
void Environment::set_kernel(const EnvironmentKernel& v) {
  overlay_known_fields(ensure_field(j_, {"spec", "kernel"}), json(v), kKernelFields);
}
EnvironmentAsset Environment::initrd() const {
  return get_object_as<EnvironmentAsset>(j_, {"spec", "initrd"}).value_or(EnvironmentAsset{});
}
void Environment::set_initrd(const EnvironmentAsset& v) {
  overlay_known_fields(ensure_field(j_, {"spec", "initrd"}), json(v), kAssetFields);
}

std::vector<AssetCondition> Environment::asset_conditions() const {
  return get_list_as<AssetCondition>(j_, {"status", "conditions"});
}

bool Environment::set_asset_condition(const AssetCondition& c) {
  json& list = ensure_field(j_, {"status", "conditions"});
  if (!list.is_array()) list = json::array();
  json fresh = c;
  for (auto& item : list) {
    if (item.is_object() && item.value("url", "") == c.url && item.value("type", "") == c.type) {
      json before = item;
      for (auto it = fresh.begin(); it != fresh.end(); ++it) item[it.key()] = it.value();
      if (c.sha512.empty()) item.erase("sha512");
      return item != before;
    }
  }
  list.push_back(std::move(fresh));
  return true;
}

bool Environment::is_ready() const {
  std::set<std::string> pending;
  if (auto k = kernel(); !k.url.empty()) pending.insert(k.url);
  if (auto i = initrd(); !i.url.empty()) pending.insert(i.url);
  for (const auto& c : asset_conditions()) {
    if (c.type == kConditionReady && c.status == kStatusTrue) pending.erase(c.url);
  }
  return pending.empty();
}

}  // namespace ferrum::model
