#pragma once
// What the peer's "install" writes to the install disk: one MiB a test can recognise. Pure.
//
// Layout: a text header padded with NULs to 4096 bytes:
//   "FERRUM-TALOS-NODE-PEER v1\nuuid=<uuid>\ndisk=<disk>\nlabels=<k=v,...>\n"
// then, up to 1 MiB, byte i (offset from the start of the disk) = i % 251, a prime period so
// a shifted or truncated copy does not match.
#include <cstddef>
#include <map>
#include <string>

namespace ferrum::talos_node {

inline constexpr std::size_t kInstallImageBytes = 1024 * 1024;
inline constexpr std::size_t kInstallHeaderBytes = 4096;

std::string install_image(const std::string& uuid, const std::string& disk,
                          const std::map<std::string, std::string>& labels);

}  // namespace ferrum::talos_node
