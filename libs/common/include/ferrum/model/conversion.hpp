#pragma once
// Conversion of metal.sidero.dev objects between v1alpha1 and v1alpha2 (the storage version),
// as pure functions on JSON. Everything but the fields that differ is copied untouched, so
// unknown fields survive.
//
// What differs (the same mapping Sidero's conversion webhooks made):
//  - Server: v1alpha1 spec.system <-> v1alpha2 spec.hardware.system (uuid is v1alpha2 only);
//    v1alpha1 spec.cpu{manufacturer, version} <-> spec.hardware.compute.processors[0]
//    {manufacturer, productName}.
//  - ServerClass: v1alpha1 qualifiers.systemInformation[] and qualifiers.cpu[] <-> v1alpha2
//    qualifiers.hardware[]: one {system} entry per systemInformation, then one
//    {compute: {processors: [cpu]}} entry per cpu; going down, each hardware entry yields its
//    system and its first processor. labelSelectors is the same in both.
//  - Environment: identical schema; only apiVersion changes.
//  - <Kind>List: every item is converted.
// Lossy cases (v1alpha2 -> v1alpha1: the rest of spec.hardware, uuid, processors after the
// first, memory/storage/network qualifiers, entries combining system and compute; and the
// reverse for odd v1alpha1 input such as empty lists) are made lossless the way Cluster API
// does it: when converting back would not reproduce the source fields, the source fields are
// saved in the annotation kConversionDataAnnotation, and the next conversion back restores
// them if the converted fields were not edited in between (an edit wins and the saved data is
// dropped). Round trips in either direction therefore return the original object.
// Semantics note: a v1alpha1 class with both cpu and systemInformation qualifiers required
// both to match; as v1alpha2 hardware entries they are OR-ed (as in Sidero).

#include <string>
#include <string_view>

#include "ferrum/expected.hpp"
#include "ferrum/model/json_fields.hpp"

namespace ferrum::model {

inline constexpr std::string_view kConversionDataAnnotation = "ferrum.dev/conversion-data";

// to_version is "v1alpha1" / "v1alpha2" or the full "metal.sidero.dev/v1alpha2". Errors name
// the problem (not a metal.sidero.dev object, unknown version or kind, mistyped field).
Expected<json, std::string> convert(const json& obj, std::string_view to_version);

}  // namespace ferrum::model
