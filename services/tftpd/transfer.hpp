#pragma once
// The sending side of one read transfer as a pure state machine: no sockets, no clock.
//
// Blocks are numbered absolutely from 1 (block b carries bytes [(b-1)*blksize, b*blksize));
// the wire number is b mod 65536, so numbers roll over to 0 after 65535 as tftp-hpa, atftp,
// curl and iPXE expect. A file of n bytes takes n/blksize + 1 blocks (the last one shorter
// than blksize, possibly empty).
//
// Contract (RFC 1350 lockstep is windowsize 1; RFC 7440 windows otherwise):
// - start(): the OACK if one is to be sent, else the first window.
// - on_ack(n): an ACK that acknowledges new blocks moves the window to start right after
//   it and sends it (a partial ACK of a window means the client lost the rest: RFC 7440).
//   An ACK that acknowledges nothing new (duplicate, old, or beyond what was sent) does
//   nothing: duplicates never cause duplicate sending (no Sorcerer's Apprentice).
//   The ACK of the last block completes the transfer.
// - on_timeout(): resends the OACK or the whole window from the last acknowledged block,
//   up to max_retries times in a row without progress, then gives up.
// The caller owns timers: after any step that sends, it re-arms the timeout.

#include <cstdint>

namespace ferrum::tftp {

struct TransferConfig {
  std::uint64_t size = 0;
  std::uint32_t blksize = 512;
  std::uint32_t windowsize = 1;
  bool send_oack = false;
  std::uint32_t max_retries = 5;
};

struct Step {
  enum class Action {
    kNothing,     // ignore; keep the current timer
    kSendOack,    // send (or resend) the OACK
    kSendBlocks,  // send blocks [first, last]
    kComplete,    // the client acknowledged the last block
    kGiveUp,      // retries exhausted
  };
  Action action = Action::kNothing;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  bool retransmission = false;
  bool operator==(const Step&) const = default;
};

class Transfer {
 public:
  explicit Transfer(TransferConfig config);

  Step start();
  Step on_ack(std::uint16_t block);
  Step on_timeout();

  static std::uint16_t wire_block(std::uint64_t block) {
    return static_cast<std::uint16_t>(block & 0xffff);
  }
  std::uint64_t total_blocks() const { return total_blocks_; }
  std::uint64_t acked() const { return acked_; }
  std::uint64_t sent_upto() const { return sent_upto_; }
  std::uint32_t retries() const { return retries_; }
  bool done() const { return done_; }
  const TransferConfig& config() const { return config_; }

  // The byte range of a block.
  std::uint64_t offset_of(std::uint64_t block) const { return (block - 1) * config_.blksize; }
  std::uint32_t length_of(std::uint64_t block) const;
  // Bytes of the file the client has acknowledged.
  std::uint64_t bytes_acked() const;

 private:
  Step window(bool retransmission);

  TransferConfig config_;
  std::uint64_t total_blocks_;
  std::uint64_t acked_ = 0;      // highest block acknowledged (0: none, or the OACK)
  std::uint64_t sent_upto_ = 0;  // highest block sent in the current window
  bool oack_pending_ = false;    // the OACK was sent and awaits ACK 0
  std::uint32_t retries_ = 0;
  bool done_ = false;
};

}  // namespace ferrum::tftp
