#pragma once
// The wireguard-go UAPI text protocol (wireguard.com/xplatform): requests are `key=value`
// lines ending with an empty line; replies end with `errno=N` and an empty line. Keys are
// hex. Pure encoding/decoding; uapi_device.hpp does the socket.
//
// A `set=1` is applied line by line and is not atomic, so a request is built whole and
// checked before it is sent: render_set() refuses what wireguard-go would reject midway.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/expected.hpp"
#include "wg_key.hpp"

namespace ferrum::linkd {

// One peer change. remove=true drops the peer (allowed_ips ignored); otherwise the peer is
// created or updated and its allowed IPs replaced by `allowed_ips` ("addr/len").
struct PeerChange {
  WgKey public_key;
  bool remove = false;
  std::vector<std::string> allowed_ips;
  int persistent_keepalive_seconds = 0;  // 0 = off
  bool operator==(const PeerChange&) const = default;
};

struct DeviceChange {
  std::optional<WgKey> private_key;
  std::optional<std::uint16_t> listen_port;
  bool replace_peers = false;  // drop every peer not listed
  std::vector<PeerChange> peers;
};

struct PeerStatus {
  WgKey public_key;
  std::string endpoint;
  std::int64_t last_handshake_sec = 0;  // 0 = never
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  std::vector<std::string> allowed_ips;
};

struct DeviceStatus {
  std::optional<WgKey> public_key_of_device;  // derived from private_key when present
  std::uint16_t listen_port = 0;
  std::vector<PeerStatus> peers;
};

// The whole `set=1` request, or an error naming the bad peer/field.
Expected<std::string, std::string> render_set(const DeviceChange& change);
inline constexpr std::string_view kGetRequest = "get=1\n\n";

// Parses a reply to get=1 (through the final errno line). Unknown keys are ignored (newer
// wireguard-go versions add some); errno != 0 and malformed lines are errors.
Expected<DeviceStatus, std::string> parse_get(std::string_view reply);
// Checks a reply to set=1: "" when errno=0, else the error.
std::string check_set_reply(std::string_view reply);

// True once `buffer` holds a complete reply (ends with "errno=N\n\n").
bool reply_complete(std::string_view buffer);

}  // namespace ferrum::linkd
