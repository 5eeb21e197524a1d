#pragma once
// The multi-document machine config as Talos' metal platform loads and validates it, reduced
// to what the test peer acts on. Pure: disk existence is asked through a callback.
//
// Upstream (siderolabs/talos v1.8):
//   pkg/machinery/config/configloader/internal/decoder/decoder.go  documents, kinds, versions
//   pkg/machinery/config/configloader/internal/decoder/unknown_keys.go  unknown keys (the peer
//       checks the top level of the documents it reads, not nested fields)
//   pkg/machinery/config/internal/registry/registry.go            "not registered"
//   pkg/machinery/config/container/container.go                   Validate (one multierror)
//   pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go    machine / install rules
//   pkg/machinery/config/types/siderolink/siderolink.go           SideroLinkConfig.Validate
//   pkg/machinery/config/types/runtime/{event_sink,kmsg_log}.go   their Validate
//   internal/app/machined/pkg/controllers/config/acquire.go       the messages' prefixes

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ferrum::talos_node {

struct NodeConfig {
  std::string install_disk;                   // machine.install.disk
  std::map<std::string, std::string> labels;  // node-labels extra arg, then machine.nodeLabels
  std::string siderolink_api_url;             // SideroLinkConfig apiUrl ("" when absent)
  std::string event_sink_endpoint;            // EventSinkConfig endpoint
  std::vector<std::string> kmsg_log_urls;     // KmsgLogConfig url, one per document
};

// Both kinds of failure reach the event sink as machine.ConfigLoadErrorEvent: acquire.go wraps
// the loader's and the validator's errors alike and publishes only that event type.
struct ConfigError {
  enum class Stage { kLoad, kValidate } stage;
  std::string message;  // acquire.go's whole message, "failed to ... via platform metal: ..."
};

using DiskExists = std::function<bool(const std::string&)>;

// Loads as configloader.NewFromBytes, then validates as Container.Validate in metal mode
// (RequiresInstall, not Local).
std::variant<NodeConfig, ConfigError> load_machine_config(std::string_view bytes,
                                                          const DiskExists& disk_exists);

// hashicorp/go-multierror's ListFormatFunc ("1 error occurred:\n\t* ...\n\n").
std::string multierror_text(const std::vector<std::string>& errors);

}  // namespace ferrum::talos_node
