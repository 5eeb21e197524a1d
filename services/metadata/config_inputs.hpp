#pragma once
// Finding everything /configdata?uuid=<uuid> renders from (DESIGN.md 4.3): ServerBinding ->
// MetalMachine -> owner Machine -> spec.bootstrap.dataSecretName -> Secret key `value`, plus
// the Server and its ServerClass for patches. Objects come from informer caches; a bootstrap
// Secret not in the Secret cache is read from the API, at most once per lookup.
//
// Contract: lookup() never blocks on anything but that one Secret read; each missing link
// comes back as a LookupError whose message names the object an operator should look at.
// The fingerprint covers the resourceVersion (and identity) of every input, so equal
// fingerprints mean equal rendered output for a fixed set of link parameters.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config_renderer.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/informer.hpp"

namespace ferrum::metadata {

struct InputStores {
  const kube::ObjectStore* bindings = nullptr;
  const kube::ObjectStore* metal_machines = nullptr;
  const kube::ObjectStore* machines = nullptr;
  const kube::ObjectStore* servers = nullptr;
  const kube::ObjectStore* server_classes = nullptr;
  const kube::ObjectStore* bootstrap_secrets = nullptr;  // may be null: always read on demand
};

// Reads one Secret from the API.
using SecretFetcher =
    std::function<kube::Result<kube::Json>(const std::string& ns, const std::string& name)>;

enum class LookupResult { kNotAllocated, kNotFound, kUnavailable };
std::string_view result_label(
    LookupResult r);  // metric label: not_allocated, not_found, unavailable

struct LookupError {
  LookupResult result = LookupResult::kNotFound;
  std::string message;
  int http_status() const;  // 404, or 503 for kUnavailable
};

struct ConfigInputs {
  kube::ObjectPtr binding, metal_machine, machine, server, server_class, secret;
  bool secret_from_api = false;
  std::string fingerprint;
  // The store keys the objects were found under (class_key empty: no ServerClass).
  std::string metal_machine_key, machine_key, secret_key, class_key;

  // The renderer's input without the bootstrap config (bootstrap_config is left empty: see
  // bootstrap_text()).
  RenderInput render_input(std::string_view uuid, const std::optional<LinkParameters>& link) const;
  // The bootstrap config, decoded from the Secret.
  std::string bootstrap_text() const;
  // "uid@resourceVersion" of the Secret: the same identity means the same bootstrap_text().
  // Empty when the Secret lacks either, so that it never stands for another Secret's text.
  std::string secret_identity() const;
};

Expected<ConfigInputs, LookupError> lookup_inputs(const InputStores& stores,
                                                  const SecretFetcher& fetch,
                                                  const std::string& uuid);

}  // namespace ferrum::metadata
