#pragma once
// A label set (metadata.labels) as a sorted map, and reading one out of JSON.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ferrum::model {

using Labels = std::map<std::string, std::string, std::less<>>;

// Non-string values are skipped; anything but an object yields an empty set.
Labels string_map_from_json(const nlohmann::json& j);

}  // namespace ferrum::model
