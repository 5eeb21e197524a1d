#pragma once
// The contracts between Ferrum's daemons (and the agent) that are plain values: default ports
// one daemon listens on and another dials, kernel argument keys one side writes and the other
// parses, Secret names and keys, and label keys one daemon writes and another selects on.
// Each is spelled here once; both sides use these names, never the literal (STYLE.md,
// "Contracts between daemons ... are constants in libs/common").

#include <cstdint>
#include <string_view>

namespace ferrum::contract {

// ---- Default ports: the listener's --listen default and the dialler's default endpoint.
// ferrum-registry's api.Agent service; ferrum-ipxe-http hands it to the agent (ferrum.endpoint=).
inline constexpr std::uint16_t kRegistryPort = 50100;
// ferrum-metadata's /configdata; ferrum-ipxe-http puts it into talos.config= and redirects
// Sidero's /configdata there.
inline constexpr std::uint16_t kMetadataPort = 9091;
// ferrum-linkd's Provision API; ferrum-ipxe-http puts it into siderolink.api=, ferrum-metadata
// into the SideroLinkConfig document.
inline constexpr std::uint16_t kLinkApiPort = 50110;
// ferrum-linkd's kernel log receiver and Talos event sink on the link server address;
// ferrum-ipxe-http writes them into talos.logging.kernel= and talos.events.sink=,
// ferrum-metadata into the KmsgLogConfig and EventSinkConfig documents (Sidero: 4001, 4002).
inline constexpr std::uint16_t kLinkLogsPort = 4001;
inline constexpr std::uint16_t kLinkEventsPort = 4002;
// ferrum-bmcd's Power service; ferrum-reconciler dials it (--bmcd-endpoint).
inline constexpr std::uint16_t kBmcdPort = 50120;

// ---- Kernel arguments ferrum-ipxe-http gives the agent environment and ferrum-agent parses
// (services/ipxe-http/boot_decision.cpp, agent/cmdline.cpp).
inline constexpr std::string_view kAgentMacArg = "ferrum.mac";            // the PXE NIC
inline constexpr std::string_view kAgentEndpointArg = "ferrum.endpoint";  // ferrum-registry

// ---- ferrum-linkd's installation Secret: written by ferrum-linkd, read by ferrum-ipxe-http
// and ferrum-metadata (siderolink_secret.hpp). The name and keys are Sidero's.
inline constexpr std::string_view kLinkInstallationSecret = "ferrum-system/siderolink";
inline constexpr std::string_view kLinkInstallationIdKey = "installation-id";
inline constexpr std::string_view kLinkPrivateKeyKey = "private-key";

// ---- Labels.
// On the workload cluster's Node: ferrum-metadata's machine config sets it, ferrum-reconciler
// finds a Server's Node by it (Sidero's metal.sidero.dev/uuid).
inline constexpr std::string_view kServerUuidLabel = "metal.sidero.dev/uuid";
// Cluster API's cluster name label: on MetalMachines and ServerBindings (reconciler, linkd) and
// the bootstrap Secrets ferrum-metadata watches.
inline constexpr std::string_view kClusterNameLabel = "cluster.x-k8s.io/cluster-name";

}  // namespace ferrum::contract
