#pragma once
// How each kind is written: per-kind strategies, as Kubernetes' registry has them
// (k8s.io/apiserver/pkg/registry/rest/create.go RESTCreateStrategy: PrepareForCreate, Validate;
// rest/update.go RESTUpdateStrategy: PrepareForUpdate, ValidateUpdate), one per kind family:
// core Secret, ConfigMap, Event, Namespace, Lease, Node, CustomResourceDefinition, and every
// custom resource.
//
// Contract: ApiHandler decides existence, preconditions and storage; a strategy only shapes and
// checks the object in the request's version:
//   decode             what decoding does before any strategy (Secret stringData into data,
//                      defaults; a custom resource's unknown fields per fieldValidation, pruned)
//   prepare_for_create clear what a create may not set (status behind a status subresource)
//   prepare_for_update carry over from the old object what this write may not change (system
//                      metadata; status on the main resource, everything but status on /status)
//   validate / validate_update  every problem, each naming its field; the handler turns them
//                      into one 422 Status with invalid_status().
// Strategies are stateless and shared; per-request state lives in WriteContext.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api_error.hpp"
#include "field_errors.hpp"
#include "object_meta_validation.hpp"
#include "resource_catalog.hpp"

namespace ferrum::apiserver {

// What a write is: which verb, and whether it addresses the status subresource.
enum class WriteKind { kCreate, kUpdate, kPatch, kStatusUpdate, kStatusPatch };

inline bool is_create(WriteKind k) { return k == WriteKind::kCreate; }
inline bool is_status_write(WriteKind k) {
  return k == WriteKind::kStatusUpdate || k == WriteKind::kStatusPatch;
}

// Kubernetes' size limit of a Secret's or ConfigMap's data (k8s.io/api core/v1 MaxSecretSize,
// checked by pkg/apis/core/validation ValidateSecret / ValidateConfigMap).
inline constexpr std::size_t kMaxDataSize = 1024 * 1024;

struct WriteContext {
  WriteKind kind = WriteKind::kCreate;
  const ResourceType* type = nullptr;
  const ResourceVersion* version = nullptr;  // the request's version (its schema validates)
  std::string field_validation;              // fieldValidation: Strict, Warn, Ignore or ""
  std::vector<std::string> warnings;         // answered as Warning headers
};

class WriteStrategy {
 public:
  virtual ~WriteStrategy() = default;
  virtual NameRule name_rule() const { return NameRule::kDnsSubdomain; }
  virtual std::optional<ApiError> decode(WriteContext& ctx, nlohmann::json& obj) const;
  virtual void prepare_for_create(WriteContext& ctx, nlohmann::json& obj) const;
  virtual void prepare_for_update(WriteContext& ctx, nlohmann::json& obj,
                                  const nlohmann::json& old) const;
  // ObjectMeta's rules (object_meta_validation.hpp), then the kind's own (check_kind).
  FieldErrors validate(WriteContext& ctx, const nlohmann::json& obj) const;
  FieldErrors validate_update(WriteContext& ctx, const nlohmann::json& obj,
                              const nlohmann::json& old) const;

 protected:
  // The kind's own rules; `old` is the stored object on update, nullptr on create.
  virtual void check_kind(WriteContext& ctx, const nlohmann::json& obj, const nlohmann::json* old,
                          FieldErrors& out) const;
};

// The strategy of a kind (built-ins by group and plural; everything else is a custom resource).
const WriteStrategy& strategy_for(const ResourceType& type);

// A CRD's status: NamesAccepted and Established, acceptedNames, storedVersions (keeping the
// conditions and versions of `current`, when there is one).
nlohmann::json crd_status(const nlohmann::json& crd, const nlohmann::json* current);

// RFC 3339 UTC, seconds precision (metav1.Time's wire form).
std::string rfc3339_now();

}  // namespace ferrum::apiserver
