#include "netlink_messages.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include <cstring>

namespace ferrum::linkd::nl {

namespace {

struct Builder {
  explicit Builder(std::size_t cap) : buf(cap, 0) {}
  nlmsghdr* start(std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
    nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    return nlh;
  }
  Message done() {
    buf.resize(nlh->nlmsg_len);
    return std::move(buf);
  }
  Message buf;
  nlmsghdr* nlh = nullptr;
};

// The header and the length it claims lie inside the `len` bytes received, and there is
// room for the generic netlink header: libmnl walks attributes up to nlmsg_len without
// looking at the buffer's size. Compared unsigned: mnl_nlmsg_ok casts nlmsg_len to int, so
// a length of 0x80000001 passed it as negative.
bool whole_message(const nlmsghdr* nlh, std::size_t len) {
  if (len < sizeof(nlmsghdr)) return false;
  return nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(genlmsghdr) && nlh->nlmsg_len <= len;
}

void put_genl_header(nlmsghdr* nlh, std::uint8_t cmd, std::uint8_t version) {
  auto* g = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
  g->cmd = cmd;
  g->version = version;
}

struct Cidr {
  int family = 0;
  std::uint8_t addr[16]{};
  std::uint8_t len = 0;
};

Expected<Cidr, std::string> parse_cidr(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return unexpected("\"" + s + "\" has no /len");
  std::string host = s.substr(0, slash);
  Cidr c;
  int max = 0;
  if (inet_pton(AF_INET6, host.c_str(), c.addr) == 1) {
    c.family = AF_INET6;
    max = 128;
  } else if (inet_pton(AF_INET, host.c_str(), c.addr) == 1) {
    c.family = AF_INET;
    max = 32;
  } else {
    return unexpected("\"" + s + "\" is not an IP address");
  }
  int len = -1;
  try {
    std::size_t used = 0;
    len = std::stoi(s.substr(slash + 1), &used);
    if (used != s.size() - slash - 1) len = -1;
  } catch (const std::exception&) {
    len = -1;
  }
  if (len < 0 || len > max) return unexpected("\"" + s + "\" has a bad prefix length");
  c.len = static_cast<std::uint8_t>(len);
  return c;
}

// Appends one peer as a nested attribute; false (and nothing appended) when it does not fit.
bool put_peer(nlmsghdr* nlh, std::size_t cap, const PeerChange& p, const std::vector<Cidr>& ips) {
  nlattr* peer = mnl_attr_nest_start_check(nlh, cap, 0);
  if (peer == nullptr) return false;
  bool ok = mnl_attr_put_check(nlh, cap, WGPEER_A_PUBLIC_KEY, p.public_key.bytes.size(),
                               p.public_key.bytes.data());
  std::uint32_t flags = p.remove ? WGPEER_F_REMOVE_ME : WGPEER_F_REPLACE_ALLOWEDIPS;
  ok = ok && mnl_attr_put_u32_check(nlh, cap, WGPEER_A_FLAGS, flags);
  if (!p.remove) {
    ok = ok && mnl_attr_put_u16_check(nlh, cap, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
                                      static_cast<std::uint16_t>(p.persistent_keepalive_seconds));
    nlattr* list = ok ? mnl_attr_nest_start_check(nlh, cap, WGPEER_A_ALLOWEDIPS) : nullptr;
    ok = ok && list != nullptr;
    for (const auto& c : ips) {
      if (!ok) break;
      nlattr* one = mnl_attr_nest_start_check(nlh, cap, 0);
      ok = one != nullptr &&
           mnl_attr_put_u16_check(nlh, cap, WGALLOWEDIP_A_FAMILY,
                                  static_cast<std::uint16_t>(c.family)) &&
           mnl_attr_put_check(nlh, cap, WGALLOWEDIP_A_IPADDR, c.family == AF_INET6 ? 16 : 4,
                              c.addr) &&
           mnl_attr_put_u8_check(nlh, cap, WGALLOWEDIP_A_CIDR_MASK, c.len);
      if (ok) mnl_attr_nest_end(nlh, one);
    }
    if (ok) mnl_attr_nest_end(nlh, list);
  }
  if (!ok) {
    mnl_attr_nest_cancel(nlh, peer);
    return false;
  }
  mnl_attr_nest_end(nlh, peer);
  return true;
}

}  // namespace

Message genl_get_family(std::uint32_t seq, const std::string& family_name) {
  Builder b(512);
  auto* nlh = b.start(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq);
  put_genl_header(nlh, CTRL_CMD_GETFAMILY, 1);
  mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family_name.c_str());
  return b.done();
}

Expected<std::uint16_t, std::string> parse_genl_family_id(const std::uint8_t* data,
                                                          std::size_t len) {
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(data);
  if (!whole_message(nlh, len)) return unexpected(std::string("short netlink answer"));
  if (nlh->nlmsg_type == NLMSG_ERROR) {
    int e = ack_errno(data, len);
    return unexpected(fmt::format("generic netlink family lookup failed: {}", std::strerror(e)));
  }
  std::uint16_t id = 0;
  auto cb = [](const nlattr* attr, void* out) -> int {
    if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
        mnl_attr_validate(attr, MNL_TYPE_U16) == 0) {
      *static_cast<std::uint16_t*>(out) = mnl_attr_get_u16(attr);
    }
    return MNL_CB_OK;
  };
  mnl_attr_parse(nlh, sizeof(genlmsghdr), cb, &id);
  if (id == 0) return unexpected(std::string("family answer has no CTRL_ATTR_FAMILY_ID"));
  return id;
}

Expected<std::vector<Message>, std::string> wg_set_device(std::uint16_t family,
                                                          std::uint32_t first_seq,
                                                          const std::string& ifname,
                                                          const DeviceChange& change,
                                                          std::size_t max_bytes) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return unexpected(
        fmt::format("interface name \"{}\" must have 1..{} characters", ifname, IFNAMSIZ - 1));
  }
  std::vector<std::vector<Cidr>> ips(change.peers.size());
  for (std::size_t i = 0; i < change.peers.size(); ++i) {
    if (change.peers[i].remove) continue;
    for (const auto& s : change.peers[i].allowed_ips) {
      auto c = parse_cidr(s);
      if (!c) {
        return unexpected(
            fmt::format("peer {}: allowed IP {}", change.peers[i].public_key.base64(), c.error()));
      }
      ips[i].push_back(*c);
    }
  }
  std::vector<Message> out;
  std::size_t next = 0;
  std::uint32_t seq = first_seq;
  do {
    Builder b(max_bytes);
    auto* nlh = b.start(family, NLM_F_REQUEST | NLM_F_ACK, seq++);
    put_genl_header(nlh, WG_CMD_SET_DEVICE, WG_GENL_VERSION);
    mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname.c_str());
    if (out.empty()) {
      mnl_attr_put_u32(nlh, WGDEVICE_A_FLAGS, change.replace_peers ? WGDEVICE_F_REPLACE_PEERS : 0);
      if (change.private_key) {
        mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, 32, change.private_key->bytes.data());
      }
      if (change.listen_port) mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, *change.listen_port);
    }
    if (next < change.peers.size()) {
      nlattr* peers = mnl_attr_nest_start_check(nlh, max_bytes, WGDEVICE_A_PEERS);
      std::size_t before = next;
      while (peers != nullptr && next < change.peers.size() &&
             put_peer(nlh, max_bytes, change.peers[next], ips[next])) {
        ++next;
      }
      if (next == before) {
        return unexpected(fmt::format("peer {} does not fit in a {}-byte netlink message",
                                      change.peers[next].public_key.base64(), max_bytes));
      }
      mnl_attr_nest_end(nlh, peers);
    }
    out.push_back(b.done());
  } while (next < change.peers.size());
  return out;
}

Message wg_get_device(std::uint16_t family, std::uint32_t seq, const std::string& ifname) {
  Builder b(512);
  auto* nlh = b.start(family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, seq);
  put_genl_header(nlh, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
  mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname.c_str());
  return b.done();
}

namespace {

// libmnl's mnl_attr_for_each_nested relies on C's implicit void* conversion.
template <typename F>
void for_each_nested(const nlattr* nest, F f) {
  const auto* begin = static_cast<const char*>(mnl_attr_get_payload(nest));
  const char* end = begin + mnl_attr_get_payload_len(nest);
  for (const auto* a = reinterpret_cast<const nlattr*>(begin);
       mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a)));
       a = mnl_attr_next(a)) {
    f(a);
  }
}

struct ParseState {
  DeviceStatus* status;
  std::string error;
};

int parse_allowed_ip(const nlattr* attr, void* data) {
  auto* peer = static_cast<PeerStatus*>(data);
  int family = 0;
  const nlattr* addr = nullptr;
  int mask = -1;
  auto cb = [](const nlattr* a, void* d) -> int {
    auto* t = static_cast<std::tuple<int*, const nlattr**, int*>*>(d);
    switch (mnl_attr_get_type(a)) {
      case WGALLOWEDIP_A_FAMILY:
        if (mnl_attr_validate(a, MNL_TYPE_U16) == 0) *std::get<0>(*t) = mnl_attr_get_u16(a);
        break;
      case WGALLOWEDIP_A_IPADDR:
        *std::get<1>(*t) = a;
        break;
      case WGALLOWEDIP_A_CIDR_MASK:
        if (mnl_attr_validate(a, MNL_TYPE_U8) == 0) *std::get<2>(*t) = mnl_attr_get_u8(a);
        break;
      default:
        break;
    }
    return MNL_CB_OK;
  };
  std::tuple<int*, const nlattr**, int*> t{&family, &addr, &mask};
  mnl_attr_parse_nested(attr, cb, &t);
  if (addr == nullptr || mask < 0) return MNL_CB_OK;
  // The address must be as long as its family says (inet_ntop reads 4 or 16 bytes).
  std::size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
  if (want == 0 || mnl_attr_get_payload_len(addr) != want) return MNL_CB_OK;
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, mnl_attr_get_payload(addr), text, sizeof text) != nullptr) {
    peer->allowed_ips.push_back(fmt::format("{}/{}", text, mask));
  }
  return MNL_CB_OK;
}

int parse_peer_attr(const nlattr* a, void* data) {
  auto* peer = static_cast<PeerStatus*>(data);
  switch (mnl_attr_get_type(a)) {
    case WGPEER_A_PUBLIC_KEY:
      if (mnl_attr_get_payload_len(a) == 32) {
        std::memcpy(peer->public_key.bytes.data(), mnl_attr_get_payload(a), 32);
      }
      break;
    case WGPEER_A_LAST_HANDSHAKE_TIME:
      if (mnl_attr_get_payload_len(a) == sizeof(__kernel_timespec)) {
        __kernel_timespec ts;
        std::memcpy(&ts, mnl_attr_get_payload(a), sizeof ts);
        peer->last_handshake_sec = ts.tv_sec;
      }
      break;
    case WGPEER_A_RX_BYTES:
      if (mnl_attr_validate(a, MNL_TYPE_U64) == 0) peer->rx_bytes = mnl_attr_get_u64(a);
      break;
    case WGPEER_A_TX_BYTES:
      if (mnl_attr_validate(a, MNL_TYPE_U64) == 0) peer->tx_bytes = mnl_attr_get_u64(a);
      break;
    case WGPEER_A_ALLOWEDIPS: {
      for_each_nested(a, [peer](const nlattr* ip) { parse_allowed_ip(ip, peer); });
      break;
    }
    default:
      break;
  }
  return MNL_CB_OK;
}

int parse_device_attr(const nlattr* a, void* data) {
  auto* st = static_cast<ParseState*>(data);
  switch (mnl_attr_get_type(a)) {
    case WGDEVICE_A_LISTEN_PORT:
      if (mnl_attr_validate(a, MNL_TYPE_U16) == 0) st->status->listen_port = mnl_attr_get_u16(a);
      break;
    case WGDEVICE_A_PUBLIC_KEY:
      if (mnl_attr_get_payload_len(a) == 32) {
        WgKey k;
        std::memcpy(k.bytes.data(), mnl_attr_get_payload(a), 32);
        st->status->public_key_of_device = k;
      }
      break;
    case WGDEVICE_A_PEERS: {
      for_each_nested(a, [st](const nlattr* p) {
        PeerStatus peer;
        mnl_attr_parse_nested(p, parse_peer_attr, &peer);
        // A peer split over dump messages repeats its key; merge its allowed IPs.
        auto& peers = st->status->peers;
        if (!peers.empty() && peers.back().public_key == peer.public_key) {
          for (auto& ip : peer.allowed_ips) peers.back().allowed_ips.push_back(std::move(ip));
        } else {
          peers.push_back(std::move(peer));
        }
      });
      break;
    }
    default:
      break;
  }
  return MNL_CB_OK;
}

}  // namespace

Expected<bool, std::string> parse_wg_device(const std::uint8_t* data, std::size_t len,
                                            DeviceStatus& status) {
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(data);
  if (!whole_message(nlh, len)) return unexpected(std::string("short netlink answer"));
  if (nlh->nlmsg_type == NLMSG_DONE) return false;
  if (nlh->nlmsg_type == NLMSG_ERROR) {
    int e = ack_errno(data, len);
    if (e == 0) return false;
    return unexpected(fmt::format("WG_CMD_GET_DEVICE failed: {}", std::strerror(e)));
  }
  ParseState st{&status, {}};
  mnl_attr_parse(nlh, sizeof(genlmsghdr), parse_device_attr, &st);
  return true;
}

Message rtnl_new_link(std::uint32_t seq, const std::string& ifname, const std::string& kind) {
  Builder b(512);
  auto* nlh = b.start(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname.c_str());
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind.c_str());
  mnl_attr_nest_end(nlh, info);
  return b.done();
}

Message rtnl_set_up(std::uint32_t seq, int ifindex) {
  Builder b(256);
  auto* nlh = b.start(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  return b.done();
}

Message rtnl_add_address6(std::uint32_t seq, int ifindex, const siderolink::Ipv6Bytes& addr,
                          int prefix_len) {
  Builder b(256);
  auto* nlh = b.start(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq);
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET6;
  ifa->ifa_prefixlen = static_cast<std::uint8_t>(prefix_len);
  ifa->ifa_flags = IFA_F_NODAD;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<std::uint32_t>(ifindex);
  mnl_attr_put(nlh, IFA_LOCAL, 16, addr.data());
  mnl_attr_put(nlh, IFA_ADDRESS, 16, addr.data());
  mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
  return b.done();
}

int ack_errno(const std::uint8_t* data, std::size_t len) {
  if (len < sizeof(nlmsghdr) + sizeof(nlmsgerr)) return -1;
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(data);
  if (nlh->nlmsg_type != NLMSG_ERROR) return -1;
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  // The kernel sends 0 or -errno (errno below 4096); anything else is a malformed answer,
  // and negating INT_MIN would be undefined.
  if (err->error > 0 || err->error < -4095) return EPROTO;
  return -err->error;
}

}  // namespace ferrum::linkd::nl
