#include "config_renderer.hpp"

#include "ferrum/json_text.hpp"
#include "ferrum/patch.hpp"
#include "ferrum/yaml.hpp"

namespace ferrum::metadata {

using nlohmann::json;

std::string_view source_name(ErrorSource s) {
  switch (s) {
    case ErrorSource::kBootstrapConfig:
      return "bootstrap config";
    case ErrorSource::kServerClass:
      return "ServerClass";
    case ErrorSource::kServer:
      return "Server";
  }
  return "?";
}

std::string RenderError::message() const {
  std::string out(source_name(source));
  if (!object.empty()) out += " " + object;
  out += ": ";
  if (!field.empty()) {
    out += field;
    if (index != kNoIndex) {
      if (field == "configPatches") {
        out += " operation " + std::to_string(index);
        if (!op.empty() || !path.empty()) {
          out += " (" + (op.empty() ? std::string("<no op>") : op) + " " +
                 (path.empty() ? std::string("<root>") : path) + ")";
        }
      } else {
        out += "[" + std::to_string(index) + "]";
      }
    }
    out += ": ";
  }
  out += reason;
  return out;
}

namespace {

std::string type_name(const json& j) { return j.type_name(); }

RenderError config_error(std::string reason) {
  RenderError e;
  e.source = ErrorSource::kBootstrapConfig;
  e.reason = std::move(reason);
  return e;
}

// The index of the v1alpha1 document (the one without `kind`), or an error saying why there
// is none. `docs` are already known to be objects.
Expected<std::size_t, std::string> find_main_document(const std::vector<json>& docs) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].contains("kind")) continue;
    if (found) {
      return unexpected("documents " + std::to_string(*found) + " and " + std::to_string(i) +
                        " both lack `kind`; a config has one v1alpha1 machine config document");
    }
    found = i;
  }
  if (!found) {
    return unexpected(
        std::string("no v1alpha1 machine config document (a document with `version: v1alpha1` "
                    "and no `kind`)"));
  }
  const json& doc = docs[*found];
  auto v = doc.find("version");
  if (v == doc.end()) {
    return unexpected("machine config document " + std::to_string(*found) +
                      " has no `version`; only version v1alpha1 is supported");
  }
  if (!v->is_string() || v->get<std::string>() != "v1alpha1") {
    return unexpected("machine config document " + std::to_string(*found) + " has version " +
                      json_text::dump(*v) + "; only version v1alpha1 is supported");
  }
  return *found;
}

class Renderer {
 public:
  explicit Renderer(const RenderInput& in) : in_(in) {}

  // `docs` come from parse_bootstrap_config (already validated).
  Expected<std::string, RenderError> run(std::vector<json> docs) {
    docs_ = std::move(docs);
    if (in_.server_class) {
      if (auto err = apply(*in_.server_class, ErrorSource::kServerClass)) return unexpected(*err);
    }
    if (auto err = apply(in_.server, ErrorSource::kServer)) return unexpected(*err);

    auto main_index = find_main_document(docs_);  // checked after every step, so this holds
    if (!main_index) return unexpected(config_error(main_index.error()));
    if (auto err = label_node(docs_[*main_index])) return unexpected(*err);
    if (in_.link) append_link_documents(*in_.link);
    return yaml::emit_all(docs_);
  }

 private:
  std::optional<RenderError> apply(const PatchSource& src, ErrorSource source) {
    auto fail = [&](std::string field, std::size_t index, std::string op, std::string path,
                    std::string reason) {
      RenderError e;
      e.source = source;
      e.object = src.name;
      e.field = std::move(field);
      e.index = index;
      e.op = std::move(op);
      e.path = std::move(path);
      e.reason = std::move(reason);
      return e;
    };
    bool has_json = !src.config_patches.is_null() &&
                    !(src.config_patches.is_array() && src.config_patches.empty());
    if (has_json) {
      auto main_index = find_main_document(docs_);
      if (!main_index) return config_error(main_index.error());
      // docs_ is this render's own copy and is thrown away on any error, so the main
      // document is patched where it is rather than copied.
      auto patched = patch::apply_json_patch(std::move(docs_[*main_index]), src.config_patches);
      if (!patched) {
        const auto& pe = patched.error();
        return fail("configPatches",
                    pe.index == patch::PatchError::kWholePatch ? RenderError::kNoIndex : pe.index,
                    pe.op, pe.path, pe.reason);
      }
      if (!patched->is_object()) {
        return fail("configPatches", RenderError::kNoIndex, "", "",
                    "the patched machine config is a " + type_name(*patched) +
                        ", not a map (a patch replaced the whole document)");
      }
      // RFC 6902 values may nest as deep as the API allows (10000), where YAML documents
      // (the bootstrap config, strategic patches) stop at yaml::kMaxDepth; the emitter
      // recurses and indents once per level, so the config may not nest deeper either.
      if (json_text::deeper_than(*patched, yaml::kMaxDepth)) {
        return fail("configPatches", RenderError::kNoIndex, "", "",
                    "the patched machine config nests deeper than " +
                        std::to_string(yaml::kMaxDepth) +
                        " levels, more than any YAML reader of it accepts");
      }
      docs_[*main_index] = std::move(*patched);
      if (auto again = find_main_document(docs_); !again) {
        return fail("configPatches", RenderError::kNoIndex, "", "", again.error());
      }
    }
    for (std::size_t i = 0; i < src.strategic_patches.size(); ++i) {
      auto patched = patch::apply_strategic_patch(std::move(docs_), src.strategic_patches[i]);
      if (!patched) {
        return fail("strategicPatches", i, "", patched.error().path, patched.error().message());
      }
      docs_ = std::move(*patched);
      if (auto again = find_main_document(docs_); !again) {
        return fail("strategicPatches", i, "", "", "after this patch: " + again.error());
      }
    }
    return std::nullopt;
  }

  std::optional<RenderError> label_node(json& doc) {
    auto not_a_map = [](const std::string& where, const json& j) {
      RenderError e =
          config_error(where + " is a " + type_name(j) + ", not a map; cannot add the node label " +
                       std::string(kNodeLabelKey));
      e.path = where;
      return e;
    };
    json& machine = doc["machine"];
    if (machine.is_null()) machine = json::object();
    if (!machine.is_object()) return not_a_map("/machine", machine);
    json& kubelet = machine["kubelet"];
    if (kubelet.is_null()) kubelet = json::object();
    if (!kubelet.is_object()) return not_a_map("/machine/kubelet", kubelet);
    json& args = kubelet["extraArgs"];
    if (args.is_null()) args = json::object();
    if (!args.is_object()) return not_a_map("/machine/kubelet/extraArgs", args);
    std::string existing;
    if (auto it = args.find("node-labels"); it != args.end() && !it->is_null()) {
      if (!it->is_string()) {
        RenderError e = config_error("/machine/kubelet/extraArgs/node-labels is a " +
                                     type_name(*it) + ", not a string");
        e.path = "/machine/kubelet/extraArgs/node-labels";
        return e;
      }
      existing = it->get<std::string>();
    }
    args["node-labels"] = add_node_label(existing, in_.uuid);
    return std::nullopt;
  }

  void append_link_documents(const LinkParameters& link) {
    for (auto& doc : siderolink_documents(link)) {
      std::erase_if(docs_, [&doc](const json& d) {
        if (d.value("kind", "") != doc["kind"].get<std::string>()) return false;
        return !doc.contains("name") || d.value("name", "") == doc["name"].get<std::string>();
      });
      docs_.push_back(std::move(doc));
    }
  }

  const RenderInput& in_;
  std::vector<json> docs_;
};

}  // namespace

Expected<std::vector<json>, RenderError> parse_bootstrap_config(std::string_view text) {
  auto parsed = yaml::parse_all(text);
  if (!parsed) return unexpected(config_error("not valid YAML: " + parsed.error().message()));
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    const json& d = (*parsed)[i];
    if (!d.is_object()) {
      return unexpected(
          config_error("document " + std::to_string(i) + " is a " + type_name(d) + ", not a map"));
    }
  }
  if (auto first = find_main_document(*parsed); !first) {
    return unexpected(config_error(first.error()));
  }
  return std::move(*parsed);
}

std::string add_node_label(std::string_view node_labels, std::string_view uuid) {
  std::string out;
  std::size_t start = 0;
  while (start <= node_labels.size()) {
    auto comma = node_labels.find(',', start);
    auto end = comma == std::string_view::npos ? node_labels.size() : comma;
    auto entry = node_labels.substr(start, end - start);
    auto key = entry.substr(0, entry.find('='));
    if (!entry.empty() && key != kNodeLabelKey) {
      if (!out.empty()) out += ',';
      out += entry;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (!out.empty()) out += ',';
  out += std::string(kNodeLabelKey) + "=" + std::string(uuid);
  return out;
}

std::vector<json> siderolink_documents(const LinkParameters& link) {
  std::string host = "[" + link.server_address + "]";
  return {
      json{{"apiVersion", "v1alpha1"}, {"kind", "SideroLinkConfig"}, {"apiUrl", link.api_url}},
      json{{"apiVersion", "v1alpha1"},
           {"kind", "EventSinkConfig"},
           {"endpoint", host + ":" + std::to_string(link.events_port)}},
      json{{"apiVersion", "v1alpha1"},
           {"kind", "KmsgLogConfig"},
           {"name", std::string(kKmsgLogName)},
           {"url", "tcp://" + host + ":" + std::to_string(link.logs_port)}},
  };
}

Expected<std::string, RenderError> render_config(const RenderInput& in) {
  auto docs = parse_bootstrap_config(in.bootstrap_config);
  if (!docs) return unexpected(docs.error());
  return Renderer(in).run(std::move(*docs));
}

Expected<std::string, RenderError> render_parsed_config(const std::vector<nlohmann::json>& docs,
                                                        const RenderInput& in) {
  return Renderer(in).run(docs);
}

}  // namespace ferrum::metadata
