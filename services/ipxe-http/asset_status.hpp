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
#include "ferrum/expected.hpp"
#include "ferrum/kube/client.hpp"

namespace ferrum::ipxe {

nlohmann::json desired_conditions(const std::vector<AssetState>& states);

// Replaces status.conditions of `env` (a whole Environment object) by `desired`, keeping
// unknown keys of entries with the same url; returns whether anything changed.
bool apply_conditions(nlohmann::json& env, const nlohmann::json& desired);

enum class WriteOutcome { kUnchanged, kWritten, kGone };
Expected<WriteOutcome, kube::Error> write_asset_conditions(kube::Client& client,
                                                           const std::string& env_name,
                                                           const std::vector<AssetState>& states,
                                                           int attempts = 5);

}  // namespace ferrum::ipxe
