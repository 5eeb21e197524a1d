#include "netascii.hpp"

namespace ferrum::tftp {

std::vector<std::uint8_t> to_netascii(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> out;
  out.reserve(bytes.size() + bytes.size() / 16);
  for (std::uint8_t b : bytes) {
    if (b == '\n') {
      out.push_back('\r');
      out.push_back('\n');
    } else if (b == '\r') {
      out.push_back('\r');
      out.push_back('\0');
    } else {
      out.push_back(b);
    }
  }
  return out;
}

}  // namespace ferrum::tftp
