#include "machine_config.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "ferrum/yaml.hpp"

namespace ferrum::talos_node {
namespace {

using nlohmann::json;

constexpr std::string_view kLoadPrefix = "failed to load config via platform metal: ";
constexpr std::string_view kValidatePrefix =
    "failed to validate config acquired via platform metal: ";

// The kinds of Talos 1.8's registry (registry.Register in pkg/machinery/config/types/**),
// each at version v1alpha1; "v1alpha1" itself is the legacy machine config.
const std::set<std::string>& registered_kinds() {
  static const std::set<std::string> kinds = {"VolumeConfig",
                                              "NetworkDefaultActionConfig",
                                              "KubeSpanEndpointsConfig",
                                              "NetworkRuleConfig",
                                              "EventSinkConfig",
                                              "ExtensionServiceConfig",
                                              "KmsgLogConfig",
                                              "WatchdogTimerConfig",
                                              "TrustedRootsConfig",
                                              "SideroLinkConfig"};
  return kinds;
}

std::string str(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The top-level keys of the documents the peer reads (the yaml tags of v1alpha1.Config,
// siderolink.ConfigV1Alpha1, runtime.EventSinkV1Alpha1, runtime.KmsgLogV1Alpha1).
const std::set<std::string>* known_top_level_keys(const std::string& kind) {
  static const std::map<std::string, std::set<std::string>> keys = {
      {"v1alpha1", {"version", "debug", "persist", "machine", "cluster"}},
      {"SideroLinkConfig", {"apiVersion", "kind", "apiUrl"}},
      {"EventSinkConfig", {"apiVersion", "kind", "endpoint"}},
      {"KmsgLogConfig", {"apiVersion", "kind", "name", "url"}}};
  auto it = keys.find(kind);
  return it == keys.end() ? nullptr : &it->second;
}

// decoder.go checkUnknownKeys (unknown_keys.go): the unknown part of the document, as YAML.
// Only the top level is checked here.
std::optional<std::string> unknown_keys_error(const json& doc, const std::string& kind) {
  const auto* known = known_top_level_keys(kind);
  if (known == nullptr) return std::nullopt;
  json unknown = json::object();
  for (const auto& [k, v] : doc.items()) {
    if (known->count(k) == 0) unknown[k] = v;
  }
  if (unknown.empty()) return std::nullopt;
  return "unknown keys found during decoding:\n" + yaml::emit(unknown);
}

ConfigError load_error(std::string msg) {
  return ConfigError{ConfigError::Stage::kLoad, std::string(kLoadPrefix) + msg};
}

// "key=value,key=value" as the kubelet reads --node-labels.
void add_label_list(const std::string& list, std::map<std::string, std::string>& out) {
  std::size_t pos = 0;
  while (pos <= list.size()) {
    auto comma = list.find(',', pos);
    std::string item =
        list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto eq = item.find('=');
    if (!item.empty()) out[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
}

// url.Parse enough for the validators: scheme and path.
struct UrlParts {
  std::string scheme, path;
  bool ok = false;
};
UrlParts split_url(const std::string& u) {
  UrlParts p;
  auto colon = u.find("://");
  if (colon == std::string::npos || colon == 0) return p;
  p.scheme = u.substr(0, colon);
  auto rest = u.substr(colon + 3);
  auto slash = rest.find_first_of("/?#");
  if (slash != std::string::npos && rest[slash] == '/') {
    auto end = rest.find_first_of("?#", slash);
    p.path = rest.substr(slash, end == std::string::npos ? std::string::npos : end - slash);
  }
  p.ok = true;
  return p;
}

// net.SplitHostPort's verdict, with its messages for the usual mistakes.
std::optional<std::string> split_host_port_error(const std::string& hp) {
  auto addr_err = [&](const char* why) { return "address " + hp + ": " + why; };
  if (!hp.empty() && hp[0] == '[') {
    auto close = hp.find(']');
    if (close == std::string::npos) return addr_err("missing ']' in address");
    if (close + 1 == hp.size()) return addr_err("missing port in address");
    if (hp[close + 1] != ':') return addr_err("missing port in address");
    return std::nullopt;
  }
  auto last = hp.rfind(':');
  if (last == std::string::npos) return addr_err("missing port in address");
  if (hp.find(':') != last) return addr_err("too many colons in address");
  return std::nullopt;
}

}  // namespace

std::string multierror_text(const std::vector<std::string>& errors) {
  std::string out = errors.size() == 1 ? "1 error occurred:"
                                       : std::to_string(errors.size()) + " errors occurred:";
  for (const auto& e : errors) out += "\n\t* " + e;
  return out + "\n\n";
}

std::variant<NodeConfig, ConfigError> load_machine_config(std::string_view bytes,
                                                          const DiskExists& disk_exists) {
  auto docs = yaml::parse_all(bytes);
  if (!docs) return load_error("decode error: " + docs.error().message());
  // configloader.go: no documents at all is ErrNoConfig.
  if (docs->empty()) return load_error("config not found");

  NodeConfig cfg;
  std::vector<std::string> problems;
  const json* v1alpha1 = nullptr;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& doc : *docs) {
    if (!doc.is_object()) return load_error("expected a document");
    // decoder.go decode(): apiVersion, kind; the legacy top-level keys imply v1alpha1.
    std::string version = str(doc, "apiVersion");
    std::string kind = str(doc, "kind");
    for (const char* legacy : {"machine", "cluster", "debug", "persist"}) {
      if (doc.contains(legacy)) version = "v1alpha1";
    }
    std::string id_kind = kind.empty() ? "v1alpha1" : kind;
    if (!seen.emplace(version, id_kind, str(doc, "name")).second) {
      return load_error("duplicate document " + version + "/" + id_kind + "/" + str(doc, "name") +
                        " is not allowed");
    }
    if (version == "v1alpha1" && kind.empty()) {
      if (auto err = unknown_keys_error(doc, "v1alpha1")) return load_error(*err);
      v1alpha1 = &doc;
      continue;
    }
    if (kind.empty()) return load_error("missing kind");
    if (version != "v1alpha1" || registered_kinds().count(kind) == 0) {
      return load_error("\"" + kind + "\" \"" + version + "\": not registered");
    }
    if (auto err = unknown_keys_error(doc, kind)) return load_error(*err);
    if (kind == "SideroLinkConfig") {
      // siderolink.go Validate.
      cfg.siderolink_api_url = str(doc, "apiUrl");
      auto u = split_url(cfg.siderolink_api_url);
      if (cfg.siderolink_api_url.empty()) {
        problems.emplace_back("apiUrl is required");
      } else if (!u.ok || (u.scheme != "https" && u.scheme != "grpc")) {
        problems.emplace_back("apiUrl scheme must be https:// or grpc://");
      } else if (!u.path.empty() && u.path != "/") {
        problems.emplace_back("apiUrl path must be empty");
      }
    } else if (kind == "EventSinkConfig") {
      // runtime/event_sink.go Validate.
      cfg.event_sink_endpoint = str(doc, "endpoint");
      if (auto err = split_host_port_error(cfg.event_sink_endpoint)) {
        problems.push_back("event sink endpoint: " + *err);
      }
    } else if (kind == "KmsgLogConfig") {
      // runtime/kmsg_log.go Validate.
      std::string url = str(doc, "url");
      auto u = split_url(url);
      if (str(doc, "name").empty()) {
        problems.emplace_back("name is required");
      } else if (url.empty()) {
        problems.emplace_back("url is required");
      } else if (!u.ok || (u.scheme != "tcp" && u.scheme != "udp")) {
        problems.emplace_back("url scheme must be tcp:// or udp://");
      } else {
        cfg.kmsg_log_urls.push_back(url);
      }
    }
  }

  // v1alpha1_validation.go, the rules a node in metal mode meets first. Without a v1alpha1
  // document the container has no machine config: Talos would go to maintenance mode, which
  // the peer reports as a validation failure it cannot go past.
  std::vector<std::string> v1;
  if (v1alpha1 == nullptr || !v1alpha1->contains("machine") || (*v1alpha1)["machine"].is_null()) {
    v1.emplace_back("machine instructions are required");
  } else {
    const json& machine = (*v1alpha1)["machine"];
    auto install = machine.find("install");
    if (install == machine.end() || install->is_null()) {
      v1.emplace_back("install instructions are required in \"metal\" mode");
    } else {
      cfg.install_disk = str(*install, "disk");
      if (cfg.install_disk.empty()) {
        v1.emplace_back("an install disk is required in \"metal\" mode");
      }
      if (!disk_exists(cfg.install_disk)) {
        v1.push_back("specified install disk does not exist: \"" + cfg.install_disk + "\"");
      }
    }
    if (auto k = machine.find("kubelet"); k != machine.end() && k->is_object()) {
      if (auto ea = k->find("extraArgs"); ea != k->end() && ea->is_object()) {
        add_label_list(str(*ea, "node-labels"), cfg.labels);
      }
    }
    if (auto nl = machine.find("nodeLabels"); nl != machine.end() && nl->is_object()) {
      for (const auto& [key, value] : nl->items()) {
        if (value.is_string()) cfg.labels[key] = value.get<std::string>();
      }
    }
  }
  // container.go: the v1alpha1 errors first, then each document's, in one multierror.
  v1.insert(v1.end(), problems.begin(), problems.end());
  if (!v1.empty()) {
    return ConfigError{ConfigError::Stage::kValidate,
                       std::string(kValidatePrefix) + multierror_text(v1)};
  }
  return cfg;
}

}  // namespace ferrum::talos_node
