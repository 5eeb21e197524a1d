#pragma once
// Boot decisions already made, reused while nothing they were made from has changed. A
// decision (boot_decision.hpp) is a pure function of the query's uuid, mac and arch, of the
// four informer caches and the installation Secret's, of asset readiness and of the (fixed)
// settings; the caches and the readiness each have a generation that moves with every
// change, so a decision stamped with the generations read before it was made is exactly what
// decide() would answer for as long as they read the same.
//
// Contract: thread-safe; find() returns a decision only for the same key and stamp. Bounded:
// at most `capacity` entries (when full, an arbitrary one is dropped); capacity 0 stores
// nothing. The map is split into shards, each with its own lock, so that request threads
// looking up different machines do not contend on one lock word.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "boot_decision.hpp"

namespace ferrum::ipxe {

class DecisionCache {
 public:
  struct Stamp {
    std::array<std::uint64_t, 6> generations{};
    bool operator==(const Stamp&) const = default;
  };
  // Read before deciding (see the header comment).
  static Stamp stamp(const BootCaches& caches, const AssetReadiness& assets);
  // Everything of the query that decide() reads.
  static std::string key(const BootQuery& query);

  explicit DecisionCache(std::size_t capacity);

  std::shared_ptr<const BootDecision> find(const std::string& key, const Stamp& stamp) const;
  void store(const std::string& key, const Stamp& stamp,
             std::shared_ptr<const BootDecision> decision);
  std::size_t size() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Entry {
    Stamp stamp;
    std::shared_ptr<const BootDecision> decision;
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& shard_of(const std::string& key) const;

  std::size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace ferrum::ipxe
