#include "ferrum/model/kinds.hpp"

namespace ferrum::model {

std::string ResourceKind::api_version() const {
  if (group.empty()) return std::string(version);
  return std::string(group) + "/" + std::string(version);
}

bool ResourceKind::serves(std::string_view v) const {
  if (v == version) return true;
  for (auto other : also_served) {
    if (!other.empty() && other == v) return true;
  }
  return false;
}

const ResourceKind* find_kind(std::string_view group, std::string_view kind) {
  for (const ResourceKind* k : kAllKinds) {
    if (k->group == group && k->kind == kind) return k;
  }
  return nullptr;
}

const ResourceKind* find_kind_by_plural(std::string_view group, std::string_view plural) {
  for (const ResourceKind* k : kAllKinds) {
    if (k->group == group && k->plural == plural) return k;
  }
  return nullptr;
}

GroupVersion parse_api_version(std::string_view api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", std::string(api_version)};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

}  // namespace ferrum::model
