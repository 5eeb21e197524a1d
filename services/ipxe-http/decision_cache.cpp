#include "decision_cache.hpp"

#include <functional>
#include <mutex>

namespace ferrum::ipxe {

DecisionCache::Stamp DecisionCache::stamp(const BootCaches& caches, const AssetReadiness& assets) {
  return Stamp{{caches.servers.generation(), caches.bindings.generation(),
                caches.classes.generation(), caches.environments.generation(), assets.generation(),
                caches.link_secrets != nullptr ? caches.link_secrets->generation() : 0}};
}

std::string DecisionCache::key(const BootQuery& query) {
  // '\n' cannot occur in a validated uuid, mac or arch.
  std::string k;
  k.reserve(query.uuid.size() + query.mac.size() + query.arch.size() + 2);
  k += query.uuid;
  k += '\n';
  k += query.mac;
  k += '\n';
  k += query.arch;
  return k;
}

DecisionCache::DecisionCache(std::size_t capacity)
    : per_shard_(capacity == 0 ? 0 : (capacity + kShards - 1) / kShards) {}

DecisionCache::Shard& DecisionCache::shard_of(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const BootDecision> DecisionCache::find(const std::string& key,
                                                        const Stamp& stamp) const {
  if (per_shard_ == 0) return nullptr;
  Shard& shard = shard_of(key);
  std::shared_lock lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || !(it->second.stamp == stamp)) return nullptr;
  return it->second.decision;
}

void DecisionCache::store(const std::string& key, const Stamp& stamp,
                          std::shared_ptr<const BootDecision> decision) {
  if (per_shard_ == 0) return;
  Shard& shard = shard_of(key);
  std::unique_lock lock(shard.mu);
  if (shard.entries.size() >= per_shard_ && !shard.entries.contains(key)) {
    shard.entries.erase(shard.entries.begin());
  }
  shard.entries[key] = Entry{stamp, std::move(decision)};
}

std::size_t DecisionCache::size() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace ferrum::ipxe
