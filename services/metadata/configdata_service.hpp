#pragma once
// The /configdata endpoint without sockets: query parsing, lookup, render cache, metrics.
// metadata_app.hpp routes GET /configdata to it on Ferrum's HTTP server.
//
// Contract: answer() is thread-safe and never blocks except on one on-demand Secret read.
// A cached rendering is reused only while every input's uid and resourceVersion (and the
// link parameters) are unchanged, so any change to an input shows on the next request.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config_inputs.hpp"
#include "config_renderer.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/siderolink_secret.hpp"

namespace ferrum::metadata {

struct HttpAnswer {
  unsigned status = 200;
  std::shared_ptr<const std::string> body;
  std::string_view content_type = "text/plain; charset=utf-8";
};

// The uuid query parameter, percent-decoded and lower-cased (SMBIOS UUIDs arrive in either
// case; Server names are lower case). Every parameter must decode (percent-encoding, '+' as a
// space) to UTF-8; uuid once, non-empty, no unexpanded Talos ${...} variable. The error says
// what is wrong (a 400 body).
Expected<std::string, std::string> parse_uuid_query(std::string_view query);

// The link parameters of the moment, from ferrum-linkd's installation Secret (cached by an
// informer). Warns once while the Secret is missing or unusable, and again after it was
// seen and vanished.
class LinkSource {
 public:
  // `api_url` empty: SideroLink is off, current() is always empty and nothing is logged.
  // `secret_key` is "<namespace>/<name>" (the store's key).
  LinkSource(std::string api_url, const kube::ObjectStore* secrets, std::string secret_key,
             std::uint16_t events_port, std::uint16_t logs_port, log::Logger log);

  // Appends the Secret's identity to `fingerprint`.
  std::optional<LinkParameters> current(std::string& fingerprint) const;
  // The installation Secret as cached now (null when SideroLink is off or it is missing).
  // current() derives from nothing else, so while this pointer stays the same, so does it.
  kube::ObjectPtr secret_object() const;

 private:
  std::string api_url_;
  std::string secret_key_;
  siderolink::InstallationAddress address_;  // the derivation ferrum-ipxe-http shares
  std::uint16_t events_port_;
  std::uint16_t logs_port_;
  log::Logger log_;
  mutable std::atomic<bool> warned_{false};
};

struct ServiceSettings {
  std::size_t cache_entries = 10000;       // rendered configs by uuid; 0: no cache
  std::size_t parsed_cache_entries = 256;  // parsed bootstrap configs by content; 0: no cache
};

class ConfigDataService {
 public:
  ConfigDataService(ServiceSettings settings, InputStores stores, SecretFetcher fetch,
                    const LinkSource& link, std::function<bool()> ready,
                    metrics::Registry& registry, log::Logger log);

  // GET /configdata?<query>
  HttpAnswer answer(std::string_view query);

  std::size_t cache_size() const;

 private:
  HttpAnswer text(unsigned status, std::string_view result, std::string body);
  using ParsedConfig = std::shared_ptr<const std::vector<nlohmann::json>>;
  // The parsed bootstrap config, from the parse cache when the same bytes were parsed before.
  Expected<ParsedConfig, RenderError> parsed_config(const ConfigInputs& inputs);
  Expected<std::string, RenderError> render(const ConfigInputs& inputs, std::string_view uuid,
                                            const std::optional<LinkParameters>& link);

  ServiceSettings settings_;
  InputStores stores_;
  SecretFetcher fetch_;
  const LinkSource& link_;
  std::function<bool()> ready_;
  log::Logger log_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Counter& requests_ok_;  // looked up once: the hot path takes no family lock
  metrics::Counter& patch_failures_class_;
  metrics::Counter& patch_failures_server_;
  metrics::Histogram& render_seconds_;
  metrics::Counter& cache_hits_;
  metrics::Counter& secret_reads_;
  metrics::Gauge& cache_entries_;

  // One input of a cached rendering, as found: the store still holding this very object
  // under this key means the input is unchanged (objects in a store are immutable, and the
  // entry's reference keeps the address from being reused).
  struct Source {
    const kube::ObjectStore* store = nullptr;
    std::string key;
    kube::ObjectPtr object;
  };
  struct Entry {
    std::string fingerprint;
    std::shared_ptr<const std::string> body;
    // Every input with the store it came from, so that a hit is checked by pointer instead of
    // by walking the objects again; empty when an input (the Secret read from the API) is not
    // in a store, and then only `fingerprint` decides.
    std::vector<Source> sources;
    kube::ObjectPtr link_secret;  // LinkSource::secret_object() when rendered
  };
  // The cached body when every source of the entry for `uuid` is unchanged.
  std::shared_ptr<const std::string> unchanged_entry(const std::string& uuid) const;
  static std::vector<Source> sources_of(const InputStores& stores, const ConfigInputs& in,
                                        const std::string& uuid);
  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, Entry> cache_;
  // Keyed by sha256 of the config text: CAPI gives every Machine its own Secret, but the
  // configs of one MachineDeployment are byte-identical, so they share one parse.
  std::shared_mutex parsed_mu_;
  std::unordered_map<std::string, ParsedConfig> parsed_;
  // The same parses by Secret identity (uid@resourceVersion), so that an unchanged Secret is
  // neither decoded nor hashed again (together most of a render's remaining cost).
  std::unordered_map<std::string, ParsedConfig> parsed_by_secret_;
};

}  // namespace ferrum::metadata
