#include "asset_status.hpp"

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/talos_kernel_args.hpp"

namespace ferrum::ipxe {

nlohmann::json desired_conditions(const std::vector<AssetState>& states,
                                  const nlohmann::json& extra) {
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
  if (extra.is_object()) out.push_back(extra);
  return out;
}

nlohmann::json kernel_args_condition(const nlohmann::json& env, const DecisionSettings& settings) {
  // The link server address does not change what KSPP or the rewrite see.
  auto composed = compose_target_args(env, settings, "");
  auto kspp = talos::kspp_violations(composed.args);
  std::string rewrites;
  for (const auto& r : composed.rewrites) {
    rewrites += (rewrites.empty() ? "" : "; ") + r;
  }
  if (!rewrites.empty()) {
    rewrites =
        "siderolink.api pointed at Sidero's combined port on this host and is served "
        "rewritten to ferrum-linkd: " +
        rewrites;
  }
  if (!kspp.empty()) {
    std::string msg;
    for (const auto& v : kspp) msg += (msg.empty() ? "" : "; ") + v;
    msg +=
        " (Talos stops booting on metal without them; add slab_nomerge and pti=on to "
        "spec.kernel.args)";
    if (!rewrites.empty()) msg += "; " + rewrites;
    return {{"type", std::string(kConditionTalosKernelArgs)},
            {"status", "False"},
            {"reason", "KSPPRequirementsNotMet"},
            {"message", msg}};
  }
  if (!rewrites.empty()) {
    return {{"type", std::string(kConditionTalosKernelArgs)},
            {"status", "True"},
            {"reason", "SideroLinkAPIRewritten"},
            {"message", rewrites}};
  }
  return nullptr;
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
          c.value("type", "") == d.value("type", "")) {
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
                                                           const nlohmann::json& extra,
                                                           int attempts) {
  auto resource = kube::resource_of(model::kEnvironment);
  auto desired = desired_conditions(states, extra);
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
