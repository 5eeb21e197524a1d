// libFuzzer target for the netlink answers ferrum-linkd reads (services/linkd
// netlink_messages): a generic netlink family answer, a WG_CMD_GET_DEVICE dump message and an
// NLMSG_ERROR acknowledgement, each from the same bytes placed before an unreadable page (the
// attribute walk happens in libmnl, which ASan does not instrument). Checked: no read outside
// the message, no undefined behaviour, and a parsed device's peers re-encode into
// WG_CMD_SET_DEVICE messages within the size bound that parse back to the same keys.
#include <linux/netlink.h>

#include "services/linkd/netlink_messages.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/guarded_buffer.hpp"

namespace nl = ferrum::linkd::nl;
using ferrum::linkd::DeviceChange;
using ferrum::linkd::DeviceStatus;
using ferrum::linkd::PeerChange;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ferrum::fuzz::GuardedBuffer guarded;
  const std::uint8_t* msg = guarded.copy(data, size);
  if (msg == nullptr) return 0;

  int e = nl::ack_errno(msg, size);
  FUZZ_CHECK(e >= -1);
  auto family = nl::parse_genl_family_id(msg, size);
  if (family) FUZZ_CHECK(*family != 0);

  DeviceStatus status;
  auto more = nl::parse_wg_device(msg, size, status);
  if (!more) {
    FUZZ_CHECK(!more.error().empty());
    return 0;
  }
  // Re-encode what was read as a change (each peer with its allowed IPs) and read it back.
  DeviceChange change;
  for (const auto& p : status.peers) {
    change.peers.push_back(PeerChange{p.public_key, false, p.allowed_ips, 0});
  }
  auto encoded = nl::wg_set_device(0x20, 1, "wg0", change, 1024);
  if (!encoded) {
    FUZZ_CHECK(!encoded.error().empty());
    return 0;
  }
  DeviceStatus back;
  for (const auto& m : *encoded) {
    FUZZ_CHECK(m.size() <= 1024);
    auto r = nl::parse_wg_device(m.data(), m.size(), back);
    FUZZ_CHECK(r.has_value() && *r);
  }
  // Peers split over messages come back merged; the keys in order are those sent.
  std::vector<ferrum::linkd::WgKey> sent, got;
  for (const auto& p : change.peers) {
    if (sent.empty() || sent.back() != p.public_key) sent.push_back(p.public_key);
  }
  for (const auto& p : back.peers) got.push_back(p.public_key);
  FUZZ_CHECK(sent == got);
  return 0;
}
