#pragma once
// Netlink messages ferrum-linkd sends, built with libmnl into plain byte buffers so the
// layout is unit-tested without a socket (netlink_socket.hpp sends them):
// - generic netlink: resolve the "wireguard" family; WG_CMD_SET_DEVICE / WG_CMD_GET_DEVICE
//   with the attributes documented in <linux/wireguard.h>;
// - rtnetlink: create a link of a kind ("wireguard"), set a link up, add an IPv6 address.
//
// A netlink message is bounded (the kernel reads one socket buffer at a time), so a device
// change with many peers is split over several WG_CMD_SET_DEVICE messages, as wg(8) does:
// only the first carries private key, port and WGDEVICE_F_REPLACE_PEERS; every message
// carries the interface name and whole peers (a peer is never split).

#include <cstdint>
#include <string>
#include <vector>

#include "ferrum/expected.hpp"
#include "ferrum/siderolink_address.hpp"
#include "uapi_codec.hpp"

namespace ferrum::linkd::nl {

using Message = std::vector<std::uint8_t>;

inline constexpr std::size_t kMaxMessageBytes = 8192;

Message genl_get_family(std::uint32_t seq, const std::string& family_name);
// The family id from a CTRL_CMD_NEWFAMILY answer; an error for NLMSG_ERROR answers.
// The parsers read only the `len` bytes given: a message claiming more (nlmsg_len) is an
// error, and attributes whose payload is too short for their type are ignored.
Expected<std::uint16_t, std::string> parse_genl_family_id(const std::uint8_t* data,
                                                          std::size_t len);

// The error is about a peer's allowed IP that is not an address/len.
Expected<std::vector<Message>, std::string> wg_set_device(std::uint16_t family,
                                                          std::uint32_t first_seq,
                                                          const std::string& ifname,
                                                          const DeviceChange& change,
                                                          std::size_t max_bytes = kMaxMessageBytes);
Message wg_get_device(std::uint16_t family, std::uint32_t seq, const std::string& ifname);
// Adds one WG_CMD_GET_DEVICE answer message (a dump may be several) to `status`.
Expected<bool, std::string> parse_wg_device(const std::uint8_t* data, std::size_t len,
                                            DeviceStatus& status);

Message rtnl_new_link(std::uint32_t seq, const std::string& ifname, const std::string& kind);
Message rtnl_set_up(std::uint32_t seq, int ifindex);
// IFA_F_NODAD: the address is usable at once (linkd binds its listeners to it).
Message rtnl_add_address6(std::uint32_t seq, int ifindex, const siderolink::Ipv6Bytes& addr,
                          int prefix_len);

// The errno of an NLMSG_ERROR acknowledgement (0 = success); -1 if `data` is no ack; EPROTO
// for an ack whose error field is no -errno.
int ack_errno(const std::uint8_t* data, std::size_t len);

}  // namespace ferrum::linkd::nl
