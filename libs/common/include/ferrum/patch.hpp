#pragma once
// The config patch engine: RFC 6902 JSON patch, RFC 7386 merge patch, and Talos-style
// strategic merge of multi-document configs.
//
// Contract:
// - Inputs are never modified; every function returns a new document. On error nothing is
//   half-applied: the caller still holds the untouched input. The overloads taking the
//   document by rvalue patch it where it is instead of copying it first (for callers that
//   own the document and only want the result); on error that document is consumed and the
//   caller keeps nothing half-applied either, since it gave the document away.
// - apply_json_patch validates the whole patch before applying any of it, then applies it
//   one operation at a time with nlohmann::json, so an error names the operation that
//   failed (index, op, path) and says why in words an operator can act on.
// - apply_strategic_patch treats each patch document as Talos' configpatcher does: it merges
//   into the config document with the same identity (the v1alpha1 main config: no `kind`;
//   others: apiVersion + kind + name), or is appended when there is none. Merging follows
//   Talos' merge package: maps merge recursively, lists append, scalars replace except that
//   "" and 0 in a patch leave a value alone (false does replace), a null in the patch
//   changes nothing; and the typed exceptions of talos_merge_rules.hpp: network interfaces
//   merge by `interface` or `deviceSelector`, their VLANs by `vlanId`, admission plugins by
//   `name`, extension config files by `mountPath`; podSubnets, serviceSubnets and
//   auditPolicy are replaced whole; extraArgs entries are replaced one by one.
//   `$patch: delete` as the value of a key deletes that key; as a list element it deletes
//   the target list's elements that have all the element's other fields; at the top of a
//   patch document it deletes the matching document (never the v1alpha1 one). As in Talos,
//   a patch document's deletes apply before its merges. Deleting what is absent is a no-op.
// - Nesting: every function here recurses once per level, so none accepts a document, patch
//   or path nested deeper than json_text::kMaxNestingDepth (Kubernetes' 10000), and a JSON
//   patch operation that would build a deeper document fails, naming that operation.

#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::patch {

struct PatchError {
  // Index of the failing operation; kWholePatch when the patch itself is not an array.
  static constexpr std::size_t kWholePatch = std::numeric_limits<std::size_t>::max();

  std::size_t index = kWholePatch;
  std::string op;    // as written in the patch, empty when missing
  std::string path;  // as written in the patch, empty when missing or the root
  std::string reason;

  // "operation 2 (replace /machine/install/disk): path /machine/install does not exist: ..."
  std::string message() const;
};

// RFC 6902.
Expected<nlohmann::json, PatchError> apply_json_patch(const nlohmann::json& doc,
                                                      const nlohmann::json& patch);
// The same, patching `doc` in place: no copy of the whole document. Same results and errors.
Expected<nlohmann::json, PatchError> apply_json_patch(nlohmann::json&& doc,
                                                      const nlohmann::json& patch);

// RFC 7386: objects merge, null deletes, everything else replaces. The error (whole patch)
// is a document or patch nested deeper than json_text::kMaxNestingDepth.
Expected<nlohmann::json, PatchError> apply_merge_patch(const nlohmann::json& doc,
                                                       const nlohmann::json& patch);

struct StrategicPatchError {
  std::size_t document = 0;  // index of the patch document (in YAML stream order)
  std::string path;          // JSON pointer into the config document; empty when not about one
  std::string reason;

  // "patch document 1: /machine/network: type mismatch: cannot merge a list into a map"
  std::string message() const;
};

// `patch_yaml` is a (possibly multi-document) YAML stream; its documents apply in order.
Expected<std::vector<nlohmann::json>, StrategicPatchError> apply_strategic_patch(
    const std::vector<nlohmann::json>& config, std::string_view patch_yaml);

// The same with the patch documents already parsed.
Expected<std::vector<nlohmann::json>, StrategicPatchError> apply_strategic_patch(
    const std::vector<nlohmann::json>& config, const std::vector<nlohmann::json>& patch_docs);

// The same two, merging into `config` in place (no copy of the whole config).
Expected<std::vector<nlohmann::json>, StrategicPatchError> apply_strategic_patch(
    std::vector<nlohmann::json>&& config, std::string_view patch_yaml);
Expected<std::vector<nlohmann::json>, StrategicPatchError> apply_strategic_patch(
    std::vector<nlohmann::json>&& config, const std::vector<nlohmann::json>& patch_docs);

}  // namespace ferrum::patch
