#include "transfer.hpp"

#include <algorithm>
#include <cassert>

namespace ferrum::tftp {

Transfer::Transfer(TransferConfig config)
    : config_(config), total_blocks_(config.size / config.blksize + 1) {
  assert(config_.blksize > 0 && config_.windowsize > 0);
}

std::uint32_t Transfer::length_of(std::uint64_t block) const {
  std::uint64_t off = offset_of(block);
  if (off >= config_.size) return 0;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(config_.blksize, config_.size - off));
}

std::uint64_t Transfer::bytes_acked() const {
  return std::min<std::uint64_t>(config_.size, acked_ * config_.blksize);
}

Step Transfer::window(bool retransmission) {
  std::uint64_t first = acked_ + 1;
  std::uint64_t last = std::min(total_blocks_, acked_ + config_.windowsize);
  sent_upto_ = last;
  return Step{Step::Action::kSendBlocks, first, last, retransmission};
}

Step Transfer::start() {
  if (config_.send_oack) {
    oack_pending_ = true;
    return Step{Step::Action::kSendOack, 0, 0, false};
  }
  return window(false);
}

Step Transfer::on_ack(std::uint16_t block) {
  if (done_) return {};
  if (oack_pending_) {
    if (block != 0) return {};
    oack_pending_ = false;
    retries_ = 0;
    return window(false);
  }
  // The acknowledged block, if it lies in [acked_, sent_upto_]: the window is at most 65535
  // blocks, so the wire number names at most one block there.
  std::uint64_t delta = static_cast<std::uint16_t>(block - wire_block(acked_));
  std::uint64_t abs = acked_ + delta;
  if (delta == 0 || abs > sent_upto_) return {};
  acked_ = abs;
  retries_ = 0;
  if (acked_ == total_blocks_) {
    done_ = true;
    return Step{Step::Action::kComplete, 0, 0, false};
  }
  return window(false);
}

Step Transfer::on_timeout() {
  if (done_) return {};
  if (retries_ >= config_.max_retries) {
    done_ = true;
    return Step{Step::Action::kGiveUp, 0, 0, false};
  }
  ++retries_;
  if (oack_pending_) return Step{Step::Action::kSendOack, 0, 0, true};
  return window(true);
}

}  // namespace ferrum::tftp
