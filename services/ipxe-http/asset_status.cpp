#include "asset_status.hpp"

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::ipxe {

nlohmann::json desired_conditions(const std::vector<AssetState>& states) {
  auto out = nlohmann::json::array();
  for (const auto& st : states) {
    if (st.url.empty()) continue;
    nlohmann::json c{{"url", st.url}, {"status", st.ready ? "True" : "False"}, {"type", "Ready"}};
    if (!st.spec_sha512.empty()) c["sha512"] = st.spec_sha512;
    if (!st.ready) {
      c["reason"] = st.reason;
      c["message"] = st.message;
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool apply_conditions(nlohmann::json& env, const nlohmann::json& desired) {
  nlohmann::json current = nlohmann::json::array();
  if (env.contains("status") && env["status"].is_object() && env["status"].contains("conditions") &&
      env["status"]["conditions"].is_array()) {
    current = env["status"]["conditions"];
  }
  nlohmann::json next = nlohmann::json::array();
  for (const auto& d : desired) {
    nlohmann::json entry = nlohmann::json::object();
    for (const auto& c : current) {
      if (c.is_object() && c.value("url", "") == d.value("url", "") &&
          c.value("type", "") == "Ready") {
        entry = c;
      }
    }
    for (const char* k : {"sha512", "reason", "message"}) entry.erase(k);
    for (auto it = d.begin(); it != d.end(); ++it) entry[it.key()] = it.value();
    next.push_back(std::move(entry));
  }
  if (next == current) return false;
  if (!env.contains("status") || !env["status"].is_object())
    env["status"] = nlohmann::json::object();
  env["status"]["conditions"] = std::move(next);
  return true;
}

Expected<WriteOutcome, kube::Error> write_asset_conditions(kube::Client& client,
                                                           const std::string& env_name,
                                                           const std::vector<AssetState>& states,
                                                           int attempts) {
  auto resource = kube::resource_of(model::kEnvironment);
  auto desired = desired_conditions(states);
  kube::Error last;
  for (int i = 0; i < attempts; ++i) {
    auto env = client.get(resource, "", env_name);
    if (!env) {
      if (kube::is_not_found(env.error())) return WriteOutcome::kGone;
      return unexpected(env.error());
    }
    if (!apply_conditions(*env, desired)) return WriteOutcome::kUnchanged;
    auto written = client.update_status(resource, *env);
    if (written) return WriteOutcome::kWritten;
    if (kube::is_not_found(written.error())) return WriteOutcome::kGone;
    if (!kube::is_conflict(written.error())) return unexpected(written.error());
    last = written.error();
  }
  return unexpected(last);
}

}  // namespace ferrum::ipxe
