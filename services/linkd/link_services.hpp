#pragma once
// The two gRPC services of ferrum-linkd, on the callback API with their API server work on
// the WorkerPool (CallDispatcher):
// - ProvisionService (sidero.link, on --api-listen): the node's ServerBinding must exist;
//   its stored address is kept, else one is allocated; spec.siderolink{address,publicKey}
//   is written (merge patch) when it differs; the peer is handed to PeerSync at once.
//   Counts linkd_provisions_total{result}.
// - EventSinkService (events, on [server]:--event-listen-port, reachable only through the
//   tunnel): the source address names the node (NodeDirectory); map_event() says what the
//   event means; binding changes are written with get/modify/update (status separately),
//   redone on 409. Unknown types are acknowledged (logged). An event that would change a
//   binding but comes from an address no binding has is UNKNOWN (event_verdict: Sidero's
//   answer; Talos resends it); API server trouble is UNAVAILABLE so Talos resends. Counts
//   linkd_events_total{type} and linkd_events_refused_total{reason}.

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "ferrum/call_dispatcher.hpp"
#include "events.grpc.pb.h"
#include "ferrum/clock.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "node_directory.hpp"
#include "peer_sync.hpp"
#include "provision.grpc.pb.h"

namespace ferrum::linkd {

struct ProvisionSettings {
  std::string endpoint;  // "host:port" answered as server_endpoint
  std::string join_token;
  WgKey server_public_key;
  Ipv6Bytes network{};
  Ipv6Bytes server_address{};
};

class ProvisionServiceImpl final : public sidero::link::ProvisionService::CallbackService {
 public:
  ProvisionServiceImpl(ProvisionSettings settings, kube::Client& kube, PeerSync& peers,
                       CallDispatcher& calls, metrics::Registry& registry, log::Logger log);

  grpc::ServerUnaryReactor* Provision(grpc::CallbackServerContext* ctx,
                                      const sidero::link::ProvisionRequest* req,
                                      sidero::link::ProvisionResponse* resp) override;

 private:
  grpc::Status provision(const sidero::link::ProvisionRequest& req,
                         sidero::link::ProvisionResponse* resp, const std::string& peer);

  ProvisionSettings settings_;
  kube::Client& kube_;
  PeerSync& peers_;
  CallDispatcher& calls_;
  metrics::Family<metrics::Counter>& results_;
  log::Logger log_;
};

class EventSinkServiceImpl final : public events::EventSinkService::CallbackService {
 public:
  EventSinkServiceImpl(std::vector<Prefix> negative_filter, const NodeDirectory& nodes,
                       kube::Client& kube, CallDispatcher& calls, Clock& clock,
                       std::int64_t conflict_retries, metrics::Registry& registry, log::Logger log);

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const events::EventRequest* req,
                                    events::EventResponse* resp) override;

 private:
  grpc::Status write(const std::string& binding, const EventEffect& effect,
                     CallDispatcher::Deadline deadline);

  std::vector<Prefix> negative_filter_;
  const NodeDirectory& nodes_;
  kube::Client& kube_;
  CallDispatcher& calls_;
  Clock& clock_;
  std::int64_t conflict_retries_;
  metrics::Family<metrics::Counter>& events_;
  metrics::Counter& unattributed_;
  log::Logger log_;
};

// "ipv6:[fd00::5]:41234" / "ipv4:10.0.0.1:5" (grpc's peer()) -> the address; nullopt else.
std::optional<Ipv6Bytes> grpc_peer_address(const std::string& peer);

}  // namespace ferrum::linkd
