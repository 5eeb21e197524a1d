// The Server controller in three steps: gather the facts (cache, binding, the BMC's power
// state), let plan_server decide (server_plan.hpp, pure), carry the plan out (finalizer, the
// cycle's intent, the power action, Events, status).
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_binding.hpp"

namespace ferrum::reconciler {

namespace {

const kube::ResourceId& servers_resource() {
  static const kube::ResourceId r = kube::resource_of(model::kServer);
  return r;
}

bool has_bmc(const model::Server& s) {
  if (auto b = s.bmc(); b && !b->endpoint.empty()) return true;
  if (auto m = s.management_api(); m && !m->endpoint.empty()) return true;
  return false;
}

const kube::Json& status_of(const model::Server& s) {
  static const kube::Json kNone;
  auto it = s.raw().find("status");
  return it == s.raw().end() ? kNone : *it;
}

}  // namespace

ServerController::ServerController(Deps deps, PowerControl& power)
    : d_(std::move(deps)), power_(power) {
  power_ops_ = &d_.registry.counter("ferrum_reconciler_power_operations_total",
                                    "Power and boot-device operations sent to ferrum-bmcd, by "
                                    "operation and result.",
                                    {"operation", "result"});
}

WatchSet ServerController::watches() {
  return WatchSet()
      .for_kind(model::kServer)
      // A ServerBinding is named by its Server: it decides allocation and PXEBooted.
      .watches(model::kServerBinding, same_key);
}

void ServerController::count(PowerAction a, const char* result) {
  power_ops_->with({std::string(power_action_name(a)), result}).inc();
}

std::optional<bool> ServerController::cached_power(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = power_memo_.find(key);
  if (it == power_memo_.end()) return std::nullopt;
  if (d_.clock.monotonic() - it->second.checked >= d_.settings.power_check_period) {
    return std::nullopt;
  }
  return it->second.on;
}

void ServerController::remember_power(const std::string& key, std::optional<bool> on) {
  std::lock_guard lock(mu_);
  if (on) {
    power_memo_[key] = PowerMemo{*on, d_.clock.monotonic()};
  } else {
    power_memo_.erase(key);
  }
}

Outcome ServerController::reconcile(const std::string& key, std::stop_token) {
  auto obj = d_.caches.servers->get(key);
  if (!obj) {
    remember_power(key, std::nullopt);
    fence_.forget(key);
    once_.clear_all(key);
    return kube::ReconcileResult{};
  }
  model::Server server(*obj);
  if (fence_.stale(key, server.resource_version())) return kube::ReconcileResult{};
  auto facts = gather(key, server);
  if (!facts) return kube::ReconcileResult{};  // gone at bmcd: the cache hears of it soon
  ServerPlan plan = plan_server(server, *facts);
  return execute(key, std::move(server), *facts, std::move(plan));
}

std::optional<ServerFacts> ServerController::gather(const std::string& key,
                                                    const model::Server& server) {
  ServerFacts f;
  f.now = now_seconds(d_.clock);
  f.reboot_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(d_.settings.server_reboot_timeout);
  f.default_pxe_mode = d_.settings.ipmi_pxe_method;
  f.power_check_period = d_.settings.power_check_period;
  if (auto b = d_.caches.bindings->get(key)) {
    model::ServerBinding binding(*b);
    f.allocated = true;
    auto ref = binding.metal_machine_ref();
    f.bound_to = ref.namespace_ + "/" + ref.name;
    f.installed = binding.is_condition_true(model::kConditionTalosInstalled);
  }
  f.has_bmc = has_bmc(server);
  // Nothing is asked of the BMC of a Server Ferrum does not manage.
  if (!server.accepted() || server.is_being_deleted() || !f.has_bmc) return f;
  f.powered_on = cached_power(key);
  if (f.powered_on) return f;
  auto st = power_.power_state(key);
  if (st) {
    remember_power(key, *st);
    f.powered_on = *st;
    return f;
  }
  switch (st.error().kind) {
    case PowerError::Kind::kGone:
      return std::nullopt;
    case PowerError::Kind::kNoBmc:
      f.bmc_unusable = st.error().message;
      break;
    case PowerError::Kind::kUnavailable:
    case PowerError::Kind::kFailed:
      f.power_read_error = st.error().message;
      count(PowerAction::kNone, "state-error");
      break;
  }
  return f;
}

Expected<Done, PowerError> ServerController::act(const std::string& key, const ServerPlan& plan) {
  Expected<Done, PowerError> r = Done{};
  if (!plan.boot_mode.empty()) {
    r = power_.set_pxe_boot(key, plan.boot_mode);
    count(plan.action, r ? "pxe-set" : "pxe-error");
    if (!r) return r;
  }
  switch (plan.action) {
    case PowerAction::kPowerOn:
      return power_.power_on(key);
    case PowerAction::kPowerOff:
      return power_.power_off(key);
    case PowerAction::kPowerCycle:
      return power_.power_cycle(key);
    case PowerAction::kNone:
      break;
  }
  return r;
}

void ServerController::report(const std::string& key, const model::Server& server,
                              const ServerPlan& plan) {
  for (const auto& e : plan.events) {
    if (e.once && !once_.first(key, e.reason)) continue;
    d_.events.record(server.raw(), e.warning ? kube::EventKind::kWarning : kube::EventKind::kNormal,
                     e.reason, e.message);
  }
  // A once-event the plan no longer names is armed again for the next time.
  for (std::string_view reason : {kEventNoBmc, kEventBmcUnusable}) {
    bool named = false;
    for (const auto& e : plan.events) named = named || e.reason == reason;
    if (!named) once_.clear(key, std::string(reason));
  }
}

Outcome ServerController::execute(const std::string& key, model::Server server,
                                  const ServerFacts& facts, ServerPlan plan) {
  // Finalizer changes go first: they replace metadata, and the status write must carry the
  // resourceVersion that comes back.
  if (plan.finalizer != FinalizerChange::kNone) {
    model::Server meta = server;
    if (plan.finalizer == FinalizerChange::kAdd) {
      meta.add_finalizer(model::kServerFinalizer);
    } else {
      meta.remove_finalizer(model::kServerFinalizer);
    }
    auto updated = d_.client.update(servers_resource(), meta.raw());
    if (!updated) return unexpected(retriable("finalizer: " + updated.error().describe()));
    fence_.wrote(key, server.resource_version());
    if (plan.finalizer == FinalizerChange::kRemove) {
      report(key, server, plan);
      return kube::ReconcileResult{};
    }
    server = model::Server(std::move(*updated));
    plan.desired.raw()["metadata"] = server.raw()["metadata"];
  }

  // Writes the desired status over `server` (when it differs) and fences the version replaced.
  auto write_status = [&](const model::Server& desired) -> Expected<Done, kube::ReconcileError> {
    if (status_of(desired) == status_of(server)) return Done{};
    auto r = d_.client.update_status(servers_resource(), desired.raw());
    if (!r) return unexpected(retriable("status: " + r.error().describe()));
    fence_.wrote(key, server.resource_version());
    server = model::Server(std::move(*r));
    return Done{};
  };

  if (plan.cycle_intent) {
    // The intent (PowerCycle=False/InProgress) is durable before the machine is touched, so
    // neither a crash nor a new leader cycles it a second time.
    if (auto w = write_status(plan.desired); !w) return unexpected(w.error());
    plan.desired = server;
  }

  if (plan.action != PowerAction::kNone) {
    auto r = act(key, plan);
    count(plan.action, r ? "ok" : "error");
    remember_power(key,
                   r ? std::optional<bool>(plan.action != PowerAction::kPowerOff) : std::nullopt);
    settle_power(plan, facts, r ? std::nullopt : std::optional<std::string>(r.error().message));
  }

  report(key, server, plan);
  auto written = write_status(plan.desired);
  if (!plan.error.empty()) return unexpected(retriable(plan.error));
  if (!written) return unexpected(written.error());
  kube::ReconcileResult result;
  result.requeue_after = std::chrono::duration_cast<Clock::Duration>(plan.requeue_after);
  return result;
}

}  // namespace ferrum::reconciler
