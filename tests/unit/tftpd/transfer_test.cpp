// The sending state machine: lockstep, windows, rollover, duplicates, loss and retries.
#include "transfer.hpp"

#include <gtest/gtest.h>

using namespace ferrum::tftp;
using A = Step::Action;

namespace {
Step blocks(std::uint64_t first, std::uint64_t last, bool re = false) {
  return Step{A::kSendBlocks, first, last, re};
}
const Step kNothing{};
const Step kComplete{A::kComplete, 0, 0, false};
}  // namespace

TEST(Transfer, BlockCountAndLengths) {
  Transfer t({.size = 1024, .blksize = 512});
  EXPECT_EQ(t.total_blocks(), 3u);  // 512 + 512 + an empty last block
  EXPECT_EQ(t.length_of(1), 512u);
  EXPECT_EQ(t.length_of(2), 512u);
  EXPECT_EQ(t.length_of(3), 0u);
  Transfer u({.size = 1000, .blksize = 512});
  EXPECT_EQ(u.total_blocks(), 2u);
  EXPECT_EQ(u.length_of(2), 488u);
  EXPECT_EQ(u.offset_of(2), 512u);
  Transfer empty({.size = 0, .blksize = 512});
  EXPECT_EQ(empty.total_blocks(), 1u);
  EXPECT_EQ(empty.length_of(1), 0u);
}

TEST(Transfer, LockstepWithoutOptions) {
  Transfer t({.size = 1000, .blksize = 512});
  EXPECT_EQ(t.start(), blocks(1, 1));
  EXPECT_EQ(t.on_ack(1), blocks(2, 2));
  EXPECT_EQ(t.on_ack(2), kComplete);
  EXPECT_TRUE(t.done());
  EXPECT_EQ(t.on_ack(2), kNothing);
  EXPECT_EQ(t.on_timeout(), kNothing);
}

TEST(Transfer, OackThenAckZeroStartsData) {
  Transfer t({.size = 10, .blksize = 512, .send_oack = true});
  EXPECT_EQ(t.start(), (Step{A::kSendOack, 0, 0, false}));
  EXPECT_EQ(t.on_ack(1), kNothing);  // not for the OACK
  EXPECT_EQ(t.on_timeout(), (Step{A::kSendOack, 0, 0, true}));
  EXPECT_EQ(t.on_ack(0), blocks(1, 1));
  EXPECT_EQ(t.on_ack(0), kNothing);  // duplicate ACK of the OACK
  EXPECT_EQ(t.on_ack(1), kComplete);
}

TEST(Transfer, DuplicateAckNeverResends) {
  // The Sorcerer's Apprentice: a delayed duplicate ACK must not trigger a second DATA.
  Transfer t({.size = 5000, .blksize = 512});
  EXPECT_EQ(t.start(), blocks(1, 1));
  EXPECT_EQ(t.on_ack(1), blocks(2, 2));
  EXPECT_EQ(t.on_ack(1), kNothing);
  EXPECT_EQ(t.on_ack(2), blocks(3, 3));
  EXPECT_EQ(t.on_ack(1), kNothing);  // old
  EXPECT_EQ(t.on_ack(2), kNothing);  // duplicate
  EXPECT_EQ(t.on_ack(7), kNothing);  // never sent
  EXPECT_EQ(t.acked(), 2u);
}

TEST(Transfer, WindowedSendingAndCompletion) {
  Transfer t({.size = 10 * 512 + 3, .blksize = 512, .windowsize = 4, .send_oack = true});
  EXPECT_EQ(t.total_blocks(), 11u);
  EXPECT_EQ(t.start().action, A::kSendOack);
  EXPECT_EQ(t.on_ack(0), blocks(1, 4));
  EXPECT_EQ(t.on_ack(4), blocks(5, 8));
  EXPECT_EQ(t.on_ack(8), blocks(9, 11));  // the last window is short
  EXPECT_EQ(t.on_ack(11), kComplete);
}

TEST(Transfer, PartialWindowAckRestartsAfterIt) {
  // RFC 7440: the client acknowledges the last block it got in order; send from there.
  Transfer t({.size = 100 * 512, .blksize = 512, .windowsize = 8});
  EXPECT_EQ(t.start(), blocks(1, 8));
  EXPECT_EQ(t.on_ack(5), blocks(6, 13));
  EXPECT_EQ(t.on_ack(5), kNothing);  // the same partial ACK again: nothing new
  EXPECT_EQ(t.on_ack(3), kNothing);  // older
  EXPECT_EQ(t.on_ack(13), blocks(14, 21));
}

TEST(Transfer, TimeoutResendsWindowFromLastAckThenGivesUp) {
  Transfer t({.size = 100 * 512, .blksize = 512, .windowsize = 4, .max_retries = 2});
  EXPECT_EQ(t.start(), blocks(1, 4));
  EXPECT_EQ(t.on_ack(2), blocks(3, 6));
  EXPECT_EQ(t.on_timeout(), blocks(3, 6, true));
  EXPECT_EQ(t.retries(), 1u);
  EXPECT_EQ(t.on_timeout(), blocks(3, 6, true));
  EXPECT_EQ(t.on_timeout(), (Step{A::kGiveUp, 0, 0, false}));
  EXPECT_TRUE(t.done());
  EXPECT_EQ(t.on_ack(6), kNothing);
}

TEST(Transfer, ProgressResetsRetries) {
  Transfer t({.size = 100 * 512, .blksize = 512, .max_retries = 1});
  t.start();
  EXPECT_EQ(t.on_timeout(), blocks(1, 1, true));
  EXPECT_EQ(t.on_ack(1), blocks(2, 2));
  EXPECT_EQ(t.retries(), 0u);
  EXPECT_EQ(t.on_timeout(), blocks(2, 2, true));
  EXPECT_EQ(t.on_timeout().action, A::kGiveUp);
}

TEST(Transfer, ZeroRetriesGivesUpAtFirstTimeout) {
  Transfer t({.size = 10, .blksize = 512, .max_retries = 0});
  t.start();
  EXPECT_EQ(t.on_timeout().action, A::kGiveUp);
}

TEST(Transfer, BlockNumbersRollOverToZero) {
  // 70000 blocks of 8 bytes plus the empty last block.
  const std::uint64_t n = 70000;
  Transfer t({.size = n * 8, .blksize = 8});
  EXPECT_EQ(t.total_blocks(), n + 1);
  EXPECT_EQ(Transfer::wire_block(65535), 65535);
  EXPECT_EQ(Transfer::wire_block(65536), 0);
  EXPECT_EQ(Transfer::wire_block(65537), 1);
  Step s = t.start();
  for (std::uint64_t b = 1; b <= n; ++b) {
    ASSERT_EQ(s, blocks(b, b));
    s = t.on_ack(Transfer::wire_block(b));
  }
  EXPECT_EQ(s, blocks(n + 1, n + 1));
  EXPECT_EQ(t.on_ack(Transfer::wire_block(n + 1)), kComplete);
}

TEST(Transfer, WindowAcrossRolloverAndOldAckAfterWrap) {
  Transfer t({.size = 70000ull * 512, .blksize = 512, .windowsize = 7});
  Step s = t.start();
  while (s.last < 65536) s = t.on_ack(Transfer::wire_block(s.last));
  // s spans the wrap: wire numbers 65530.. then 0, 1, ...
  EXPECT_LE(s.first, 65535u);
  EXPECT_GT(s.last, 65536u);
  std::uint64_t acked = t.acked();
  // An ACK for the wire number of the block before the window (already acked) is ignored.
  EXPECT_EQ(t.on_ack(Transfer::wire_block(acked)), kNothing);
  // The ACK of the wrapped block 65536 (wire 0) is progress.
  Step next = t.on_ack(0);
  EXPECT_EQ(next, blocks(65537, 65536 + 7));
  EXPECT_EQ(t.acked(), 65536u);
}

TEST(Transfer, BytesAcked) {
  Transfer t({.size = 1000, .blksize = 512});
  t.start();
  EXPECT_EQ(t.bytes_acked(), 0u);
  t.on_ack(1);
  EXPECT_EQ(t.bytes_acked(), 512u);
  t.on_ack(2);
  EXPECT_EQ(t.bytes_acked(), 1000u);
}
