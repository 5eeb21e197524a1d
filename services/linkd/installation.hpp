#pragma once
// The installation's SideroLink state in a Secret (keys installation-id, private-key): made
// once by whichever replica starts first and reused by every later start, so addresses and
// the server key survive restarts. Race-safe: create; on AlreadyExists read the winner's.
// A Secret missing a key or holding a malformed one is an error (never silently replaced:
// that would change every node's address).

#include <string>

#include "ferrum/expected.hpp"
#include "ferrum/kube/client.hpp"
#include "wg_key.hpp"

namespace ferrum::linkd {

struct Installation {
  std::string installation_id;
  WgKey private_key;
  bool created = false;  // this call made the Secret
};

Expected<Installation, std::string> load_or_create_installation(kube::Client& client,
                                                                const std::string& ns,
                                                                const std::string& name);

}  // namespace ferrum::linkd
