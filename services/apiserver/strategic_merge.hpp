#pragma once
// Strategic merge patch (application/strategic-merge-patch+json) for the built-in kinds, as
// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go applies it to typed objects:
// - maps merge key by key, `null` deletes a key;
// - lists replace, unless the type declares `patchStrategy:"merge"`: a list of scalars is then
//   a set union, a list of maps merges element by element on the declared patchMergeKey;
// - directives are honoured and never stored: `$patch: replace|delete|merge` (on a map, and as
//   a list element), `$retainKeys`, `$deleteFromPrimitiveList/<field>`,
//   `$setElementOrder/<field>`.
// Which lists merge, and on which key, is PatchSchema: the patch tags of k8s.io/api's Go types.
//
// Errors are Kubernetes': a malformed directive is a 400 (strategicpatch's ErrBadPatchFormat...,
// mapped by k8s.io/apiserver/pkg/endpoints/handlers/patch.go interpretStrategicMergePatchError),
// patch content outside its $retainKeys a 422; each names the field path.
//
// $setElementOrder orders the merged list's elements that it names in its order; elements it
// does not name follow them in their merged order (Kubernetes interleaves them instead; the set
// of elements is the same).

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "api_error.hpp"
#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

struct ListPatchMeta {
  std::string merge_key;  // empty: a list of scalars merged as a set
};
// Field path (dotted, no indices: "metadata.ownerReferences", "status.conditions") to the lists
// that merge; every other list is replaced.
using PatchSchema = std::map<std::string, ListPatchMeta>;

// The merging lists of a built-in kind (core/v1 Namespace, Secret, ConfigMap, Event, Node;
// coordination.k8s.io/v1 Lease; apiextensions.k8s.io/v1 CustomResourceDefinition): ObjectMeta's
// finalizers and ownerReferences (key uid) for all, plus the kind's own (k8s.io/api
// core/v1/types.go: NamespaceStatus.conditions, NodeSpec.podCIDRs, NodeStatus.conditions and
// .addresses, keyed by type).
PatchSchema builtin_patch_schema(const std::string& kind);

Expected<nlohmann::json, ApiError> apply_strategic_merge_patch(const nlohmann::json& original,
                                                               const nlohmann::json& patch,
                                                               const PatchSchema& schema);

}  // namespace ferrum::apiserver
