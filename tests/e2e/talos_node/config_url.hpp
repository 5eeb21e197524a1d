#pragma once
// The talos.config= URL as Talos' metal platform completes it before downloading: variables in
// query values are replaced by the machine's values, and an empty `uuid=` gets the SMBIOS UUID.
// Pure, no I/O.
//
// Upstream (siderolabs/talos v1.8):
//   internal/app/machined/pkg/runtime/v1alpha1/platform/metal/url/variable.go  Matches, Replace
//   internal/app/machined/pkg/runtime/v1alpha1/platform/metal/url/url.go       PopulateVariables
//   net/url (Go) ParseQuery / Values.Encode: keys sorted, QueryEscape'd, '+' for a space.

#include <optional>
#include <string>
#include <string_view>

namespace ferrum::talos_node {

// What the node knows about itself; an empty optional is a value Talos would still wait for
// (the peer never waits: the variable is left in place).
struct UrlValues {
  std::optional<std::string> uuid;      // ${uuid} and an empty uuid=: SMBIOS product_uuid
  std::optional<std::string> serial;    // ${serial}: SMBIOS product_serial
  std::optional<std::string> mac;       // ${mac}: first NIC, "12:34:56:78:90:ab"
  std::optional<std::string> hostname;  // ${hostname}
  std::optional<std::string> code;      // ${code}: a META key in Talos; the peer has none
};

// Talos' PopulateVariables: when no variable matches, the URL comes back byte for byte;
// otherwise the query is re-encoded (sorted keys) with every variable that has a value
// replaced. Variable names match case-insensitively (`${UUId}`); `uuid=` (the one legacy
// match-on-argument variable) matches when the key has no value or a blank one.
std::string populate_config_url(std::string_view url, const UrlValues& values);

}  // namespace ferrum::talos_node
