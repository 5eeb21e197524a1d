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
#include <string_view>

namespace ferrum::talos_node {

inline constexpr std::size_t kInstallImageBytes = 1024 * 1024;
inline constexpr std::size_t kInstallHeaderBytes = 4096;

std::string install_image(const std::string& uuid, const std::string& disk,
                          const std::map<std::string, std::string>& labels);

// Whether a disk starting with `head` holds the image install_image wrote for `uuid`: such a
// machine counts as installed (Talos' Machine().Installed()), so the peer skips its install.
bool holds_install_image(std::string_view head, const std::string& uuid);

}  // namespace ferrum::talos_node
