#pragma once
// Per-source-address limits of ferrum-tftpd, shared by all event loops (SO_REUSEPORT spreads
// one address's ports over the loops, so a per-loop table would multiply every limit).
//
// Why: TFTP is UDP without a handshake. One address could hold every --max-transfers slot,
// and a request of ~40 bytes with a forged source address makes the server send DATA and
// then retransmit it to that address: a reflection amplifier on the PXE LAN (a review sent
// 240 KB of requests and got 13 MB sent). Real PXE clients ask for a handful of files per
// boot, one at a time, and acknowledge what they get.
//
// Contract (a limit of 0 switches that limit off):
// - admit_request(): every request from the address (RRQ, WRQ, malformed) takes one token of
//   the address's bucket (refilled at `requests_per_second`, holding at most `request_burst`);
//   without a token the request is dropped unanswered, so a flood is not reflected 1:1 by
//   error packets either. kTableFull when the table holds `max_sources` addresses that still
//   matter (a transfer running, or a bucket not yet refilled): also dropped.
// - start_transfer() / end_transfer(): at most `max_transfers_per_source` transfers at once.
// - acknowledged(): the address acknowledged a packet, so it is a real client that hears us;
//   its retransmission budget is full again.
// - allow_unacked_retransmission(): a transfer that has not heard one ACK yet wants to
//   retransmit; each address has `unacked_retransmissions` of those until it acknowledges
//   something. Refused: the transfer is dropped instead (an address that never ACKs gets one
//   packet per admitted request, no more).
// Entries of idle addresses (no transfer, bucket full again) are forgotten, at most once a
// second and whenever the table is full, so the table holds only recent senders.
// Thread-safe; time comes from the Clock (monotonic), so tests run on ManualClock.

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "ferrum/clock.hpp"

namespace ferrum::tftp {

struct SourceLimits {
  std::int64_t max_transfers_per_source = 16;
  std::int64_t requests_per_second = 10;
  std::int64_t request_burst = 20;
  std::int64_t unacked_retransmissions = 10;
  std::int64_t max_sources = 65536;
};

// An IP address (IPv4 as v4-mapped IPv6); the port is not part of it.
using SourceAddress = std::array<std::uint8_t, 16>;

class SourceLimiter {
 public:
  enum class Verdict { kAdmit, kRateLimited, kTableFull, kTooManyTransfers };

  SourceLimiter(SourceLimits limits, const Clock& clock);

  Verdict admit_request(const SourceAddress& source);
  // kAdmit or kTooManyTransfers; an admitted transfer must be ended with end_transfer().
  Verdict start_transfer(const SourceAddress& source);
  void end_transfer(const SourceAddress& source);
  void acknowledged(const SourceAddress& source);
  bool allow_unacked_retransmission(const SourceAddress& source);

  std::size_t sources() const;
  const SourceLimits& limits() const { return limits_; }

 private:
  struct Entry {
    double tokens = 0;
    Clock::MonoTime refilled;
    std::int64_t transfers = 0;
    std::int64_t unacked_budget = 0;
  };
  struct Hash {
    std::size_t operator()(const SourceAddress& a) const;
  };

  // The address's entry, created (full bucket and budget) if there is room; nullptr if not.
  Entry* entry(const SourceAddress& source, Clock::MonoTime now);
  void refill(Entry& e, Clock::MonoTime now) const;
  bool idle(Entry& e, Clock::MonoTime now) const;
  void prune(Clock::MonoTime now);

  const SourceLimits limits_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<SourceAddress, Entry, Hash> table_;
  Clock::MonoTime last_prune_;
};

}  // namespace ferrum::tftp
