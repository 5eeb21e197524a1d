#pragma once
// meta.k8s.io/v1 Table responses built from a CRD version's additionalPrinterColumns, as the
// real API server does for `kubectl get` (Accept: application/json;as=Table;g=meta.k8s.io;v=v1).
//
// Contract: columns are Name (type string, format name) followed by the version's printer
// columns (all priorities; kubectl hides priority > 0 unless -o wide); without printer
// columns, Name and Age (from metadata.creationTimestamp). Cells come from a JSONPath subset
// (`.a.b`, `.a[0].b`, `.a[*].b`, `{.a.b}`, and what the shipped CRDs use: `\.` in keys,
// `[?(@.type=="Ready")]` filters; a path selecting several values shows the first, as the
// real convertor does); a missing value is null; `date` columns are shown
// as a human duration relative to `now` ("5m", "3h", "2d"); arrays/objects render as compact JSON
// for string columns. Each row carries `object` per includeObject: None (omitted), Metadata
// (PartialObjectMetadata, the default), Object (the whole object).

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resource_catalog.hpp"

namespace ferrum::apiserver {

enum class IncludeObject { kNone, kMetadata, kObject };

struct TableOptions {
  IncludeObject include = IncludeObject::kMetadata;
  std::string resource_version;  // list metadata
  std::string continue_token;    // list metadata
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

nlohmann::json render_table(const ResourceType& type, const ResourceVersion& version,
                            const std::vector<nlohmann::json>& objects, const TableOptions& opts);

// Evaluates a JSONPath of the subset above; nullopt when the path selects nothing.
// `.a[*].b` yields an array of the matches.
std::optional<nlohmann::json> eval_jsonpath(const nlohmann::json& obj, std::string_view path);

// Kubernetes' HumanDuration: "0s".."119s", "2m".."9m59s", "10m".."179m", "3h".."7h59m",
// "8h".."47h", "2d".."7d23h", "8d".."729d", "2y".."7y364d", "8y"...; "<invalid>" below -1s.
std::string human_duration(std::chrono::seconds d);

}  // namespace ferrum::apiserver
