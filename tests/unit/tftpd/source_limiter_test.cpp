// The per-source limits of ferrum-tftpd on simulated time: the token bucket, concurrent
// transfers, the retransmission budget of an address that never ACKs, the table bound.
#include "source_limiter.hpp"

#include <gtest/gtest.h>

using namespace ferrum;
using namespace ferrum::tftp;
using V = SourceLimiter::Verdict;
using namespace std::chrono_literals;

namespace {

SourceAddress v4(std::uint8_t last) {
  SourceAddress a{};
  a[10] = 0xff;
  a[11] = 0xff;
  a[12] = 127;
  a[15] = last;
  return a;
}

SourceLimits limits(std::int64_t transfers, std::int64_t rate, std::int64_t burst,
                    std::int64_t unacked, std::int64_t sources = 65536) {
  return SourceLimits{transfers, rate, burst, unacked, sources};
}

int admitted(SourceLimiter& l, const SourceAddress& a, int tries) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += l.admit_request(a) == V::kAdmit ? 1 : 0;
  return n;
}

}  // namespace

TEST(SourceLimiter, TokenBucketBurstThenRate) {
  ManualClock clock;
  SourceLimiter l(limits(0, 10, 20, 0), clock);
  EXPECT_EQ(admitted(l, v4(2), 1000), 20);  // the burst, then nothing
  EXPECT_EQ(l.admit_request(v4(2)), V::kRateLimited);
  clock.advance(100ms);  // one token
  EXPECT_EQ(admitted(l, v4(2), 100), 1);
  clock.advance(1s);  // ten tokens
  EXPECT_EQ(admitted(l, v4(2), 100), 10);
  clock.advance(1h);  // never more than the burst
  EXPECT_EQ(admitted(l, v4(2), 100), 20);
}

TEST(SourceLimiter, OneAddressDoesNotSpendAnothersTokens) {
  ManualClock clock;
  SourceLimiter l(limits(0, 10, 20, 0), clock);
  EXPECT_EQ(admitted(l, v4(2), 10000), 20);
  EXPECT_EQ(admitted(l, v4(3), 5), 5);
}

TEST(SourceLimiter, ConcurrentTransfersPerAddress) {
  ManualClock clock;
  SourceLimiter l(limits(2, 0, 1, 0), clock);
  EXPECT_EQ(l.start_transfer(v4(2)), V::kAdmit);
  EXPECT_EQ(l.start_transfer(v4(2)), V::kAdmit);
  EXPECT_EQ(l.start_transfer(v4(2)), V::kTooManyTransfers);
  EXPECT_EQ(l.start_transfer(v4(3)), V::kAdmit);  // another address has its own
  l.end_transfer(v4(2));
  EXPECT_EQ(l.start_transfer(v4(2)), V::kAdmit);
  EXPECT_EQ(l.start_transfer(v4(2)), V::kTooManyTransfers);
}

TEST(SourceLimiter, RateZeroAndTransfersZeroSwitchTheLimitsOff) {
  ManualClock clock;
  SourceLimiter l(limits(0, 0, 1, 0), clock);
  EXPECT_EQ(admitted(l, v4(2), 5000), 5000);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(l.start_transfer(v4(2)), V::kAdmit);
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
}

TEST(SourceLimiter, AddressThatNeverAcksGetsABoundedNumberOfRetransmissions) {
  ManualClock clock;
  SourceLimiter l(limits(16, 10, 20, 3), clock);
  ASSERT_EQ(l.admit_request(v4(2)), V::kAdmit);
  ASSERT_EQ(l.start_transfer(v4(2)), V::kAdmit);
  ASSERT_EQ(l.start_transfer(v4(2)), V::kAdmit);
  // Shared by all its transfers, and time does not refill it.
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
  clock.advance(1h);
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
  EXPECT_FALSE(l.allow_unacked_retransmission(v4(2)));
  EXPECT_FALSE(l.allow_unacked_retransmission(v4(2)));
  // An ACK proves a real client: the budget is full again.
  l.acknowledged(v4(2));
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
  EXPECT_TRUE(l.allow_unacked_retransmission(v4(2)));
  EXPECT_FALSE(l.allow_unacked_retransmission(v4(2)));
  // An unknown address (no request admitted) gets nothing.
  EXPECT_FALSE(l.allow_unacked_retransmission(v4(9)));
}

TEST(SourceLimiter, TableIsBoundedAndForgetsIdleAddresses) {
  ManualClock clock;
  SourceLimiter l(limits(16, 10, 20, 3, 2), clock);
  EXPECT_EQ(l.admit_request(v4(2)), V::kAdmit);
  EXPECT_EQ(l.admit_request(v4(3)), V::kAdmit);
  ASSERT_EQ(l.start_transfer(v4(3)), V::kAdmit);
  // Both still matter (v4(2)'s bucket is not full again, v4(3) runs a transfer).
  EXPECT_EQ(l.admit_request(v4(4)), V::kTableFull);
  EXPECT_EQ(l.sources(), 2u);
  clock.advance(100ms);  // v4(2)'s bucket is full again: it can be forgotten
  EXPECT_EQ(l.admit_request(v4(4)), V::kAdmit);
  EXPECT_EQ(l.sources(), 2u);
  // A running transfer keeps its address however long it runs.
  clock.advance(1h);
  EXPECT_EQ(l.admit_request(v4(5)), V::kAdmit);  // v4(4) was idle
  EXPECT_EQ(l.admit_request(v4(6)), V::kTableFull);
  l.end_transfer(v4(3));
  EXPECT_EQ(l.admit_request(v4(6)), V::kAdmit);
}

TEST(SourceLimiter, IdleAddressesAreForgottenOverTime) {
  ManualClock clock;
  SourceLimiter l(limits(16, 10, 20, 3), clock);
  for (std::uint8_t i = 1; i < 200; ++i) ASSERT_EQ(l.admit_request(v4(i)), V::kAdmit);
  EXPECT_EQ(l.sources(), 199u);
  clock.advance(2s);  // every bucket is full again; the next call sweeps
  EXPECT_EQ(l.admit_request(v4(250)), V::kAdmit);
  EXPECT_EQ(l.sources(), 1u);
}
