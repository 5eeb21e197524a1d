#pragma once
// Kubernetes' protobuf request bodies for the core/v1 kinds ferrum-apiserver stores (Secret,
// ConfigMap, Namespace), decoded to the same JSON a client would have sent.
//
// Why: kubectl's typed commands (`kubectl create secret|configmap|namespace`) always send
// `application/vnd.kubernetes.protobuf` for core types and do not fall back to JSON on 415.
// Responses stay JSON, which those clients accept.
//
// Wire format: the 4-byte magic "k8s\0", then runtime.Unknown {typeMeta=1 {apiVersion=1,
// kind=2}, raw=2, contentEncoding=3, contentType=4}, where raw is the kind's message from
// k8s.io/api/core/v1/generated.proto. Only the fields Ferrum uses are decoded; timestamps
// and managedFields (set by the server anyway) are skipped.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

struct ProtobufError {
  bool invalid_utf8 = false;  // a string field is not UTF-8 (a 400, not an unsupported body)
  std::string message;
};

// The decoded object, or why the body cannot be read (truncated, unknown kind, a string that
// is not UTF-8, ...). Every string of the result is UTF-8.
Expected<nlohmann::json, ProtobufError> decode_k8s_protobuf(std::string_view body);

}  // namespace ferrum::apiserver
