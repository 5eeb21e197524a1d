#include "netlink_socket.hpp"

#include <fmt/format.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace ferrum::linkd::nl {

Expected<std::unique_ptr<Socket>, std::string> Socket::open(int bus,
                                                            std::chrono::milliseconds timeout) {
  mnl_socket* s = mnl_socket_open(bus);
  if (s == nullptr) return unexpected(fmt::format("netlink socket: {}", std::strerror(errno)));
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    mnl_socket_close(s);
    return unexpected(fmt::format("netlink bind: {}", std::strerror(e)));
  }
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  // Extended acks: the kernel says which attribute it refused.
  setsockopt(mnl_socket_get_fd(s), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  return std::unique_ptr<Socket>(new Socket(s));
}

Socket::~Socket() { mnl_socket_close(sock_); }

namespace {

// Reads messages until `done` says so; each datagram may hold several.
std::string read_until(mnl_socket* sock, std::uint32_t seq,
                       const std::function<std::string(const nlmsghdr*, bool* done)>& on_message) {
  std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE * 4);
  bool done = false;
  while (!done) {
    ssize_t n = mnl_socket_recvfrom(sock, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return "netlink: no answer before the timeout";
      return fmt::format("netlink receive: {}", std::strerror(errno));
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != seq) continue;  // a late answer to an earlier, timed-out request
      if (auto e = on_message(nlh, &done); !e.empty()) return e;
      if (done) break;
    }
  }
  return {};
}

}  // namespace

Expected<int, std::string> Socket::transact(const std::vector<Message>& msgs) {
  for (const auto& m : msgs) {
    auto seq = reinterpret_cast<const nlmsghdr*>(m.data())->nlmsg_seq;
    if (mnl_socket_sendto(sock_, m.data(), m.size()) < 0) {
      return unexpected(fmt::format("netlink send: {}", std::strerror(errno)));
    }
    int result = -1;
    auto err = read_until(sock_, seq, [&](const nlmsghdr* nlh, bool* done) -> std::string {
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        result = ack_errno(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
        *done = true;
      }
      return {};
    });
    if (!err.empty()) return unexpected(err);
    if (result != 0) return result;
  }
  return 0;
}

std::string Socket::dump(
    const Message& msg,
    const std::function<std::string(const std::uint8_t*, std::size_t)>& on_message) {
  auto seq = reinterpret_cast<const nlmsghdr*>(msg.data())->nlmsg_seq;
  if (mnl_socket_sendto(sock_, msg.data(), msg.size()) < 0) {
    return fmt::format("netlink send: {}", std::strerror(errno));
  }
  return read_until(sock_, seq, [&](const nlmsghdr* nlh, bool* done) -> std::string {
    if (nlh->nlmsg_type == NLMSG_DONE) {
      *done = true;
      return {};
    }
    if (nlh->nlmsg_type == NLMSG_ERROR) {
      *done = true;
      int e = ack_errno(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
      return e == 0 ? std::string() : fmt::format("netlink dump: {}", std::strerror(e));
    }
    return on_message(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
  });
}

std::string Socket::request(
    const Message& msg,
    const std::function<std::string(const std::uint8_t*, std::size_t)>& on_message) {
  auto seq = reinterpret_cast<const nlmsghdr*>(msg.data())->nlmsg_seq;
  if (mnl_socket_sendto(sock_, msg.data(), msg.size()) < 0) {
    return fmt::format("netlink send: {}", std::strerror(errno));
  }
  bool answered = false;
  return read_until(sock_, seq, [&](const nlmsghdr* nlh, bool* done) -> std::string {
    if (nlh->nlmsg_type == NLMSG_ERROR) {
      *done = true;
      int e = ack_errno(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
      if (e == 0 && answered) return {};
      if (e == 0) return "netlink: acknowledged without an answer";
      return on_message(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
    }
    answered = true;
    return on_message(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
  });
}

}  // namespace ferrum::linkd::nl
