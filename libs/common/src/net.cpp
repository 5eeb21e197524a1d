#include "ferrum/net.hpp"

#include <charconv>

namespace ferrum::net {

Expected<HostPort, std::string> parse_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port_text;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return unexpected(std::string("missing ']' after IPv6 address"));
    hp.host = std::string(text.substr(1, close - 1));
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return unexpected(std::string("missing port after ']' (want [addr]:port)"));
    }
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return unexpected(std::string("missing port (want host:port)"));
    if (text.find(':') != colon) {
      return unexpected(std::string("IPv6 addresses need brackets (want [addr]:port)"));
    }
    hp.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned long port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size()) {
    return unexpected("invalid port \"" + std::string(port_text) + "\"");
  }
  if (port > 65535) return unexpected("port " + std::string(port_text) + " out of range (0-65535)");
  hp.port = static_cast<std::uint16_t>(port);
  return hp;
}

Expected<boost::asio::ip::address, std::string> listen_address(const HostPort& hp, bool any_v6) {
  if (hp.host.empty()) {
    return any_v6 ? boost::asio::ip::address(boost::asio::ip::address_v6::any())
                  : boost::asio::ip::address(boost::asio::ip::address_v4::any());
  }
  if (hp.host == "localhost") return boost::asio::ip::address(boost::asio::ip::address_v4::loopback());
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(hp.host, ec);
  if (ec) return unexpected("\"" + hp.host + "\" is not an IP address");
  return addr;
}

Expected<std::uint16_t, std::string> listen_tcp(boost::asio::ip::tcp::acceptor& acceptor,
                                                const std::string& listen, const std::string& flag) {
  auto fail = [&](const std::string& why) { return unexpected("--" + flag + " " + listen + ": " + why); };
  auto hp = parse_host_port(listen);
  if (!hp) return fail(hp.error());
  auto addr = listen_address(*hp);
  if (!addr) return fail(addr.error());
  boost::system::error_code ec;
  boost::asio::ip::tcp::endpoint ep(*addr, hp->port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec.message());
  return acceptor.local_endpoint().port();
}

std::string format_host_port(const std::string& host, std::uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace ferrum::net
