#pragma once
// Netascii encoding (RFC 1350, after RFC 764): LF becomes CR LF and a bare CR becomes CR NUL,
// so a client that decodes (CR LF -> LF, CR NUL -> CR) gets the original bytes back.

#include <cstdint>
#include <span>
#include <vector>

namespace ferrum::tftp {

std::vector<std::uint8_t> to_netascii(std::span<const std::uint8_t> bytes);

}  // namespace ferrum::tftp
