#include "strategic_merge.hpp"

#include <algorithm>
#include <optional>

namespace ferrum::apiserver {

using json = nlohmann::json;

namespace {

constexpr const char* kPatch = "$patch";
constexpr const char* kRetainKeys = "$retainKeys";
constexpr const char* kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
constexpr const char* kSetElementOrder = "$setElementOrder/";

struct PatchFailure {
  ApiError error;
};

[[noreturn]] void bad_request(const std::string& path, const std::string& why) {
  throw PatchFailure{ApiError::bad_request(
      "strategic merge patch: " + (path.empty() ? std::string("<root>") : path) + ": " + why)};
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// The value of `$patch` in a map, if any; anything but replace, delete or merge is refused.
std::optional<std::string> directive_of(const json& m, const std::string& path) {
  auto it = m.find(kPatch);
  if (it == m.end()) return std::nullopt;
  if (!it->is_string() || (*it != "replace" && *it != "delete" && *it != "merge")) {
    bad_request(path, "unknown patch type " + it->dump() + ": want replace, delete or merge");
  }
  return it->get<std::string>();
}

class Merger {
 public:
  explicit Merger(const PatchSchema& schema) : schema_(schema) {}

  // Merges `patch` (a map) into `original` (a map, possibly empty); returns nullopt when the
  // patch deletes the map itself.
  std::optional<json> merge_map(json original, const json& patch, const std::string& path) {
    if (!original.is_object()) original = json::object();
    auto directive = directive_of(patch, path);
    if (directive == "delete") return std::nullopt;
    if (directive == "replace") original = json::object();

    std::map<std::string, json> orders;
    if (auto rk = patch.find(kRetainKeys); rk != patch.end()) {
      if (!rk->is_array() ||
          !std::all_of(rk->begin(), rk->end(), [](const json& k) { return k.is_string(); })) {
        bad_request(path, "invalid patch format of retainKeys: want a list of field names");
      }
      for (const auto& [k, v] : patch.items()) {
        if (k.starts_with("$")) continue;
        if (std::find(rk->begin(), rk->end(), k) == rk->end()) {
          throw PatchFailure{
              ApiError::unprocessable("strategic merge patch: " + child(path, k) +
                                      ": patch content doesn't match retainKeys list")};
        }
      }
      for (auto it = original.begin(); it != original.end();) {
        if (std::find(rk->begin(), rk->end(), it.key()) == rk->end()) {
          it = original.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& [k, v] : patch.items()) {
      if (k == kPatch || k == kRetainKeys) continue;
      if (k.starts_with(kDeleteFromPrimitiveList)) {
        std::string field = k.substr(std::string(kDeleteFromPrimitiveList).size());
        if (!v.is_array())
          bad_request(child(path, field), "invalid patch format of primitive list: want a list");
        if (original.contains(field) && original[field].is_array()) {
          json& list = original[field];
          for (auto it = list.begin(); it != list.end();) {
            if (std::find(v.begin(), v.end(), *it) != v.end()) {
              it = list.erase(it);
            } else {
              ++it;
            }
          }
        }
        continue;
      }
      if (k.starts_with(kSetElementOrder)) {
        std::string field = k.substr(std::string(kSetElementOrder).size());
        if (!v.is_array())
          bad_request(child(path, field),
                      "invalid patch format of setElementOrder list: want a list");
        orders[field] = v;
        continue;
      }
      if (k.starts_with("$"))
        bad_request(child(path, k), "unsupported strategic merge patch directive");
      std::string p = child(path, k);
      if (v.is_null()) {
        original.erase(k);
      } else if (v.is_object()) {
        const json cur = original.contains(k) ? original[k] : json::object();
        auto merged = merge_map(cur.is_object() ? cur : json::object(), v, p);
        if (merged) {
          original[k] = std::move(*merged);
        } else {
          original.erase(k);
        }
      } else if (v.is_array()) {
        json cur = original.contains(k) && original[k].is_array() ? original[k] : json::array();
        original[k] = merge_list(std::move(cur), v, p);
      } else {
        original[k] = v;
      }
    }
    for (auto& [field, order] : orders) {
      if (original.contains(field) && original[field].is_array())
        apply_order(original[field], order, child(path, field));
    }
    return original;
  }

 private:
  json merge_list(json original, const json& patch, const std::string& path) {
    auto meta = schema_.find(path);
    // `{"$patch": "replace"}` as an element: the list is the patch's other elements.
    bool replace = meta == schema_.end();
    json elements = json::array();
    for (const auto& e : patch) {
      if (e.is_object() && e.contains(kPatch)) {
        auto d = directive_of(e, path);
        if (d == "replace") {
          replace = true;
          continue;
        }
        if (d == "delete" && (meta == schema_.end() || meta->second.merge_key.empty())) {
          bad_request(path, "$patch: delete in a list needs a list that merges on a key");
        }
      }
      elements.push_back(e);
    }
    if (replace) {
      json out = json::array();
      for (const auto& e : elements)
        out.push_back(e.is_object() ? merge_map(json::object(), e, path).value_or(json::object())
                                    : e);
      return out;
    }
    const std::string& key = meta->second.merge_key;
    if (key.empty()) {
      for (const auto& e : elements) {
        if (e.is_object() || e.is_array())
          bad_request(path, "a list of scalars cannot merge " + e.dump());
        if (std::find(original.begin(), original.end(), e) == original.end()) original.push_back(e);
      }
      return original;
    }
    for (const auto& e : elements) {
      if (!e.is_object())
        bad_request(path,
                    "an element of a list merged on " + key + " must be a map, got " + e.dump());
      if (!e.contains(key))
        bad_request(path, "map " + e.dump() + " does not contain declared merge key: " + key);
      const json& id = e[key];
      auto found = std::find_if(original.begin(), original.end(), [&](const json& o) {
        return o.is_object() && o.contains(key) && o[key] == id;
      });
      if (e.value(kPatch, "") == "delete") {
        if (found != original.end()) original.erase(found);
        continue;
      }
      if (found != original.end()) {
        *found = merge_map(*found, e, path).value_or(json::object());
      } else {
        original.push_back(merge_map(json::object(), e, path).value_or(json::object()));
      }
    }
    return original;
  }

  void apply_order(json& list, const json& order, const std::string& path) {
    auto meta = schema_.find(path);
    std::string key = meta == schema_.end() ? "" : meta->second.merge_key;
    auto id_of = [&](const json& e) -> json {
      return !key.empty() && e.is_object() ? e.value(key, json()) : e;
    };
    auto rank = [&](const json& e) -> std::size_t {
      json id = id_of(e);
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (id_of(order[i]) == id) return i;
      }
      return order.size();
    };
    std::vector<json> items(list.begin(), list.end());
    std::stable_sort(items.begin(), items.end(),
                     [&](const json& a, const json& b) { return rank(a) < rank(b); });
    list = json(items);
  }

  const PatchSchema& schema_;
};

}  // namespace

PatchSchema builtin_patch_schema(const std::string& kind) {
  PatchSchema s = {{"metadata.finalizers", {""}}, {"metadata.ownerReferences", {"uid"}}};
  if (kind == "Namespace") s["status.conditions"] = {"type"};
  if (kind == "Node") {
    s["spec.podCIDRs"] = {""};
    s["status.conditions"] = {"type"};
    s["status.addresses"] = {"type"};
  }
  return s;
}

Expected<json, ApiError> apply_strategic_merge_patch(const json& original, const json& patch,
                                                     const PatchSchema& schema) {
  if (!patch.is_object())
    return unexpected(ApiError::bad_request("a strategic merge patch must be a JSON object"));
  try {
    auto merged = Merger(schema).merge_map(original, patch, "");
    return merged ? std::move(*merged) : json::object();
  } catch (const PatchFailure& f) {
    return unexpected(f.error);
  }
}

}  // namespace ferrum::apiserver
