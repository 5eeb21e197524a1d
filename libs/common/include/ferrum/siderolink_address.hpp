#pragma once
// SideroLink addressing (DESIGN.md 4.5), shared by ferrum-linkd (which hands the addresses
// out) and ferrum-metadata (which tells nodes where to send logs and events).
//
// Contract: the installation's /64 prefix is the last 16 bytes of sha256(installation-id)
// with byte 0 = 0xfd (a ULA) and byte 7 = 0x03, masked to /64; the link server is prefix::1.
// The same installation-id always yields the same addresses, so nodes keep their tunnel
// addresses across restarts of every daemon. Pure functions, no I/O.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferrum/contract.hpp"

namespace ferrum::siderolink {

// The contract between ferrum-linkd and its readers, under the names SideroLink code uses;
// the values are contract.hpp's.
inline constexpr std::string_view kDefaultInstallationSecret = contract::kLinkInstallationSecret;
inline constexpr std::string_view kInstallationIdKey = contract::kLinkInstallationIdKey;
inline constexpr std::string_view kPrivateKeyKey = contract::kLinkPrivateKeyKey;
inline constexpr std::uint16_t kLogsPort = contract::kLinkLogsPort;
inline constexpr std::uint16_t kEventsPort = contract::kLinkEventsPort;
inline constexpr std::uint16_t kProvisionApiPort = contract::kLinkApiPort;

using Ipv6Bytes = std::array<std::uint8_t, 16>;

// The /64 network (low 64 bits zero).
Ipv6Bytes network_prefix(std::string_view installation_id);

// prefix::1, where ferrum-linkd listens on the tunnel (kmsg logs, event sink).
Ipv6Bytes server_address(std::string_view installation_id);

// RFC 5952 text ("fd3e:...:1"), without brackets or prefix length.
std::string format_ipv6(const Ipv6Bytes& addr);

// "fdxx:xxxx:xxxx:xx03::/64".
std::string network_prefix_text(std::string_view installation_id);

}  // namespace ferrum::siderolink
