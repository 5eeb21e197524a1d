#pragma once
// Where Talos' strategic merge departs from "maps merge, lists append, scalars replace".
//
// Talos merges typed Go structs (pkg/machinery/config/merge/merge.go); Ferrum merges
// schema-less JSON, so the few places where a Talos type carries its own merge behaviour are
// listed here by document kind and path. Each rule cites the upstream file it mirrors (Talos
// machinery v1.13.0, which Sidero's metadata server links; the rules for the v1alpha1 lists
// and podSubnets/serviceSubnets/auditPolicy are the same since Talos 1.2).
//
// Contract: a pure lookup. `kind` is the config document's `kind` ("" for the v1alpha1
// machine config); `path` is the chain of map keys from the document root joined by '/',
// with "*" for "an element of a list" (e.g. "machine/network/interfaces/*/vlans").
// Anything not listed merges by the default rules.

#include <string_view>

namespace ferrum::patch {

enum class MergeKind {
  kDefault,           // maps merge, lists append, scalars replace unless zero ("" or 0)
  kReplace,           // a `merge:"replace"` field: the patch value replaces the whole value
  kArgs,              // an extraArgs map: each argument the patch names is replaced whole
  kListMergeByKey,    // list elements with the same key merge; others append
  kListReplaceByKey,  // list elements with the same key are replaced; others append
  kOverwriteZero,     // a pointer-typed scalar: "" and 0 in a patch do replace
};

// What identifies an element of a keyed list.
enum class ListKey {
  kNone,
  kNetworkDevice,  // `interface` when the patch element names one, else `deviceSelector`
  kVlanId,         // `vlanId` (absent counts as 0)
  kName,           // `name` (absent counts as "")
  kMountPath,      // `mountPath` (absent counts as "")
  kImage,          // `image` (absent counts as "")
};

struct MergeRule {
  MergeKind kind = MergeKind::kDefault;
  ListKey key = ListKey::kNone;
};

MergeRule talos_merge_rule(std::string_view kind, std::string_view path);

}  // namespace ferrum::patch
