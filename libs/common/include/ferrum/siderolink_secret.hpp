#pragma once
// ferrum-linkd's installation Secret as the other daemons read it: its name (a flag every
// reader shares, "<namespace>/<name>"), its keys, and the link server address derived from it
// (siderolink_address.hpp). ferrum-linkd writes the Secret (services/linkd/installation.cpp);
// ferrum-metadata puts the address into SideroLink documents, ferrum-ipxe-http into
// talos.logging.kernel= and talos.events.sink=. One derivation, so the two always agree.
//
// Contract: pure except InstallationAddress, which reads an informer's store (thread-safe)
// and redoes the sha256 only when the Secret's uid@resourceVersion changes.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "ferrum/expected.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/siderolink_address.hpp"  // the contract constants

namespace ferrum::siderolink {

struct SecretName {
  std::string ns;
  std::string name;
  std::string key() const { return ns + "/" + name; }  // the informer store's key
};
// "<namespace>/<name>"; the error says what is wrong (callers prefix the flag).
Expected<SecretName, std::string> parse_secret_name(std::string_view text);

// The informer of just that Secret (field selector metadata.name, in its namespace).
kube::InformerSettings installation_secret_watch(const SecretName& name);

// The link server address (prefix::1, RFC 5952 text) of an installation Secret object; the
// error says why there is none (no installation-id key, empty, not base64).
Expected<std::string, std::string> server_address_of(const kube::Json& secret);

class InstallationAddress {
 public:
  // `secrets` may be null (no Secret watched): current() is then always empty.
  InstallationAddress(const kube::ObjectStore* secrets, SecretName name);

  struct Current {
    kube::ObjectPtr secret;  // as cached; null when missing
    std::string address;     // empty when there is none
    std::string why_not;     // when address is empty
    std::string identity;    // "uid@resourceVersion" of `secret`, empty without one
  };
  Current current() const;
  // Just the cached Secret (cheap: no derivation, no lock of this object's).
  kube::ObjectPtr secret() const { return secrets_ ? secrets_->get(name_.key()) : nullptr; }
  const SecretName& name() const { return name_; }

 private:
  const kube::ObjectStore* secrets_;
  SecretName name_;
  mutable std::mutex mu_;
  mutable std::string derived_for_;
  mutable std::string derived_address_;
};

}  // namespace ferrum::siderolink
