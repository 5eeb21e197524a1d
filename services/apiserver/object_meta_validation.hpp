#pragma once
// Names, labels, annotations and the rest of ObjectMeta checked as Kubernetes checks them:
// the string rules of k8s.io/apimachinery/pkg/util/validation/validation.go (qualified names,
// DNS-1123 labels and subdomains, label values, config keys; their messages and 63/253
// character limits) and the ObjectMeta rules of k8s.io/apimachinery/pkg/api/validation/
// objectmeta.go (ValidateObjectMetaAccessor / ValidateObjectMetaAccessorUpdate) and
// k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go (ValidateLabels).
//
// Each string check returns Kubernetes' messages (empty: valid); the ObjectMeta checks return
// field errors with paths under `metadata`.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "field_errors.hpp"

namespace ferrum::apiserver {

inline constexpr std::size_t kDns1123LabelMaxLength = 63;       // DNS1123LabelMaxLength
inline constexpr std::size_t kDns1123SubdomainMaxLength = 253;  // DNS1123SubdomainMaxLength
inline constexpr std::size_t kQualifiedNameMaxLength = 63;      // qualifiedNameMaxLength
inline constexpr std::size_t kLabelValueMaxLength = 63;         // LabelValueMaxLength
// objectmeta.go TotalAnnotationSizeLimitB: keys and values of all annotations together.
inline constexpr std::size_t kTotalAnnotationSizeLimit = 256 * 1024;

std::vector<std::string> dns1123_label_errors(const std::string& value);
std::vector<std::string> dns1123_subdomain_errors(const std::string& value);
std::vector<std::string> qualified_name_errors(const std::string& value);
std::vector<std::string> label_value_errors(const std::string& value);
std::vector<std::string> config_map_key_errors(const std::string& value);

// How a kind's names are checked (Namespaces are DNS-1123 labels, almost everything else
// DNS-1123 subdomains).
enum class NameRule { kDnsSubdomain, kDnsLabel };

// ObjectMeta of a new object: name (or generateName), namespace of namespaced kinds, labels,
// annotations, finalizers, ownerReferences.
FieldErrors validate_object_meta(const nlohmann::json& metadata, bool namespaced, NameRule rule);
// ObjectMeta of an update: the above, and name, namespace, uid, creationTimestamp unchanged.
FieldErrors validate_object_meta_update(const nlohmann::json& metadata,
                                        const nlohmann::json& old_metadata, bool namespaced,
                                        NameRule rule);

}  // namespace ferrum::apiserver
