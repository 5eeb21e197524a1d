#pragma once
// Which BMC a Server names and how to log in to it (pure: no sockets, Secrets come through a
// lookup function).
//
// Contract (DESIGN.md 4.6, issue 8): spec.bmc wins (endpoint required, port default 623,
// interface default lanplus; user/pass inline or from Secrets via userFrom/passFrom, a
// secretKeyRef without namespace meaning "default"); else spec.managementApi.endpoint (the
// "api" method, "http://" assumed when the endpoint has no scheme); neither is
// FAILED_PRECONDITION "server has no BMC". Every error names the field.

#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <string>

#include "ferrum/expected.hpp"
#include "ferrum/model/server.hpp"

namespace ferrum::bmcd {

enum class Backend { kIpmi, kApi };
std::string_view backend_name(Backend b);

enum class IpmiInterface { kLanplus, kLan };

struct BmcTarget {
  Backend backend = Backend::kIpmi;
  // IPMI
  std::string host;
  std::uint16_t port = 623;
  IpmiInterface interface = IpmiInterface::kLanplus;
  std::string user;
  std::string pass;
  // api: base URL without trailing slash ("http://10.0.0.1:8080")
  std::string api_base;

  // Calls with equal keys go to the same BMC and are serialized.
  std::string key() const;
  // For messages and logs: "ipmi 10.0.0.1:623", "api http://10.0.0.1:8080". Never a secret.
  std::string endpoint() const;
};

struct TargetError {
  grpc::StatusCode code = grpc::StatusCode::FAILED_PRECONDITION;
  std::string message;
};

struct SecretRef {
  std::string namespace_;
  std::string name;
  std::string key;
};

// The value of one Secret key: NOT_FOUND-ish problems come back as FAILED_PRECONDITION,
// the API server being unreachable as UNAVAILABLE (the lookup decides; messages name the Secret).
using SecretLookup = std::function<Expected<std::string, TargetError>(const SecretRef&)>;

Expected<BmcTarget, TargetError> resolve_target(const model::Server& server,
                                                const SecretLookup& secrets);

}  // namespace ferrum::bmcd
