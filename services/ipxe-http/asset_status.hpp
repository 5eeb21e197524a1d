#pragma once
// Environment status.conditions from this replica's asset states: one Ready entry per asset
// URL {url, sha512, status, type, reason, message}, written by the replica holding the
// `ferrum-ipxe-http-assets` Lease.
//
// Contract: desired_conditions() is pure. write_asset_conditions() reads the Environment
// fresh, replaces its conditions when they differ (keys Ferrum does not model inside an entry
// for the same URL are kept), and writes the status subresource conditional on the
// resourceVersion it read; a 409 is retried from a new read (at most `attempts` times).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asset_cache.hpp"
#include "boot_decision.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/client.hpp"

namespace ferrum::ipxe {

// `extra`: a further condition (kernel_args_condition()) appended after the Ready ones; null
// for none.
nlohmann::json desired_conditions(const std::vector<AssetState>& states,
                                  const nlohmann::json& extra = nullptr);

// Condition type of what ferrum-ipxe-http has to say about an Environment's kernel args.
inline constexpr std::string_view kConditionTalosKernelArgs = "TalosKernelArgs";
// The TalosKernelArgs condition of `env` (a whole Environment), level-based:
//   status False, reason KSPPRequirementsNotMet: the composed target args miss slab_nomerge or
//     pti=on as Talos' EnforceKSPPKernelParameters reads them (talos::kspp_violations), so a
//     node booting it stops before loading its config; the message has Talos' own words;
//   status True, reason SideroLinkAPIRewritten: a siderolink.api= aimed at Sidero's combined
//     port is served rewritten (the message says from what to what);
//   null when neither (the condition is then removed).
nlohmann::json kernel_args_condition(const nlohmann::json& env, const DecisionSettings& settings);

// Replaces status.conditions of `env` (a whole Environment object) by `desired`, keeping
// unknown keys of entries with the same type and url; returns whether anything changed.
bool apply_conditions(nlohmann::json& env, const nlohmann::json& desired);

enum class WriteOutcome { kUnchanged, kWritten, kGone };
Expected<WriteOutcome, kube::Error> write_asset_conditions(kube::Client& client,
                                                           const std::string& env_name,
                                                           const std::vector<AssetState>& states,
                                                           const nlohmann::json& extra = nullptr,
                                                           int attempts = 5);

}  // namespace ferrum::ipxe
