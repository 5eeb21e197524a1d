#include "ferrum/siderolink_address.hpp"

#include <openssl/sha.h>

#include <boost/asio/ip/address_v6.hpp>

namespace ferrum::siderolink {

Ipv6Bytes network_prefix(std::string_view installation_id) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(installation_id.data()), installation_id.size(),
         digest.data());
  Ipv6Bytes out{};
  // The last 16 bytes of the 32-byte digest.
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = digest[digest.size() - out.size() + i];
  out[0] = 0xfd;
  out[7] = 0x03;
  for (std::size_t i = 8; i < out.size(); ++i) out[i] = 0;  // /64
  return out;
}

Ipv6Bytes server_address(std::string_view installation_id) {
  auto addr = network_prefix(installation_id);
  addr[15] = 0x01;
  return addr;
}

std::string format_ipv6(const Ipv6Bytes& addr) {
  // Boost formats per RFC 5952 (lower case, longest zero run compressed).
  return boost::asio::ip::address_v6(addr).to_string();
}

std::string network_prefix_text(std::string_view installation_id) {
  return format_ipv6(network_prefix(installation_id)) + "/64";
}

}  // namespace ferrum::siderolink
