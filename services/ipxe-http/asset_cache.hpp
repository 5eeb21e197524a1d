#pragma once
// This replica's copies of Environment assets (kernel, initrd) and of the agent environment,
// and whether each may be served.
//
// Contract:
// - sync(env) brings the local copy of each asset URL in the spec in line: a copy already on
//   disk from the same URL (recorded beside it) is re-hashed and kept when it matches;
//   otherwise the URL is downloaded (AssetFetcher) into a temporary file in the same
//   directory, its SHA-512 checked against the spec when the spec gives one, then renamed
//   over the old copy (readers holding the old file keep reading the old inode). Retryable
//   failures are retried `attempts` times with exponential backoff.
// - An asset is served only after this process verified it (downloaded or re-hashed it):
//   environment_unready() says why not, and the decision answers 412 until then.
// - Layout: <asset-dir>/<env>/{vmlinuz,initramfs.xz} plus <asset>.source (JSON: url,
//   sha512 of the bytes). Agent assets are read from <agent-dir>/<arch>/{vmlinuz,initramfs.xz}
//   and are served under the environment name agent-<arch>.
// Thread-safe: sync runs on controller workers while request threads read.

#include <atomic>
#include <cstdint>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "asset_fetcher.hpp"
#include "boot_decision.hpp"
#include "ferrum/clock.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/model/environment.hpp"

namespace ferrum::ipxe {

struct AssetCacheSettings {
  std::string asset_dir;
  std::string agent_dir;
  FetchLimits limits;
  int attempts = 3;
  std::chrono::milliseconds backoff{1000};
};

// One asset's state on this replica, which is also what goes into the Environment's
// condition for its URL.
struct AssetState {
  std::string name;  // vmlinuz | initramfs.xz
  std::string url;
  std::string spec_sha512;
  bool ready = false;
  std::string reason;   // when not ready: HTTPError, ChecksumMismatch, Timeout, ...
  std::string message;  // when not ready: the details (both sums for a mismatch)
  std::string sha512;   // of the verified local copy
  std::uint64_t size = 0;
  std::time_t mtime = 0;
};

// A file to serve, opened.
struct OpenAsset {
  int fd = -1;
  std::uint64_t size = 0;
  std::string etag;  // quoted
  std::time_t mtime = 0;
};

class AssetCache final : public AssetReadiness {
 public:
  AssetCache(AssetCacheSettings settings, Clock& clock, metrics::Registry& registry,
             log::Logger log);

  // Returns one state per asset URL in the spec (kernel first). Blocks while downloading.
  std::vector<AssetState> sync(const model::Environment& env, std::stop_token stop);
  // The environment is gone: drop its state and its files.
  void forget(const std::string& env);
  // Re-reads which agent arches have both files (at start and periodically).
  void refresh_agents();

  std::string environment_unready(const nlohmann::json& env) const override;
  std::string agent_unready(const std::string& arch) const override;
  std::uint64_t generation() const override { return generation_.load(std::memory_order_acquire); }

  // Opens a verified asset (`env` may be agent-<arch>); nothing if unknown or not verified.
  std::optional<OpenAsset> open(const std::string& env, const std::string& asset) const;

  std::size_t ready_environments() const;
  std::size_t unready_environments() const;

 private:
  AssetState sync_one(const std::string& env, const std::string& asset, const std::string& url,
                      const std::string& spec_sha512, std::stop_token stop);
  bool reuse_existing(const std::string& path, AssetState& st);
  void count(const std::string& result);

  AssetCacheSettings settings_;
  Clock& clock_;
  metrics::Family<metrics::Counter>& downloads_;
  log::Logger log_;
  mutable std::shared_mutex mu_;
  std::atomic<std::uint64_t> generation_{0};  // bumped under mu_ by every write
  std::map<std::string, std::map<std::string, AssetState>> envs_;    // env -> asset -> state
  std::map<std::string, std::map<std::string, AssetState>> agents_;  // arch -> asset -> state
};

}  // namespace ferrum::ipxe
