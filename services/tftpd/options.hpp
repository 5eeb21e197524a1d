#pragma once
// Option negotiation (RFC 2347): what the server grants for a read request. Pure.
//
// Contract: only options the client asked for appear in the OACK, in the client's order;
// blksize and windowsize are clamped to the server's limits; tsize answers the real size of
// what will be sent (after netascii conversion); timeout is granted as asked (the codec has
// already range-checked it). No known option asked => no OACK, RFC 1350 defaults apply.

#include <chrono>
#include <cstdint>

#include "packet.hpp"

namespace ferrum::tftp {

struct OptionLimits {
  std::uint32_t max_blksize = 1468;
  std::uint32_t max_windowsize = 64;
};

struct Negotiated {
  std::uint32_t blksize = kDefaultBlksize;
  std::uint32_t windowsize = 1;
  std::optional<std::uint32_t> timeout_seconds;  // set when the client asked for one
  OptionList oack;                               // empty: send no OACK
};

Negotiated negotiate(const Request& request, const OptionLimits& limits,
                     std::uint64_t transfer_size);

}  // namespace ferrum::tftp
