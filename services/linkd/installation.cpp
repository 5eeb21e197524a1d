#include "installation.hpp"

#include <openssl/rand.h>

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/secret.hpp"
#include "ferrum/siderolink_address.hpp"

namespace ferrum::linkd {

namespace {

Expected<Installation, std::string> from_secret(const model::Secret& s, const std::string& what) {
  auto id = s.value(std::string(siderolink::kInstallationIdKey));
  auto key = s.value(std::string(siderolink::kPrivateKeyKey));
  if (!id || id->empty()) return unexpected(what + ": key installation-id is missing");
  if (!key) return unexpected(what + ": key private-key is missing");
  auto k = parse_key_base64(*key);
  if (!k) return unexpected(what + ": private-key is not a base64 WireGuard key");
  return Installation{*id, *k, false};
}

std::string random_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (auto c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

}  // namespace

Expected<Installation, std::string> load_or_create_installation(kube::Client& client,
                                                                const std::string& ns,
                                                                const std::string& name) {
  const std::string what = "Secret " + ns + "/" + name;
  auto existing = kube::get_as<model::Secret>(client, model::kSecret, ns, name);
  if (existing) return from_secret(*existing, what);
  if (!kube::is_not_found(existing.error())) {
    return unexpected("reading " + what + ": " + existing.error().describe());
  }
  auto s = model::Secret::make(ns, name);
  s.set_type("Opaque");
  std::string id = random_id();
  WgKey key = generate_private_key();
  s.set_value(std::string(siderolink::kInstallationIdKey), id);
  s.set_value(std::string(siderolink::kPrivateKeyKey), key.base64());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto created = kube::create_as(client, model::kSecret, s);
    if (created) return Installation{id, key, true};
    const auto& e = created.error();
    if (kube::is_already_exists(e)) {
      // Another replica won the race: use its state.
      auto winner = kube::get_as<model::Secret>(client, model::kSecret, ns, name);
      if (!winner) return unexpected("reading " + what + ": " + winner.error().describe());
      return from_secret(*winner, what);
    }
    if (kube::is_not_found(e) && attempt == 0) {
      // The namespace does not exist yet (a fresh API server): create it and retry.
      auto r = client.create(
          kube::resources::namespaces(),
          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
      if (!r && !kube::is_already_exists(r.error())) {
        return unexpected("creating namespace " + ns + ": " + r.error().describe());
      }
      continue;
    }
    return unexpected("creating " + what + ": " + e.describe());
  }
  return unexpected("creating " + what + ": namespace " + ns + " keeps vanishing");
}

}  // namespace ferrum::linkd
