#pragma once
// IPMI sessions kept open between calls, one per BMC and login, so a burst of calls costs one
// RMCP+ handshake instead of one each.
//
// Contract: take() hands out the idle session for a key (or nothing) and forgets sessions idle
// longer than `max_idle` (BMCs drop sessions after their own inactivity timeout, commonly
// 60 s; reusing one the BMC already dropped costs a timeout). put() returns a healthy session;
// a session that failed is simply destroyed instead. At most `capacity` idle sessions are
// kept (the least recently used goes first). Thread-safe.

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ferrum/clock.hpp"
#include "ipmi.hpp"

namespace ferrum::bmcd {

class SessionPool {
 public:
  SessionPool(std::chrono::milliseconds max_idle, std::size_t capacity, Clock& clock)
      : max_idle_(max_idle), capacity_(capacity), clock_(clock) {}

  static std::string key_of(const IpmiEndpoint& ep);

  std::unique_ptr<IpmiSession> take(const std::string& key);
  void put(const std::string& key, std::unique_ptr<IpmiSession> s);
  std::size_t idle() const;

 private:
  struct Entry {
    std::string key;
    std::unique_ptr<IpmiSession> session;
    Clock::MonoTime since;
  };
  std::chrono::milliseconds max_idle_;
  std::size_t capacity_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recently returned
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
};

}  // namespace ferrum::bmcd
