#include "server_registry.hpp"

#include <fmt/format.h>

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"

namespace ferrum::registry {

namespace {

grpc::Status invalid(std::string msg) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(msg));
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

ServerRegistry::ServerRegistry(const Settings& settings, kube::Client& kube,
                               kube::EventRecorder& events, metrics::Registry& registry,
                               Clock& clock, log::Logger log)
    : settings_(settings),
      policy_{settings.insecure_wipe, settings.auto_bmc_setup,
              std::chrono::duration_cast<std::chrono::seconds>(settings.server_reboot_timeout)},
      kube_(kube),
      events_(events),
      clock_(clock),
      log_(std::move(log)),
      conflicts_(registry
                     .counter("registry_write_conflicts_total",
                              "Writes that met a newer resourceVersion (409) and were redone "
                              "from a fresh read")
                     .get()),
      registrations_(registry.counter("registry_registrations_total",
                                      "CreateServer calls by what happened to the Server",
                                      {"result"})) {}

model::Timestamp ServerRegistry::now() const {
  return std::chrono::floor<std::chrono::seconds>(clock_.now());
}

grpc::Status ServerRegistry::from_kube(const kube::Error& e, const std::string& what,
                                       Deadline deadline) const {
  std::string msg = what + ": " + e.describe();
  if (kube::is_not_found(e)) return grpc::Status(grpc::StatusCode::NOT_FOUND, msg);
  if (kube::is_invalid(e)) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg);
  if (kube::is_conflict(e)) return grpc::Status(grpc::StatusCode::ABORTED, msg);
  if (clock_.now() >= deadline) return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, msg);
  if (kube::is_retryable(e) || kube::is_transport(e)) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, msg);
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, msg);
}

grpc::Status ServerRegistry::modify_server(const std::string& name, Deadline deadline, bool status,
                                           const std::function<bool(model::Server&)>& change,
                                           model::Server* written) {
  const std::string what = "server \"" + name + "\"";
  for (std::int64_t attempt = 0;; ++attempt) {
    if (clock_.now() >= deadline) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          what + ": deadline passed before the write");
    }
    auto s = kube::get_as<model::Server>(kube_, model::kServer, "", name);
    if (!s) {
      if (kube::is_not_found(s.error())) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            what + " not found (the agent registers with CreateServer first)");
      }
      return from_kube(s.error(), "reading " + what, deadline);
    }
    if (!change(*s)) {
      if (written) *written = std::move(*s);
      return grpc::Status::OK;
    }
    auto r = status ? kube::update_status_as(kube_, model::kServer, *s)
                    : kube::update_as(kube_, model::kServer, *s);
    if (r) {
      if (written) *written = std::move(*r);
      return grpc::Status::OK;
    }
    if (!kube::is_conflict(r.error()) || attempt >= settings_.conflict_retries) {
      return from_kube(r.error(), "writing " + what, deadline);
    }
    conflicts_.inc();
  }
}

grpc::Status ServerRegistry::create_server(const api::CreateServerRequest& req, Deadline deadline,
                                           api::CreateServerResponse* resp) {
  const auto& hw = req.hardware();
  // Bounds first: nothing of an oversized or garbled inventory is logged or written. The
  // message names the field, not its value (which may be a megabyte of control characters).
  if (auto err = check_request(req, settings_.inventory); !err.empty()) {
    log_.warn("registration refused", {{"error", err}});
    registrations_.with({"refused"}).inc();
    return invalid(err);
  }
  auto name = server_name_for_uuid(hw.system().uuid());
  if (!name) {
    // Nothing is written for such a machine (there is no object to hang an Event on); the
    // MACs are what an operator can find it by.
    log_.warn(
        "registration refused",
        {{"error", name.error()}, {"macs", join(reported_macs(hw))}, {"hostname", req.hostname()}});
    registrations_.with({"refused"}).inc();
    return invalid(name.error());
  }
  model::HardwareInformation mapped = map_hardware(hw, *name);
  if (auto err = check_inventory_size(mapped, settings_.inventory); !err.empty()) {
    log_.warn("registration refused", {{"server", *name}, {"error", err}});
    registrations_.with({"refused"}).inc();
    return invalid(err);
  }

  for (std::int64_t attempt = 0;; ++attempt) {
    if (clock_.now() >= deadline) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          "server \"" + *name + "\": deadline passed before the write");
    }
    auto existing = kube::get_as<model::Server>(kube_, model::kServer, "", *name);
    if (!existing && !kube::is_not_found(existing.error())) {
      return from_kube(existing.error(), "reading server \"" + *name + "\"", deadline);
    }
    if (!existing) {
      model::Server s = model::Server::make(*name);
      s.set_hardware(mapped);
      if (!req.hostname().empty()) s.set_hostname(req.hostname());
      s.set_accepted(settings_.auto_accept_servers);
      auto created = kube::create_as(kube_, model::kServer, s);
      if (!created) {
        // Another agent call for the same machine won the race: answer from its object.
        if (kube::is_already_exists(created.error()) && attempt < settings_.conflict_retries) {
          conflicts_.inc();
          continue;
        }
        return from_kube(created.error(), "creating server \"" + *name + "\"", deadline);
      }
      log_.info("server registered", {{"server", *name},
                                      {"accepted", settings_.auto_accept_servers},
                                      {"macs", join(reported_macs(hw))}});
      events_.normal(created->raw(), "ServerRegistration", "Server registered by the agent.");
      registrations_.with({"created"}).inc();
      *resp = answer_for(*created, policy_);
      return grpc::Status::OK;
    }
    if (existing->hardware() == mapped) {
      registrations_.with({"unchanged"}).inc();
      *resp = answer_for(*existing, policy_);
      return grpc::Status::OK;
    }
    existing->set_hardware(mapped);
    auto updated = kube::update_as(kube_, model::kServer, *existing);
    if (!updated) {
      if (kube::is_conflict(updated.error()) && attempt < settings_.conflict_retries) {
        conflicts_.inc();
        continue;
      }
      return from_kube(updated.error(), "updating server \"" + *name + "\"", deadline);
    }
    log_.info("server hardware changed", {{"server", *name}});
    events_.normal(updated->raw(), "HardwareChanged",
                   "spec.hardware updated from the agent's new inventory.");
    registrations_.with({"hardware_changed"}).inc();
    *resp = answer_for(*updated, policy_);
    return grpc::Status::OK;
  }
}

grpc::Status ServerRegistry::mark_wiped(const std::string& uuid, Deadline deadline) {
  auto name = server_name_for_uuid(uuid, "uuid");
  if (!name) return invalid(name.error());
  model::Server done;
  auto st = modify_server(
      *name, deadline, true,
      [this](model::Server& s) {
        bool changed = !s.is_clean();
        s.set_is_clean(true);
        // Sidero marks the wipe cycle finished with PowerCycle=True; the reconciler only
        // treats PowerCycle=False as "a wipe is in progress".
        changed |= s.set_condition(
            model::Condition{std::string(kPowerCycleCondition), std::string(model::kStatusTrue), "",
                             "Wiped", "Disks wiped by the agent.", std::nullopt},
            now());
        return changed;
      },
      &done);
  if (st.ok()) {
    log_.info("server wiped", {{"server", *name}});
    events_.normal(done.raw(), "ServerWiped", "Server wiped by the agent.");
  }
  return st;
}

grpc::Status ServerRegistry::heartbeat(const std::string& uuid, Deadline deadline) {
  auto name = server_name_for_uuid(uuid, "uuid");
  if (!name) return invalid(name.error());
  return modify_server(*name, deadline, true, [this](model::Server& s) {
    // Removing first makes set_condition stamp a fresh lastTransitionTime: the reconciler
    // judges "wipe still running" by that time being younger than --server-reboot-timeout.
    s.remove_condition(kPowerCycleCondition);
    s.set_condition(
        model::Condition{std::string(kPowerCycleCondition), std::string(model::kStatusFalse),
                         std::string(model::kSeverityInfo), "InProgress",
                         "Server wipe in progress.", std::nullopt},
        now());
    return true;
  });
}

grpc::Status ServerRegistry::reconcile_addresses(const api::ReconcileServerAddressesRequest& req,
                                                 Deadline deadline) {
  if (auto err = check_request(req, settings_.inventory); !err.empty()) return invalid(err);
  auto name = server_name_for_uuid(req.uuid(), "uuid");
  if (!name) return invalid(name.error());
  auto reported = parse_addresses(req.address());
  if (!reported) return invalid(reported.error());
  return modify_server(*name, deadline, true, [&](model::Server& s) {
    auto old = s.addresses();
    auto merged = merge_addresses(old, *reported);
    if (merged == old) return false;
    s.set_addresses(merged);
    return true;
  });
}

grpc::Status ServerRegistry::upsert_bmc_secret(const model::Server& server,
                                               const api::BMCInfo& info, Deadline deadline) {
  const std::string& ns = settings_.bmc_secret_namespace;
  const std::string sname = server.name() + "-bmc";
  const std::string what = "secret " + ns + "/" + sname;
  for (std::int64_t attempt = 0;; ++attempt) {
    if (clock_.now() >= deadline) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          what + ": deadline passed before the write");
    }
    auto existing = kube::get_as<model::Secret>(kube_, model::kSecret, ns, sname);
    if (!existing && !kube::is_not_found(existing.error())) {
      return from_kube(existing.error(), "reading " + what, deadline);
    }
    model::Secret sec = existing ? std::move(*existing) : model::Secret::make(ns, sname);
    if (existing && sec.value("user") == info.user() && sec.value("pass") == info.pass() &&
        sec.is_owned_by(server.uid())) {
      return grpc::Status::OK;
    }
    sec.set_value("user", info.user());
    sec.set_value("pass", info.pass());
    if (!existing) {
      sec.set_type("Opaque");
      // clusterctl move carries labelled Secrets along with the Servers (as Sidero does).
      sec.set_label("clusterctl.cluster.x-k8s.io/move", "");
    }
    sec.add_owner_reference(model::OwnerReference{server.api_version(), "Server", server.name(),
                                                  server.uid(), true, true});
    auto r = existing ? kube::update_as(kube_, model::kSecret, sec)
                      : kube::create_as(kube_, model::kSecret, sec);
    if (r) return grpc::Status::OK;
    bool retry = kube::is_conflict(r.error()) || kube::is_already_exists(r.error());
    if (!retry || attempt >= settings_.conflict_retries) {
      return from_kube(r.error(), "writing " + what, deadline);
    }
    conflicts_.inc();
  }
}

grpc::Status ServerRegistry::update_bmc_info(const api::UpdateBMCInfoRequest& req,
                                             Deadline deadline) {
  if (auto err = check_request(req, settings_.inventory); !err.empty()) return invalid(err);
  auto name = server_name_for_uuid(req.uuid(), "uuid");
  if (!name) return invalid(name.error());
  if (!req.has_bmc_info()) return invalid("bmc_info: missing");
  if (auto err = validate_bmc_info(req.bmc_info()); !err.empty()) return invalid(err);
  const auto& info = req.bmc_info();
  auto server = kube::get_as<model::Server>(kube_, model::kServer, "", *name);
  if (!server) {
    if (kube::is_not_found(server.error())) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "server \"" + *name + "\" not found");
    }
    return from_kube(server.error(), "reading server \"" + *name + "\"", deadline);
  }
  const std::string secret_name = *name + "-bmc";
  // The Secret first: spec.bmc must never point at credentials that do not exist yet.
  if (!info.user().empty()) {
    if (auto st = upsert_bmc_secret(*server, info, deadline); !st.ok()) return st;
  }
  model::Server done;
  auto st = modify_server(
      *name, deadline, false,
      [&](model::Server& s) {
        auto old = s.bmc();
        auto next = bmc_spec_for(old, info, settings_.bmc_secret_namespace, secret_name);
        if (old && *old == next) return false;
        s.set_bmc(next);
        return true;
      },
      &done);
  if (st.ok()) {
    log_.info("bmc info updated", {{"server", *name},
                                   {"endpoint", info.ip()},
                                   {"port", info.port()},
                                   {"credentials", !info.user().empty()}});
    events_.normal(done.raw(), "BMCUpdated", "BMC endpoint and credentials reported by the agent.");
  }
  return st;
}

}  // namespace ferrum::registry
