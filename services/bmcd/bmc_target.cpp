#include "bmc_target.hpp"

#include <fmt/format.h>

#include "ferrum/json_text.hpp"

namespace ferrum::bmcd {

std::string_view backend_name(Backend b) { return b == Backend::kIpmi ? "ipmi" : "api"; }

std::string BmcTarget::key() const {
  if (backend == Backend::kApi) return "api " + api_base;
  return fmt::format("ipmi {}:{}", host, port);
}

std::string BmcTarget::endpoint() const { return key(); }

namespace {

TargetError precondition(std::string msg) {
  return TargetError{grpc::StatusCode::FAILED_PRECONDITION, std::move(msg)};
}

// One credential: inline value, else the Secret the *From field names.
Expected<std::string, TargetError> credential(const std::string& field,
                                              const std::string& inline_value,
                                              const std::optional<model::CredentialSource>& from,
                                              const SecretLookup& secrets) {
  if (from && from->secret_key_ref) {
    const auto& ref = *from->secret_key_ref;
    std::string prefix = "spec.bmc." + field + "From.secretKeyRef";
    if (ref.name.empty()) return unexpected(precondition(prefix + ".name: must not be empty"));
    if (ref.key.empty()) return unexpected(precondition(prefix + ".key: must not be empty"));
    SecretRef r{ref.namespace_.empty() ? std::string("default") : ref.namespace_, ref.name,
                ref.key};
    auto v = secrets(r);
    if (!v) {
      TargetError e = v.error();
      e.message = prefix + ": " + e.message;
      return unexpected(std::move(e));
    }
    return *v;
  }
  if (from && !from->secret_key_ref && inline_value.empty()) {
    return unexpected(precondition("spec.bmc." + field + "From: secretKeyRef is required"));
  }
  return inline_value;
}

}  // namespace

Expected<BmcTarget, TargetError> resolve_target(const model::Server& server,
                                                const SecretLookup& secrets) {
  BmcTarget t;
  if (auto bmc = server.bmc()) {
    if (bmc->endpoint.empty())
      return unexpected(precondition("spec.bmc.endpoint: must not be empty"));
    // The model view drops a port it cannot use; connecting to 623 instead would be a guess.
    if (const auto& raw = server.raw(); raw.contains("spec") && raw["spec"].contains("bmc") &&
                                        raw["spec"]["bmc"].contains("port")) {
      const auto& p = raw["spec"]["bmc"]["port"];
      if (!p.is_number_integer() || p.get<std::int64_t>() < 1 || p.get<std::int64_t>() > 65535) {
        return unexpected(
            precondition("spec.bmc.port: " + json_text::dump(p) + " is not a port (1-65535)"));
      }
    }
    t.backend = Backend::kIpmi;
    t.host = bmc->endpoint;
    t.port = bmc->port == 0 ? 623 : static_cast<std::uint16_t>(bmc->port);
    if (bmc->interface.empty() || bmc->interface == "lanplus") {
      t.interface = IpmiInterface::kLanplus;
    } else if (bmc->interface == "lan") {
      t.interface = IpmiInterface::kLan;
    } else {
      return unexpected(precondition("spec.bmc.interface: \"" + bmc->interface +
                                     "\" is not supported (lanplus or lan)"));
    }
    auto user = credential("user", bmc->user, bmc->user_from, secrets);
    if (!user) return unexpected(user.error());
    auto pass = credential("pass", bmc->pass, bmc->pass_from, secrets);
    if (!pass) return unexpected(pass.error());
    t.user = std::move(*user);
    t.pass = std::move(*pass);
    // IPMI limits: 16-byte user names, 20-byte passwords (RMCP+); longer ones can never work.
    if (t.user.size() > 16) return unexpected(precondition("spec.bmc.user: longer than 16 bytes"));
    if (t.pass.size() > 20) return unexpected(precondition("spec.bmc.pass: longer than 20 bytes"));
    return t;
  }
  if (auto api = server.management_api(); api && !api->endpoint.empty()) {
    t.backend = Backend::kApi;
    std::string base = api->endpoint;
    if (base.find("://") == std::string::npos) base = "http://" + base;
    if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
      return unexpected(precondition("spec.managementApi.endpoint: \"" + api->endpoint +
                                     "\" is not an http(s) URL"));
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    t.api_base = std::move(base);
    return t;
  }
  return unexpected(precondition("server has no BMC (neither spec.bmc nor spec.managementApi)"));
}

}  // namespace ferrum::bmcd
