#pragma once
// The machine config a node gets from /configdata: the Cluster API bootstrap config with the
// ServerClass's and the Server's patches applied, the node label, and the SideroLink
// documents (DESIGN.md 4.3). A pure function: no I/O, no clock, same inputs => same bytes.
//
// Order (Sidero's, so configs written for Sidero render the same):
//   1. ServerClass spec.configPatches, applied as ONE RFC 6902 document
//   2. ServerClass spec.strategicPatches, in list order
//   3. Server spec.configPatches, as one RFC 6902 document
//   4. Server spec.strategicPatches
//   5. metal.sidero.dev/uuid=<uuid> added to machine.kubelet.extraArgs["node-labels"]
//   6. SideroLinkConfig, EventSinkConfig and KmsgLogConfig documents (when link parameters
//      are given); a document of the same identity already in the config is replaced, since
//      only Ferrum's link endpoints work for a Ferrum-provisioned node.
// Each step sees the result of the previous one. RFC 6902 patches apply to the v1alpha1
// document (the one without `kind`; paths like /machine/install/disk), strategic patches to
// the whole document stream. Unknown fields survive (they are carried as JSON); comments do
// not (YAML comments have no JSON form).

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/contract.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/siderolink_address.hpp"

namespace ferrum::metadata {

// The patches one object contributes, as stored (configPatches kept as raw JSON so RFC 6902
// members such as `from` reach the patch engine untouched).
struct PatchSource {
  std::string name;               // for errors: the ServerClass or Server name
  nlohmann::json config_patches;  // array (or null: none)
  std::vector<std::string> strategic_patches;
};

struct LinkParameters {
  std::string api_url;         // SideroLinkConfig.apiUrl
  std::string server_address;  // link server IPv6 (prefix::1), no brackets
  std::uint16_t events_port = siderolink::kEventsPort;
  std::uint16_t logs_port = siderolink::kLogsPort;
};

struct RenderInput {
  std::string_view bootstrap_config;  // YAML stream, Secret key `value`
  std::optional<PatchSource> server_class;
  PatchSource server;
  std::string uuid;
  std::optional<LinkParameters> link;
};

enum class ErrorSource { kBootstrapConfig, kServerClass, kServer };
std::string_view source_name(ErrorSource s);  // "bootstrap config", "ServerClass", "Server"

struct RenderError {
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

  ErrorSource source = ErrorSource::kBootstrapConfig;
  std::string object;            // the ServerClass/Server name; empty for the bootstrap config
  std::string field;             // "configPatches" | "strategicPatches" | "" (the config itself)
  std::size_t index = kNoIndex;  // operation index in configPatches, entry in strategicPatches
  std::string op;
  std::string path;
  std::string reason;

  // One line an operator can act on, e.g. `Server 1234: configPatches operation 0 (replace
  // /machine/install/disk): path /machine/install does not exist: add it with op add first`.
  std::string message() const;
};

// The kubelet node label the reconciler uses to find a Server's Node.
inline constexpr std::string_view kNodeLabelKey = contract::kServerUuidLabel;
// KmsgLogConfig's document name: Sidero's ("remote-log", set in
// app/sidero-controller-manager/internal/metadata/metadata_server.go, patchSideroLinkConfig),
// so a node Sidero provisioned and Ferrum re-renders keeps one log sink, not two.
inline constexpr std::string_view kKmsgLogName = "remote-log";

// The rendered multi-document YAML.
Expected<std::string, RenderError> render_config(const RenderInput& in);

// render_config in two halves, so a caller can keep parsed bootstrap configs (YAML parsing is
// most of a render's cost): parse_bootstrap_config parses and checks for the v1alpha1
// document; render_parsed_config(parse_bootstrap_config(text), in) == render_config(in) for
// any `in` whose bootstrap_config is `text` (in.bootstrap_config is then ignored).
Expected<std::vector<nlohmann::json>, RenderError> parse_bootstrap_config(std::string_view text);
Expected<std::string, RenderError> render_parsed_config(const std::vector<nlohmann::json>& docs,
                                                        const RenderInput& in);

// Step 5 alone: "a=b" + uuid => "a=b,metal.sidero.dev/uuid=<uuid>"; an existing
// metal.sidero.dev/uuid entry is replaced rather than duplicated.
std::string add_node_label(std::string_view node_labels, std::string_view uuid);

// Step 6's documents.
std::vector<nlohmann::json> siderolink_documents(const LinkParameters& link);

}  // namespace ferrum::metadata
