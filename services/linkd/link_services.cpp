#include "link_services.hpp"

#include <openssl/rand.h>

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_binding.hpp"

namespace ferrum::linkd {

namespace {

grpc::Status from_kube(const kube::Error& e, const std::string& what) {
  std::string msg = what + ": " + e.describe();
  if (kube::is_not_found(e)) return grpc::Status(grpc::StatusCode::NOT_FOUND, msg);
  if (kube::is_invalid(e)) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg);
  if (kube::is_conflict(e)) return grpc::Status(grpc::StatusCode::ABORTED, msg);
  if (kube::is_retryable(e) || kube::is_transport(e)) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, msg);
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, msg);
}

std::uint64_t random_u64() {
  std::uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return v;
}

}  // namespace

std::optional<Ipv6Bytes> grpc_peer_address(const std::string& encoded) {
  // grpc URI-encodes the brackets: "ipv6:%5Bfd00::5%5D:41234".
  std::string peer;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      peer.push_back(static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      peer.push_back(encoded[i]);
    }
  }
  if (peer.starts_with("ipv6:[")) {
    auto close = peer.find(']');
    if (close == std::string::npos) return std::nullopt;
    auto host = peer.substr(6, close - 6);
    if (auto pct = host.find('%'); pct != std::string::npos) host.resize(pct);  // zone
    return parse_ipv6(host);
  }
  if (peer.starts_with("ipv4:")) {
    auto host = peer.substr(5, peer.rfind(':') - 5);
    return parse_ipv6("::ffff:" + host);
  }
  return std::nullopt;
}

ProvisionServiceImpl::ProvisionServiceImpl(ProvisionSettings settings, kube::Client& kube,
                                           PeerSync& peers, CallDispatcher& calls,
                                           metrics::Registry& registry, log::Logger log)
    : settings_(std::move(settings)),
      kube_(kube),
      peers_(peers),
      calls_(calls),
      results_(registry.counter("linkd_provisions_total", "Provision calls by result", {"result"})),
      log_(std::move(log)) {}

grpc::ServerUnaryReactor* ProvisionServiceImpl::Provision(grpc::CallbackServerContext* ctx,
                                                          const sidero::link::ProvisionRequest* req,
                                                          sidero::link::ProvisionResponse* resp) {
  std::string peer = ctx->peer();
  return calls_.dispatch(ctx, "Provision", [this, req, resp, peer](CallDispatcher::Deadline) {
    return provision(*req, resp, peer);
  });
}

grpc::Status ProvisionServiceImpl::provision(const sidero::link::ProvisionRequest& req,
                                             sidero::link::ProvisionResponse* resp,
                                             const std::string& peer) {
  ProvisionInput in;
  in.node_uuid = req.node_uuid();
  in.node_public_key = req.node_public_key();
  if (req.has_join_token()) in.join_token = req.join_token();
  in.required_join_token = settings_.join_token;
  in.network = settings_.network;
  in.random_low = random_u64();
  // Look the binding up only for a well-formed request (plan_provision checks the rest).
  ProvisionPlan precheck = plan_provision(in);
  kube::Result<kube::Json> binding = unexpected(kube::Error{});
  if (precheck.refusal == ProvisionRefusal::kNotFound) {
    binding = kube_.get(kube::resource_of(model::kServerBinding), "", precheck.binding_name);
    if (!binding && !kube::is_not_found(binding.error())) {
      results_.with({"error"}).inc();
      return from_kube(binding.error(), "reading ServerBinding " + precheck.binding_name);
    }
    if (binding) in.binding = &*binding;
  }
  ProvisionPlan plan = in.binding != nullptr ? plan_provision(in) : precheck;
  auto refuse = [&](grpc::StatusCode code, const char* result) {
    results_.with({result}).inc();
    log_.warn(
        "provision refused",
        {{"server", plan.binding_name.empty() ? req.node_uuid().substr(0, 64) : plan.binding_name},
         {"peer", peer},
         {"reason", plan.message}});
    return grpc::Status(code, plan.message);
  };
  switch (plan.refusal) {
    case ProvisionRefusal::kInvalidArgument:
      return refuse(grpc::StatusCode::INVALID_ARGUMENT, "invalid");
    case ProvisionRefusal::kPermissionDenied:
      return refuse(grpc::StatusCode::PERMISSION_DENIED, "denied");
    case ProvisionRefusal::kNotFound:
      return refuse(grpc::StatusCode::NOT_FOUND, "not_found");
    case ProvisionRefusal::kNone:
      break;
  }
  if (plan.write) {
    auto r = kube_.patch(kube::resource_of(model::kServerBinding), "", plan.binding_name,
                         kube::PatchType::kMerge, siderolink_patch(plan));
    if (!r) {
      results_.with({"error"}).inc();
      return from_kube(r.error(), "writing spec.siderolink of ServerBinding " + plan.binding_name);
    }
  }
  peers_.set_peer(plan.binding_name,
                  DesiredPeer{*parse_key_base64(plan.public_key),
                              siderolink::format_ipv6(plan.node_address) + "/128"});
  resp->add_server_endpoint(settings_.endpoint);
  resp->set_server_public_key(settings_.server_public_key.base64());
  resp->set_node_address_prefix(plan.address_prefix);
  resp->set_server_address(siderolink::format_ipv6(settings_.server_address));
  results_.with({plan.write ? "provisioned" : "unchanged"}).inc();
  log_.info("provisioned", {{"server", plan.binding_name},
                            {"address", plan.address_prefix},
                            {"peer", peer},
                            {"written", plan.write},
                            {"talos_version", req.talos_version()}});
  return grpc::Status::OK;
}

EventSinkServiceImpl::EventSinkServiceImpl(std::vector<Prefix> negative_filter,
                                           const NodeDirectory& nodes, kube::Client& kube,
                                           CallDispatcher& calls, Clock& clock,
                                           std::int64_t conflict_retries,
                                           metrics::Registry& registry, log::Logger log)
    : negative_filter_(std::move(negative_filter)),
      nodes_(nodes),
      kube_(kube),
      calls_(calls),
      clock_(clock),
      conflict_retries_(conflict_retries),
      events_(registry.counter("linkd_events_total", "Events received by type", {"type"})),
      unattributed_(registry
                        .counter("linkd_events_refused_total",
                                 "Events refused (Talos resends them), by reason", {"reason"})
                        .with({"unknown_node"})),
      log_(std::move(log)) {}

grpc::ServerUnaryReactor* EventSinkServiceImpl::Publish(grpc::CallbackServerContext* ctx,
                                                        const events::EventRequest* req,
                                                        events::EventResponse*) {
  auto* reactor = ctx->DefaultReactor();
  std::string peer = ctx->peer();
  auto addr = grpc_peer_address(peer);
  if (!addr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unknown source " + peer));
    return reactor;
  }
  EventEffect effect = map_event(req->data(), *addr, negative_filter_);
  events_.with({effect.known ? effect.type : std::string("unknown")}).inc();
  auto binding = nodes_.binding_for(*addr);
  log::Fields fields = {{"event", effect.type},
                        {"id", req->id()},
                        {"node", siderolink::format_ipv6(*addr)},
                        {"server", binding.value_or("")}};
  for (const auto& [k, v] : effect.log_fields) fields.push_back({k, v});
  if (!effect.decode_error.empty()) {
    fields.push_back({"error", effect.decode_error});
    log_.warn("event not understood", fields);
  } else {
    log_.info("event", fields);
  }
  switch (event_verdict(effect, binding.has_value())) {
    case EventVerdict::kAcknowledge:
      reactor->Finish(grpc::Status::OK);
      return reactor;
    case EventVerdict::kUnknownNode:
      // Talos resends it (event_verdict's contract); UNKNOWN is what Sidero answered.
      unattributed_.inc();
      log_.warn("event from an unknown node refused", fields);
      reactor->Finish(grpc::Status(grpc::StatusCode::UNKNOWN,
                                   unknown_node_message(siderolink::format_ipv6(*addr))));
      return reactor;
    case EventVerdict::kWrite:
      break;
  }
  return calls_.dispatch(ctx, "Publish",
                         [this, name = *binding, effect](CallDispatcher::Deadline d) {
                           return write(name, effect, d);
                         });
}

grpc::Status EventSinkServiceImpl::write(const std::string& name, const EventEffect& effect,
                                         CallDispatcher::Deadline deadline) {
  const auto res = kube::resource_of(model::kServerBinding);
  for (std::int64_t attempt = 0;; ++attempt) {
    if (std::chrono::system_clock::now() >= deadline) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before the write");
    }
    auto b = kube::get_as<model::ServerBinding>(kube_, model::kServerBinding, "", name);
    if (!b) {
      if (kube::is_not_found(b.error())) return grpc::Status::OK;  // released meanwhile
      return from_kube(b.error(), "reading ServerBinding " + name);
    }
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
    auto [spec, status] = apply_effect(*b, effect, now);
    kube::Result<kube::Json> r = b->raw();
    if (spec) r = kube_.update(res, b->raw());
    if (r && status) {
      // The status write needs the resourceVersion the spec write produced.
      model::ServerBinding after(*r);
      after.raw()["status"] = b->raw().value("status", kube::Json::object());
      r = kube_.update_status(res, after.raw());
    }
    if (r) return grpc::Status::OK;
    if (!kube::is_conflict(r.error()) || attempt >= conflict_retries_) {
      return from_kube(r.error(), "writing ServerBinding " + name);
    }
  }
}

}  // namespace ferrum::linkd
