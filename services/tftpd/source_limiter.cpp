#include "source_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace ferrum::tftp {

namespace {
constexpr auto kPruneInterval = std::chrono::seconds(1);
}

std::size_t SourceLimiter::Hash::operator()(const SourceAddress& a) const {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (auto b : a) h = (h ^ b) * 1099511628211ull;
  return static_cast<std::size_t>(h);
}

SourceLimiter::SourceLimiter(SourceLimits limits, const Clock& clock)
    : limits_(limits), clock_(clock), last_prune_(clock.monotonic()) {}

void SourceLimiter::refill(Entry& e, Clock::MonoTime now) const {
  if (limits_.requests_per_second <= 0 || now <= e.refilled) return;
  // In whole nanoseconds times the rate, so 100 ms at 10/s is exactly one token.
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - e.refilled).count();
  double earned = static_cast<double>(ns) * static_cast<double>(limits_.requests_per_second) / 1e9;
  e.tokens = std::min(static_cast<double>(limits_.request_burst), e.tokens + earned);
  e.refilled = now;
}

bool SourceLimiter::idle(Entry& e, Clock::MonoTime now) const {
  refill(e, now);
  bool bucket_full =
      limits_.requests_per_second <= 0 || e.tokens >= static_cast<double>(limits_.request_burst);
  return e.transfers == 0 && bucket_full;
}

void SourceLimiter::prune(Clock::MonoTime now) {
  last_prune_ = now;
  for (auto it = table_.begin(); it != table_.end();) {
    it = idle(it->second, now) ? table_.erase(it) : std::next(it);
  }
}

SourceLimiter::Entry* SourceLimiter::entry(const SourceAddress& source, Clock::MonoTime now) {
  if (now - last_prune_ >= kPruneInterval) prune(now);
  if (auto it = table_.find(source); it != table_.end()) {
    refill(it->second, now);
    return &it->second;
  }
  if (limits_.max_sources > 0 && table_.size() >= static_cast<std::size_t>(limits_.max_sources)) {
    prune(now);
    if (table_.size() >= static_cast<std::size_t>(limits_.max_sources)) return nullptr;
  }
  Entry e;
  e.tokens = static_cast<double>(limits_.request_burst);
  e.refilled = now;
  e.unacked_budget = limits_.unacked_retransmissions;
  return &table_.emplace(source, e).first->second;
}

SourceLimiter::Verdict SourceLimiter::admit_request(const SourceAddress& source) {
  std::lock_guard lock(mu_);
  Entry* e = entry(source, clock_.monotonic());
  if (e == nullptr) return Verdict::kTableFull;
  if (limits_.requests_per_second <= 0) return Verdict::kAdmit;
  if (e->tokens < 1) return Verdict::kRateLimited;
  e->tokens -= 1;
  return Verdict::kAdmit;
}

SourceLimiter::Verdict SourceLimiter::start_transfer(const SourceAddress& source) {
  std::lock_guard lock(mu_);
  Entry* e = entry(source, clock_.monotonic());
  if (e == nullptr) return Verdict::kTableFull;
  if (limits_.max_transfers_per_source > 0 && e->transfers >= limits_.max_transfers_per_source) {
    return Verdict::kTooManyTransfers;
  }
  ++e->transfers;
  return Verdict::kAdmit;
}

void SourceLimiter::end_transfer(const SourceAddress& source) {
  std::lock_guard lock(mu_);
  // An address with a running transfer is never pruned, so its entry is there.
  if (auto it = table_.find(source); it != table_.end() && it->second.transfers > 0) {
    --it->second.transfers;
  }
}

void SourceLimiter::acknowledged(const SourceAddress& source) {
  std::lock_guard lock(mu_);
  if (auto it = table_.find(source); it != table_.end()) {
    it->second.unacked_budget = limits_.unacked_retransmissions;
  }
}

bool SourceLimiter::allow_unacked_retransmission(const SourceAddress& source) {
  std::lock_guard lock(mu_);
  if (limits_.unacked_retransmissions <= 0) return true;
  auto it = table_.find(source);
  if (it == table_.end()) return false;
  if (it->second.unacked_budget <= 0) return false;
  --it->second.unacked_budget;
  return true;
}

std::size_t SourceLimiter::sources() const {
  std::lock_guard lock(mu_);
  return table_.size();
}

}  // namespace ferrum::tftp
