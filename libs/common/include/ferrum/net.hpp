#pragma once
// Listen addresses as operators write them: "0.0.0.0:69", "[::1]:8081", ":9091" (all
// interfaces), "localhost:6443". Listen addresses are literal IPs (no DNS at start-up).

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferrum/expected.hpp"

namespace ferrum::net {

struct HostPort {
  std::string host;  // as written, without brackets; empty means all interfaces
  std::uint16_t port = 0;
};

// Splits "host:port"; the error names what is wrong ("missing port", "port 70000 out of range").
Expected<HostPort, std::string> parse_host_port(std::string_view text);

// A HostPort whose host is an IP literal, "localhost" or empty (=> "::" dual-stack when
// `any_v6`, else 0.0.0.0).
Expected<boost::asio::ip::address, std::string> listen_address(const HostPort& hp,
                                                               bool any_v6 = false);

// Opens, binds (SO_REUSEADDR) and listens `acceptor` on `listen` ("host:port"); returns the
// bound port (useful with port 0). Errors read "--<flag> <listen>: <reason>".
Expected<std::uint16_t, std::string> listen_tcp(boost::asio::ip::tcp::acceptor& acceptor,
                                                const std::string& listen, const std::string& flag);

// "host:port" with brackets for IPv6.
std::string format_host_port(const std::string& host, std::uint16_t port);

}  // namespace ferrum::net
