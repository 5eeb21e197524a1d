#include "session_pool.hpp"

namespace ferrum::bmcd {

std::string SessionPool::key_of(const IpmiEndpoint& ep) {
  // Credentials are part of the key: after a password change the old session is not reused.
  return ep.describe() + '\0' + (ep.interface == IpmiInterface::kLan ? "lan" : "lanplus") + '\0' +
         ep.user + '\0' + ep.pass;
}

std::unique_ptr<IpmiSession> SessionPool::take(const std::string& key) {
  std::unique_ptr<IpmiSession> out;
  std::list<Entry> expired;  // destroyed outside the lock (closing talks to the BMC)
  {
    std::lock_guard lock(mu_);
    auto now = clock_.monotonic();
    while (!lru_.empty() && now - lru_.back().since > max_idle_) {
      by_key_.erase(lru_.back().key);
      expired.splice(expired.end(), lru_, std::prev(lru_.end()));
    }
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      out = std::move(it->second->session);
      lru_.erase(it->second);
      by_key_.erase(it);
    }
  }
  return out;
}

void SessionPool::put(const std::string& key, std::unique_ptr<IpmiSession> s) {
  std::list<Entry> evicted;
  {
    std::lock_guard lock(mu_);
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      evicted.splice(evicted.end(), lru_, it->second);
      by_key_.erase(it);
    }
    lru_.push_front(Entry{key, std::move(s), clock_.monotonic()});
    by_key_[key] = lru_.begin();
    while (lru_.size() > capacity_) {
      by_key_.erase(lru_.back().key);
      evicted.splice(evicted.end(), lru_, std::prev(lru_.end()));
    }
  }
}

std::size_t SessionPool::idle() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace ferrum::bmcd
