#pragma once
// A netlink socket (libmnl) sending the messages of netlink_messages.hpp and reading the
// acknowledgements, with a receive timeout so a silent kernel cannot hang the caller.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ferrum/expected.hpp"
#include "netlink_messages.hpp"

struct mnl_socket;

namespace ferrum::linkd::nl {

class Socket {
 public:
  // bus: NETLINK_ROUTE or NETLINK_GENERIC.
  static Expected<std::unique_ptr<Socket>, std::string> open(int bus,
                                                             std::chrono::milliseconds timeout);
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  std::uint32_t next_seq() { return seq_++; }
  // Sends each message and waits for its ack; returns the first failure's errno (0 = all ok)
  // or an error for I/O problems.
  Expected<int, std::string> transact(const std::vector<Message>& msgs);
  // Sends a dump request and hands each answer message to `on_message` until NLMSG_DONE.
  std::string dump(const Message& msg,
                   const std::function<std::string(const std::uint8_t*, std::size_t)>& on_message);
  // Sends one request and hands the first answer message to `on_message`.
  std::string request(
      const Message& msg,
      const std::function<std::string(const std::uint8_t*, std::size_t)>& on_message);

 private:
  explicit Socket(mnl_socket* s) : sock_(s) {}
  mnl_socket* sock_;
  std::uint32_t seq_ = 1;
};

}  // namespace ferrum::linkd::nl
