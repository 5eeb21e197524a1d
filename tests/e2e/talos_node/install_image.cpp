#include "install_image.hpp"

namespace ferrum::talos_node {

std::string install_image(const std::string& uuid, const std::string& disk,
                          const std::map<std::string, std::string>& labels) {
  std::string header = "FERRUM-TALOS-NODE-PEER v1\nuuid=" + uuid + "\ndisk=" + disk + "\nlabels=";
  bool first = true;
  for (const auto& [k, v] : labels) {
    header += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  header += "\n";
  if (header.size() > kInstallHeaderBytes) header.resize(kInstallHeaderBytes);
  std::string out(kInstallImageBytes, '\0');
  out.replace(0, header.size(), header);
  for (std::size_t i = kInstallHeaderBytes; i < out.size(); ++i) {
    out[i] = static_cast<char>(i % 251);
  }
  return out;
}

bool holds_install_image(std::string_view head, const std::string& uuid) {
  std::string want = "FERRUM-TALOS-NODE-PEER v1\nuuid=" + uuid + "\n";
  return head.substr(0, want.size()) == want;
}

}  // namespace ferrum::talos_node
