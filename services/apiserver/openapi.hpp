#pragma once
// OpenAPI v3 documents for kubectl: the root index (/openapi/v3) and one document per
// group-version (/openapi/v3/apis/<group>/<version>, /openapi/v3/api/v1).
//
// Why: kubectl decides whether the server validates fields itself (fieldValidation) by
// finding, in the group-version's document, a PATCH operation tagged with
// x-kubernetes-group-version-kind for the kind and carrying a `fieldValidation` query
// parameter. With that, `kubectl apply` sends ?fieldValidation=Strict and skips client-side
// validation (which would need the whole /openapi/v2 document).
//
// Contract: the root lists every served group-version as
// {"paths": {"apis/<g>/<v>": {"serverRelativeURL": "/openapi/v3/apis/<g>/<v>?hash=<H>"}}}
// with H a hash of that document's content. A group-version document has openapi "3.0.0",
// paths for the collection and item endpoints of each resource (get, put, patch, delete,
// post on collections; item PATCH with fieldValidation, dryRun, fieldManager, force
// parameters; every operation with x-kubernetes-group-version-kind and x-kubernetes-action),
// and components.schemas with each kind's schema (the CRD's openAPIV3Schema, or an object
// preserving unknown fields for built-ins) tagged with x-kubernetes-group-version-kind.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "resource_catalog.hpp"

namespace ferrum::apiserver {

nlohmann::json openapi_v3_root(const Catalog& catalog);
// "api/v1" or "apis/<group>/<version>"; nullopt for an unknown group-version.
std::optional<nlohmann::json> openapi_v3_document(const Catalog& catalog, const std::string& gv_path);

}  // namespace ferrum::apiserver
