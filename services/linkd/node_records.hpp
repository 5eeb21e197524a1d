#pragma once
// What ferrum-linkd writes about a node: its kmsg lines enriched with where the machine is
// (server_uuid, namespace, cluster, metal_machine, machine), and the ServerBinding changes
// its Talos events stand for (as Sidero's events-manager maps them). Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/model/conditions.hpp"
#include "ferrum/model/server_binding.hpp"
#include "kmsg_line.hpp"
#include "link_plan.hpp"

namespace google::protobuf {
class Any;
}

namespace ferrum::linkd {

// From a ServerBinding and (when known) its MetalMachine: server_uuid = binding name,
// namespace/metal_machine = spec.metalMachineRef, cluster = the binding's (else the
// MetalMachine's) cluster.x-k8s.io/cluster-name label, machine = the MetalMachine's owner
// of kind Machine.
NodeAnnotation annotation_for(const Json& binding, const Json* metal_machine);

// --- Events --------------------------------------------------------------------------
struct EventEffect {
  std::string type;  // the message name ("AddressEvent"), or the type URL when unknown
  bool known = false;
  std::string decode_error;  // a known type whose bytes do not parse
  std::optional<std::vector<std::string>> addresses;
  std::optional<std::string> hostname;
  std::vector<model::Condition> conditions;
  std::vector<std::pair<std::string, std::string>> log_fields;  // for the daemon's log

  bool changes_binding() const {
    return addresses.has_value() || hostname.has_value() || !conditions.empty();
  }
};

// Prefixes (CIDR) whose addresses AddressEvent reports are dropped from spec.addresses
// (--negative-address-filter); parse errors name the bad entry.
struct Prefix {
  Ipv6Bytes addr{};  // IPv4 as ::ffff:a.b.c.d
  int len = 0;       // within the 128-bit form
};
Expected<std::vector<Prefix>, std::string> parse_prefixes(const std::vector<std::string>& cidrs);
bool prefix_contains(const std::vector<Prefix>& prefixes, const Ipv6Bytes& addr);

// What an event from the node at `source` means. Talos packs events with anypb.New, so the
// type URL is "type.googleapis.com/machine.<Message>"; any other type is known=false.
EventEffect map_event(const google::protobuf::Any& data, const Ipv6Bytes& source,
                      const std::vector<Prefix>& negative_filter);

// What the event sink answers. An event that changes a ServerBinding but comes from an
// address no binding has (yet) is refused, as Sidero's events-manager refuses it
// (Adapter.patchServerBinding in app/sidero-controller-manager/cmd/events-manager/adapter.go
// returns "failed to find ServerBindings for ip ..."; siderolink's pkg/events/sink.go hands
// that plain Go error to gRPC, which sends UNKNOWN). Talos' EventsSinkController
// (internal/app/machined/pkg/controllers/runtime/events_sink.go) stops on any Publish error and
// its restart resumes after the last acknowledged event, so the event is sent again: a binding
// the informer shows a moment later is not a lost event. Events that change nothing are
// acknowledged whoever sends them.
enum class EventVerdict { kAcknowledge, kWrite, kUnknownNode };
EventVerdict event_verdict(const EventEffect& effect, bool binding_known);
// The status message of kUnknownNode (Sidero's wording, plus what to check).
std::string unknown_node_message(std::string_view node_address);

// Applies the effect; returns {spec changed, status changed}.
std::pair<bool, bool> apply_effect(model::ServerBinding& binding, const EventEffect& effect,
                                   model::Timestamp now);

}  // namespace ferrum::linkd
