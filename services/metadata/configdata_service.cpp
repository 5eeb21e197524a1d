#include "configdata_service.hpp"

#include <openssl/sha.h>

#include <cctype>
#include <chrono>

#include "ferrum/model/secret.hpp"
#include "ferrum/percent_encoding.hpp"
#include "ferrum/siderolink_secret.hpp"

namespace ferrum::metadata {

namespace {


}  // namespace

Expected<std::string, std::string> parse_uuid_query(std::string_view query) {
  // Every form a Talos node can send (talos/internal/app/machined/pkg/runtime/v1alpha1/
  // platform/metal/url/variable.go, url.go): the talos.config URL as written when it has no
  // variable; else re-encoded by Go's url.Values.Encode (keys sorted, QueryEscape: ':' as %3A,
  // ' ' as '+') with `uuid=` (empty, blank or repeated) replaced by the SMBIOS UUID and
  // ${uuid} ${serial} ${mac} ${hostname} ${code} (any case) expanded inside values. Variables
  // Talos could not fill in time stay as they were. Only uuid matters here; every other
  // parameter must still decode to UTF-8.
  std::optional<std::string> uuid;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    auto end = amp == std::string_view::npos ? query.size() : amp;
    auto pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) {
      if (amp == std::string_view::npos) break;
      continue;
    }
    auto eq = pair.find('=');
    auto raw_key = pair.substr(0, eq);
    auto key = percent_decode(raw_key);
    if (!key)
      return unexpected("query parameter name \"" + std::string(raw_key.substr(0, 64)) +
                        "\" is not valid percent-encoding");
    if (!is_valid_utf8(*key))
      return unexpected(std::string("a query parameter name is not valid UTF-8"));
    auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value) return unexpected(*key + " is not valid percent-encoding");
    if (!is_valid_utf8(*value)) return unexpected(*key + " is not valid UTF-8");
    if (*key == "uuid") {
      if (uuid) return unexpected(std::string("uuid is given more than once"));
      uuid = std::move(*value);
    }
    if (amp == std::string_view::npos) break;
  }
  if (!uuid || uuid->empty()) {
    return unexpected(std::string(
        "uuid is required: GET /configdata?uuid=<server uuid> (a Talos node fills an empty "
        "uuid= with its SMBIOS UUID itself)"));
  }
  std::string& u = *uuid;
  if (u.find("${") != std::string::npos) {
    return unexpected("uuid \"" + u.substr(0, 64) +
                      "\" is a Talos variable the node did not fill in (it had no SMBIOS UUID "
                      "before its URL deadline); it retries");
  }
  if (u.size() > 253) return unexpected(std::string("uuid is longer than 253 characters"));
  for (char& c : u) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) {
      return unexpected("uuid \"" + u +
                        "\" is malformed: a Server name has only letters, digits, '-' and '.'");
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(u.front())) ||
      !std::isalnum(static_cast<unsigned char>(u.back()))) {
    return unexpected("uuid \"" + u +
                      "\" is malformed: it must start and end with a letter or digit");
  }
  return u;
}

namespace {
siderolink::SecretName secret_name_or_empty(const std::string& key) {
  auto n = siderolink::parse_secret_name(key);
  return n ? *n : siderolink::SecretName{};
}
}  // namespace

LinkSource::LinkSource(std::string api_url, const kube::ObjectStore* secrets,
                       std::string secret_key, std::uint16_t events_port, std::uint16_t logs_port,
                       log::Logger log)
    : api_url_(std::move(api_url)),
      secret_key_(std::move(secret_key)),
      address_(api_url_.empty() ? nullptr : secrets, secret_name_or_empty(secret_key_)),
      events_port_(events_port),
      logs_port_(logs_port),
      log_(std::move(log)) {}

kube::ObjectPtr LinkSource::secret_object() const {
  if (api_url_.empty()) return nullptr;
  return address_.secret();
}

std::optional<LinkParameters> LinkSource::current(std::string& fingerprint) const {
  if (api_url_.empty()) return std::nullopt;
  auto now = address_.current();
  if (now.address.empty()) {
    if (!warned_.exchange(true)) {
      log_.warn(
          "SideroLink installation Secret missing: configs are served without SideroLink documents",
          {{"secret", secret_key_}, {"reason", now.why_not}});
    }
    fingerprint += "L-;";
    return std::nullopt;
  }
  if (warned_.exchange(false)) {
    log_.info("SideroLink installation Secret found: configs carry SideroLink documents",
              {{"secret", secret_key_}});
  }
  fingerprint += 'L';
  fingerprint += now.identity;
  fingerprint += ';';
  LinkParameters p;
  p.api_url = api_url_;
  p.server_address = std::move(now.address);
  p.events_port = events_port_;
  p.logs_port = logs_port_;
  return p;
}

ConfigDataService::ConfigDataService(ServiceSettings settings, InputStores stores,
                                     SecretFetcher fetch, const LinkSource& link,
                                     std::function<bool()> ready, metrics::Registry& registry,
                                     log::Logger log)
    : settings_(settings),
      stores_(stores),
      fetch_(std::move(fetch)),
      link_(link),
      ready_(std::move(ready)),
      log_(std::move(log)),
      requests_(registry.counter("ferrum_metadata_requests_total",
                                 "/configdata requests by result.", {"result"})),
      requests_ok_(requests_.with({"ok"})),
      patch_failures_class_(registry
                                .counter("ferrum_metadata_patch_failures_total",
                                         "Renders that failed on a patch, by the patch's source.",
                                         {"source"})
                                .with({"ServerClass"})),
      patch_failures_server_(registry
                                 .counter("ferrum_metadata_patch_failures_total",
                                          "Renders that failed on a patch, by the patch's source.",
                                          {"source"})
                                 .with({"Server"})),
      render_seconds_(registry
                          .histogram("ferrum_metadata_render_seconds",
                                     "Time to render one machine config.",
                                     metrics::exponential_buckets(0.0001, 2, 14))
                          .get()),
      cache_hits_(registry
                      .counter("ferrum_metadata_render_cache_hits_total",
                               "Requests answered from the render cache.")
                      .get()),
      secret_reads_(registry
                        .counter("ferrum_metadata_secret_reads_total",
                                 "Bootstrap Secrets read from the API (not in the Secret cache).")
                        .get()),
      cache_entries_(
          registry.gauge("ferrum_metadata_render_cache_entries", "Rendered configs in the cache.")
              .get()) {}

std::size_t ConfigDataService::cache_size() const {
  std::shared_lock lock(cache_mu_);
  return cache_.size();
}

HttpAnswer ConfigDataService::text(unsigned status, std::string_view result, std::string body) {
  requests_.with({std::string(result)}).inc();
  if (!body.empty() && body.back() != '\n') body += '\n';
  return {status, std::make_shared<const std::string>(std::move(body)),
          "text/plain; charset=utf-8"};
}

Expected<ConfigDataService::ParsedConfig, RenderError> ConfigDataService::parsed_config(
    const ConfigInputs& inputs) {
  std::string identity = inputs.secret_identity();
  if (!identity.empty()) {
    std::shared_lock lock(parsed_mu_);
    if (auto it = parsed_by_secret_.find(identity); it != parsed_by_secret_.end()) {
      return it->second;
    }
  }
  std::string text = inputs.bootstrap_text();
  std::string key(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         reinterpret_cast<unsigned char*>(key.data()));
  ParsedConfig ptr;
  {
    std::shared_lock lock(parsed_mu_);
    if (auto it = parsed_.find(key); it != parsed_.end()) ptr = it->second;
  }
  if (!ptr) {
    auto docs = parse_bootstrap_config(text);
    if (!docs) return unexpected(docs.error());
    ptr = std::make_shared<const std::vector<nlohmann::json>>(std::move(*docs));
  }
  std::unique_lock lock(parsed_mu_);
  // Bounded: drop an arbitrary entry when full.
  if (parsed_.size() >= settings_.parsed_cache_entries && !parsed_.contains(key)) {
    parsed_.erase(parsed_.begin());
  }
  parsed_[key] = ptr;
  if (!identity.empty()) {
    if (parsed_by_secret_.size() >= settings_.parsed_cache_entries &&
        !parsed_by_secret_.contains(identity)) {
      parsed_by_secret_.erase(parsed_by_secret_.begin());
    }
    parsed_by_secret_[identity] = ptr;
  }
  return ptr;
}

Expected<std::string, RenderError> ConfigDataService::render(
    const ConfigInputs& inputs, std::string_view uuid, const std::optional<LinkParameters>& link) {
  RenderInput in = inputs.render_input(uuid, link);
  if (settings_.parsed_cache_entries == 0) {
    std::string text = inputs.bootstrap_text();
    in.bootstrap_config = text;
    return render_config(in);
  }
  auto docs = parsed_config(inputs);
  if (!docs) return unexpected(docs.error());
  return render_parsed_config(**docs, in);
}

std::vector<ConfigDataService::Source> ConfigDataService::sources_of(const InputStores& st,
                                                                     const ConfigInputs& in,
                                                                     const std::string& uuid) {
  if (in.secret_from_api || !st.bootstrap_secrets) return {};
  std::vector<Source> out;
  out.reserve(6);
  out.push_back({st.bindings, uuid, in.binding});
  out.push_back({st.metal_machines, in.metal_machine_key, in.metal_machine});
  out.push_back({st.machines, in.machine_key, in.machine});
  out.push_back({st.servers, uuid, in.server});
  if (in.server_class) out.push_back({st.server_classes, in.class_key, in.server_class});
  out.push_back({st.bootstrap_secrets, in.secret_key, in.secret});
  return out;
}

std::shared_ptr<const std::string> ConfigDataService::unchanged_entry(
    const std::string& uuid) const {
  std::shared_lock lock(cache_mu_);
  auto it = cache_.find(uuid);
  if (it == cache_.end() || it->second.sources.empty()) return nullptr;
  const Entry& e = it->second;
  for (const Source& src : e.sources) {
    if (src.store->get(src.key) != src.object) return nullptr;
  }
  // The ServerClass is named by the binding, so with the binding unchanged an entry without
  // one still has none.
  if (link_.secret_object() != e.link_secret) return nullptr;
  return e.body;
}

HttpAnswer ConfigDataService::answer(std::string_view query) {
  auto uuid = parse_uuid_query(query);
  if (!uuid) return text(400, "bad_request", uuid.error());
  if (ready_ && !ready_()) {
    return text(503, "not_ready", "not ready: the watch caches are still loading; retry shortly");
  }
  if (settings_.cache_entries > 0) {
    if (auto body = unchanged_entry(*uuid)) {
      cache_hits_.inc();
      requests_ok_.inc();
      return {200, std::move(body), "application/yaml"};
    }
  }
  SecretFetcher counting_fetch = [this](const std::string& ns, const std::string& name) {
    secret_reads_.inc();
    return fetch_(ns, name);
  };
  auto inputs = lookup_inputs(stores_, counting_fetch, *uuid);
  if (!inputs) {
    log_.info("configdata not served", {{"server", *uuid}, {"reason", inputs.error().message}});
    return text(static_cast<unsigned>(inputs.error().http_status()),
                result_label(inputs.error().result), inputs.error().message);
  }
  std::string fingerprint = std::move(inputs->fingerprint);
  // Taken before current() reads it: if it changes in between, the entry records the older
  // object and the next request takes the full path.
  kube::ObjectPtr link_secret = link_.secret_object();
  auto link = link_.current(fingerprint);

  if (settings_.cache_entries > 0) {
    std::shared_lock lock(cache_mu_);
    auto it = cache_.find(*uuid);
    if (it != cache_.end() && it->second.fingerprint == fingerprint) {
      auto body = it->second.body;
      lock.unlock();
      // Same inputs, other objects (a relist re-created them): let the next hit be cheap.
      auto sources = sources_of(stores_, *inputs, *uuid);
      std::unique_lock relock(cache_mu_);
      if (auto again = cache_.find(*uuid);
          again != cache_.end() && again->second.fingerprint == fingerprint) {
        again->second.sources = std::move(sources);
        again->second.link_secret = std::move(link_secret);
      }
      relock.unlock();
      cache_hits_.inc();
      requests_ok_.inc();
      return {200, std::move(body), "application/yaml"};
    }
  }

  auto started = std::chrono::steady_clock::now();
  auto rendered = render(*inputs, *uuid, link);
  render_seconds_.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!rendered) {
    const auto& e = rendered.error();
    if (e.source == ErrorSource::kServerClass) patch_failures_class_.inc();
    if (e.source == ErrorSource::kServer) patch_failures_server_.inc();
    log_.warn("machine config render failed", {{"server", *uuid},
                                               {"source", std::string(source_name(e.source))},
                                               {"object", e.object},
                                               {"field", e.field},
                                               {"op", e.op},
                                               {"path", e.path},
                                               {"error", e.message()}});
    bool is_patch = e.source != ErrorSource::kBootstrapConfig;
    return text(500, is_patch ? "patch_failed" : "config_invalid",
                "cannot render the machine config: " + e.message());
  }
  auto body = std::make_shared<const std::string>(std::move(*rendered));
  if (settings_.cache_entries > 0) {
    std::unique_lock lock(cache_mu_);
    if (cache_.size() >= settings_.cache_entries && !cache_.contains(*uuid)) {
      cache_.erase(cache_.begin());  // bounded: drop an arbitrary entry, it re-renders on demand
    }
    cache_[*uuid] = Entry{std::move(fingerprint), body, sources_of(stores_, *inputs, *uuid),
                          std::move(link_secret)};
    cache_entries_.set(static_cast<double>(cache_.size()));
  }
  requests_ok_.inc();
  log_.debug("machine config served", {{"server", *uuid}, {"bytes", body->size()}});
  return {200, std::move(body), "application/yaml"};
}

}  // namespace ferrum::metadata
