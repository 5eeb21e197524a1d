#include <array>
#include <span>
#include <vector>

#include "ferrum/json_text.hpp"
#include "ferrum/model/conversion.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::model {
namespace {

enum class Version { kV1Alpha1, kV1Alpha2 };

std::optional<Version> parse_version(std::string_view v) {
  if (v == kMetalV1Alpha1) return Version::kV1Alpha1;
  if (v == kMetalV1Alpha2) return Version::kV1Alpha2;
  return std::nullopt;
}

std::string_view version_name(Version v) {
  return v == Version::kV1Alpha1 ? kMetalV1Alpha1 : kMetalV1Alpha2;
}

// v1alpha2 processor fields with no v1alpha1 counterpart.
constexpr std::array<std::string_view, 4> kProcessorOnlyV2{"serialNumber", "speed", "coreCount",
                                                           "threadCount"};

json without(const json& obj, std::span<const std::string_view> keys) {
  json out = obj;
  for (auto k : keys) out.erase(std::string(k));
  return out;
}

// Moves the value of `from` to `to`; `to` wins over an existing key of that name.
json renamed(const json& obj, std::string_view from, std::string_view to) {
  json out = obj;
  auto it = out.find(std::string(from));
  if (it != out.end()) {
    json v = *it;
    out.erase(it);
    out[std::string(to)] = std::move(v);
  }
  return out;
}

json cpu_to_processor(const json& cpu) { return renamed(cpu, "version", "productName"); }

json processor_to_cpu(const json& p) {
  return renamed(without(p, kProcessorOnlyV2), "productName", "version");
}

json system_to_v1(const json& system) {
  static constexpr std::array<std::string_view, 1> kUuid{"uuid"};
  return without(system, kUuid);
}

// The first processor of a v1alpha2 hardware object, if any.
const json* first_processor(const json& hw) {
  const json* procs = find_field(hw, {"compute", "processors"});
  if (procs == nullptr || !procs->is_array() || procs->empty() || !(*procs)[0].is_object()) {
    return nullptr;
  }
  return &(*procs)[0];
}

using Fragment = json;  // object holding only the fields that differ between versions

// Per-kind description: which fields differ and how to map them.
struct KindRules {
  std::vector<std::string_view> base;  // path of the object holding the fields
  std::vector<std::string_view> v1_fields;
  std::vector<std::string_view> v2_fields;
  Expected<Fragment, std::string> (*up)(const Fragment&);    // v1alpha1 -> v1alpha2
  Expected<Fragment, std::string> (*down)(const Fragment&);  // v1alpha2 -> v1alpha1
};

Expected<Fragment, std::string> server_up(const Fragment& v1) {
  Fragment out = json::object();
  if (!v1.contains("system") && !v1.contains("cpu")) return out;
  json hw = json::object();
  if (auto it = v1.find("system"); it != v1.end()) {
    if (!it->is_object()) return unexpected(std::string("spec.system: must be an object"));
    hw["system"] = *it;
  }
  if (auto it = v1.find("cpu"); it != v1.end()) {
    if (!it->is_object()) return unexpected(std::string("spec.cpu: must be an object"));
    hw["compute"] = json{{"processors", json::array({cpu_to_processor(*it)})}};
  }
  out["hardware"] = std::move(hw);
  return out;
}

Expected<Fragment, std::string> server_down(const Fragment& v2) {
  Fragment out = json::object();
  auto it = v2.find("hardware");
  if (it == v2.end()) return out;
  if (!it->is_object()) return unexpected(std::string("spec.hardware: must be an object"));
  if (auto sys = it->find("system"); sys != it->end() && sys->is_object()) {
    out["system"] = system_to_v1(*sys);
  }
  if (const json* p = first_processor(*it)) out["cpu"] = processor_to_cpu(*p);
  return out;
}

Expected<Fragment, std::string> server_class_up(const Fragment& v1) {
  Fragment out = json::object();
  if (!v1.contains("systemInformation") && !v1.contains("cpu")) return out;
  json hw = json::array();
  if (auto it = v1.find("systemInformation"); it != v1.end()) {
    if (!it->is_array()) {
      return unexpected(std::string("spec.qualifiers.systemInformation: must be a list"));
    }
    for (const auto& s : *it) hw.push_back(json{{"system", s}});
  }
  if (auto it = v1.find("cpu"); it != v1.end()) {
    if (!it->is_array()) return unexpected(std::string("spec.qualifiers.cpu: must be a list"));
    for (const auto& c : *it) {
      if (!c.is_object()) {
        return unexpected(std::string("spec.qualifiers.cpu: entries must be objects"));
      }
      hw.push_back(json{{"compute", {{"processors", json::array({cpu_to_processor(c)})}}}});
    }
  }
  out["hardware"] = std::move(hw);
  return out;
}

Expected<Fragment, std::string> server_class_down(const Fragment& v2) {
  Fragment out = json::object();
  auto it = v2.find("hardware");
  if (it == v2.end()) return out;
  if (!it->is_array()) {
    return unexpected(std::string("spec.qualifiers.hardware: must be a list"));
  }
  json systems = json::array();
  json cpus = json::array();
  for (const auto& entry : *it) {
    if (!entry.is_object()) continue;
    if (auto sys = entry.find("system"); sys != entry.end() && sys->is_object()) {
      systems.push_back(system_to_v1(*sys));
    }
    if (const json* p = first_processor(entry)) cpus.push_back(processor_to_cpu(*p));
  }
  if (!systems.empty()) out["systemInformation"] = std::move(systems);
  if (!cpus.empty()) out["cpu"] = std::move(cpus);
  return out;
}

Expected<Fragment, std::string> identity(const Fragment& f) { return f; }

const KindRules* rules_for(std::string_view kind) {
  static const KindRules kServerRules{
      {"spec"}, {"system", "cpu"}, {"hardware"}, server_up, server_down};
  static const KindRules kServerClassRules{{"spec", "qualifiers"},
                                           {"systemInformation", "cpu"},
                                           {"hardware"},
                                           server_class_up,
                                           server_class_down};
  static const KindRules kEnvironmentRules{{}, {}, {}, identity, identity};
  if (kind == kServer.kind) return &kServerRules;
  if (kind == kServerClass.kind) return &kServerClassRules;
  if (kind == kEnvironment.kind) return &kEnvironmentRules;
  return nullptr;
}

json* find_path(json& root, const std::vector<std::string_view>& path) {
  json* cur = &root;
  for (auto key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

json& ensure_path(json& root, const std::vector<std::string_view>& path) {
  json* cur = &root;
  for (auto key : path) {
    if (!cur->is_object()) *cur = json::object();
    cur = &(*cur)[std::string(key)];
  }
  if (!cur->is_object()) *cur = json::object();
  return *cur;
}

// Removes and returns the named fields of the object at `base`.
Fragment take_fields(json& obj, const KindRules& rules, Version v) {
  Fragment out = json::object();
  json* base = find_path(obj, rules.base);
  if (base == nullptr || !base->is_object()) return out;
  for (auto name : v == Version::kV1Alpha1 ? rules.v1_fields : rules.v2_fields) {
    auto it = base->find(std::string(name));
    if (it == base->end()) continue;
    out[std::string(name)] = std::move(*it);
    base->erase(it);
  }
  return out;
}

void put_fields(json& obj, const KindRules& rules, const Fragment& fields) {
  if (fields.empty()) return;
  json& base = ensure_path(obj, rules.base);
  for (auto it = fields.begin(); it != fields.end(); ++it) base[it.key()] = it.value();
}

Expected<Fragment, std::string> map_fields(const KindRules& rules, const Fragment& f, Version from,
                                           Version to) {
  if (from == to) return f;
  return from == Version::kV1Alpha1 ? rules.up(f) : rules.down(f);
}

// Saved fields for `want`, read from and then removed from the annotation.
std::optional<Fragment> take_saved(json& obj, Version want) {
  json* annotations = find_field(obj, {"metadata", "annotations"});
  if (annotations == nullptr || !annotations->is_object()) return std::nullopt;
  auto it = annotations->find(std::string(kConversionDataAnnotation));
  if (it == annotations->end()) return std::nullopt;
  std::optional<Fragment> saved;
  if (it->is_string()) {
    // The annotation is client text: bounded in nesting like a body, since the saved fields
    // are copied (recursively) into the converted object.
    auto parsed = json_text::parse(it->get<std::string>());
    json data = parsed ? std::move(*parsed) : json();
    if (data.is_object() && data.value("version", "") == version_name(want) &&
        data.contains("fields") && data["fields"].is_object()) {
      saved = data["fields"];
    }
  }
  annotations->erase(it);
  if (annotations->empty()) erase_field(obj, {"metadata", "annotations"});
  return saved;
}

void save(json& obj, Version v, const Fragment& fields) {
  json data{{"version", version_name(v)}, {"fields", fields}};
  set_field(obj, {"metadata", "annotations", kConversionDataAnnotation}, json_text::dump(data));
}

Expected<json, std::string> convert_object(const json& obj, std::string_view kind, Version from,
                                           Version to) {
  const KindRules* rules = rules_for(kind);
  if (rules == nullptr) {
    return unexpected("kind " + std::string(kind) + " is not a convertible metal.sidero.dev kind");
  }
  json out = obj;
  if (out.contains("apiVersion")) {
    out["apiVersion"] = std::string(kMetalGroup) + "/" + std::string(version_name(to));
  }
  if (from == to) return out;

  Fragment source = take_fields(out, *rules, from);
  std::optional<Fragment> saved = take_saved(out, to);
  Fragment target;
  if (saved) {
    // Use the saved fields only if the fields converted from them were not edited since.
    auto back = map_fields(*rules, *saved, to, from);
    if (back && *back == source) target = *saved;
  }
  if (target.is_null()) {
    auto mapped = map_fields(*rules, source, from, to);
    if (!mapped) return unexpected(mapped.error());
    target = std::move(mapped).value();
  }
  auto back = map_fields(*rules, target, to, from);
  if (!back || *back != source) save(out, from, source);
  put_fields(out, *rules, target);
  return out;
}

}  // namespace

Expected<json, std::string> convert(const json& obj, std::string_view to_version) {
  if (!obj.is_object()) return unexpected(std::string("object must be a JSON object"));
  auto api_version = get_string(obj, {"apiVersion"});
  if (!api_version) return unexpected(std::string("apiVersion: required"));
  GroupVersion gv = parse_api_version(*api_version);
  if (gv.group != kMetalGroup) {
    return unexpected("apiVersion: " + *api_version + " is not in group " +
                      std::string(kMetalGroup));
  }
  auto from = parse_version(gv.version);
  if (!from) return unexpected("apiVersion: unknown version " + gv.version);

  std::string_view target = to_version;
  if (target.find('/') != std::string_view::npos) {
    GroupVersion want = parse_api_version(target);
    if (want.group != kMetalGroup) {
      return unexpected("target " + std::string(to_version) + " is not in group " +
                        std::string(kMetalGroup));
    }
    target = target.substr(target.find('/') + 1);
  }
  auto to = parse_version(target);
  if (!to) return unexpected("unknown target version " + std::string(to_version));

  std::string kind = get_string(obj, {"kind"}).value_or("");
  constexpr std::string_view kListSuffix = "List";
  if (kind.size() > kListSuffix.size() && kind.ends_with(kListSuffix)) {
    std::string item_kind = kind.substr(0, kind.size() - kListSuffix.size());
    if (rules_for(item_kind) == nullptr) {
      return unexpected("kind " + kind + " is not a convertible metal.sidero.dev kind");
    }
    json out = obj;
    out["apiVersion"] = std::string(kMetalGroup) + "/" + std::string(version_name(*to));
    if (auto items = out.find("items"); items != out.end() && items->is_array()) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        auto converted = convert_object((*items)[i], item_kind, *from, *to);
        if (!converted) return unexpected("items[" + std::to_string(i) + "]: " + converted.error());
        (*items)[i] = std::move(converted).value();
      }
    }
    return out;
  }
  return convert_object(obj, kind, *from, *to);
}

}  // namespace ferrum::model
