#include "reconciler_app.hpp"

#include <thread>

#include "ferrum/kube/leader_election.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {

ReconcilerApp::ReconcilerApp(const Settings& settings, kube::Client& client, PowerControl& power,
                             kube::EventRecorder& events, Clock& clock, metrics::Registry& registry,
                             log::Logger logger, std::string identity, std::string lease_namespace)
    : settings_(settings),
      client_(client),
      power_(power),
      events_(events),
      clock_(clock),
      registry_(registry),
      log_(std::move(logger)),
      identity_(std::move(identity)),
      lease_namespace_(std::move(lease_namespace)) {
  leader_gauge_ = &registry_
                       .gauge("ferrum_reconciler_leader",
                              "1 while this replica holds the Lease and runs the controllers.")
                       .get();
  durations_ = &registry_.histogram("ferrum_reconcile_duration_seconds",
                                    "Time one Reconcile(key) took, by controller.",
                                    metrics::exponential_buckets(0.0005, 2, 16), {"controller"});

  // The caches every controller reads; the informers run from run() on.
  caches_.servers = &informer(model::kServer).store();
  caches_.server_classes = &informer(model::kServerClass).store();
  caches_.environments = &informer(model::kEnvironment).store();
  caches_.bindings = &informer(model::kServerBinding).store();
  caches_.metal_machines = &informer(model::kMetalMachine).store();
  caches_.metal_clusters = &informer(model::kMetalCluster).store();
  caches_.machines = &informer(model::kMachine).store();
  caches_.clusters = &informer(model::kCluster).store();
  informer(model::kServerBinding).add_index(kBindingByMachine, machine_of_binding);
  informer(model::kMetalMachine).add_index(kMetalMachineByNamespace, kube::namespace_index());

  // The Server snapshot is dropped before any controller hears of a change that can alter it
  // (handlers run in the order they were added). Status-only writes (power, conditions) keep
  // it: rebuilding it per write cost a copy of every Server per class reconcile.
  snapshot_ = std::make_unique<ServerSnapshot>(*caches_.servers);
  auto invalidate = [s = snapshot_.get()](const kube::Json&) { s->invalidate(); };
  informer(model::kServer)
      .add_handlers({invalidate,
                     [s = snapshot_.get()](const kube::Json& a, const kube::Json& b) {
                       if (membership_inputs_changed(a, b)) s->invalidate();
                     },
                     invalidate});

  nodes_ = std::make_unique<WorkloadNodes>(client_, clock_, settings_.kube_timeout);
  Deps deps{settings_, client_, caches_, events_, clock_, registry_, log_.child("server")};
  server_ = std::make_unique<ServerController>(deps, power_);
  deps.log = log_.child("serverclass");
  server_class_ = std::make_unique<ServerClassController>(deps, *snapshot_);
  deps.log = log_.child("environment");
  environment_ = std::make_unique<EnvironmentController>(deps);
  deps.log = log_.child("metalcluster");
  metal_cluster_ = std::make_unique<MetalClusterController>(deps);
  deps.log = log_.child("serverbinding");
  binding_ = std::make_unique<ServerBindingController>(deps);
  deps.log = log_.child("metalmachine");
  metal_machine_ = std::make_unique<MetalMachineController>(deps, *snapshot_, *nodes_);

  add_controller("server", *server_);
  add_controller("serverclass", *server_class_);
  add_controller("environment", *environment_);
  add_controller("metalcluster", *metal_cluster_);
  add_controller("serverbinding", *binding_);
  add_controller("metalmachine", *metal_machine_);
}

ReconcilerApp::~ReconcilerApp() = default;

kube::Informer& ReconcilerApp::informer(const model::ResourceKind& kind) {
  if (auto it = by_plural_.find(kind.plural); it != by_plural_.end()) return *it->second;
  kube::InformerSettings s;
  s.resource = kube::resource_of(kind);
  s.resync_period = settings_.resync_period;
  informers_.push_back(std::make_unique<kube::Informer>(
      s, client_, clock_, log_.child("informer." + std::string(kind.plural))));
  by_plural_[kind.plural] = informers_.back().get();
  return *informers_.back();
}

template <typename C>
void ReconcilerApp::add_controller(const std::string& name, C& target) {
  kube::ControllerSettings cs{name, static_cast<int>(settings_.workers), &registry_};
  controllers_.push_back(std::make_unique<kube::Controller>(
      cs,
      instrument(name, [&target](const std::string& key,
                                 std::stop_token stop) { return target.reconcile(key, stop); }),
      clock_, log_.child("controller"), kube::default_controller_rate_limiter(clock_)));
  kube::Controller* ctl = controllers_.back().get();
  const WatchSet declared = target.watches();
  for (const Watch& w : declared.list()) {
    informer(*w.kind).add_handlers(
        handlers_for(w, [ctl](const std::string& key, Clock::Duration after) {
          if (after > Clock::Duration::zero()) {
            ctl->queue().add_after(key, after);
          } else {
            ctl->enqueue(key);
          }
        }));
  }
  start_keys_.push_back(declared.start_keys());
}

kube::Reconciler ReconcilerApp::instrument(
    const std::string& name, std::function<Outcome(const std::string&, std::stop_token)> fn) {
  auto* h = &durations_->with({name});
  return [this, h, fn = std::move(fn)](const std::string& key, std::stop_token stop) {
    auto start = clock_.monotonic();
    auto r = fn(key, stop);
    h->observe(std::chrono::duration<double>(clock_.monotonic() - start).count());
    return r;
  };
}

bool ReconcilerApp::synced() const {
  for (const auto& i : informers_) {
    if (!i->has_synced()) return false;
  }
  return true;
}

bool ReconcilerApp::leading() const { return leading_.load(); }

void ReconcilerApp::run_controllers(std::stop_token stop) {
  for (const auto& i : informers_) {
    if (!i->wait_for_sync(stop)) return;
  }
  leading_ = true;
  leader_gauge_->set(1);
  log_.info("controllers starting", {{"identity", identity_}});
  // The kept-present objects are checked once at start; deletes bring them back later.
  for (std::size_t i = 0; i < controllers_.size(); ++i) {
    for (const auto& key : start_keys_[i]) controllers_[i]->enqueue(key);
  }
  {
    std::vector<std::jthread> threads;
    for (auto& c : controllers_) {
      threads.emplace_back([&c, stop] { c->run(stop); });
    }
  }
  leading_ = false;
  leader_gauge_->set(0);
  log_.info("controllers stopped", {});
}

bool ReconcilerApp::run(std::stop_token stop) {
  std::vector<std::jthread> informer_threads;
  for (auto& i : informers_) {
    informer_threads.emplace_back([&i](std::stop_token st) { i->run(st); });
  }
  // The informer threads stop with `stop` (or when this function returns early).
  std::stop_callback stop_informers(stop, [&informer_threads] {
    for (auto& t : informer_threads) t.request_stop();
  });
  bool clean = true;
  if (!settings_.leader_elect) {
    run_controllers(stop);
  } else {
    kube::LeaderElectionSettings le;
    le.lease_namespace = lease_namespace_;
    le.lease_name = settings_.leader_election_id;
    le.identity = identity_;
    le.lease_duration = settings_.lease_duration;
    le.renew_deadline = settings_.renew_deadline;
    le.retry_period = settings_.retry_period;
    le.release_on_cancel = true;
    kube::LeaderCallbacks cb;
    cb.on_started_leading = [this](std::stop_token st) { run_controllers(st); };
    cb.on_new_leader = [this](const std::string& who) {
      log_.info("leader observed", {{"leader", who}, {"me", identity_}});
    };
    kube::LeaderElector elector(le, client_, clock_, log_.child("leader"), cb);
    elector.run(stop);
    clean = stop.stop_requested();
    if (!clean) log_.error("leadership lost", {{"identity", identity_}});
  }
  for (auto& t : informer_threads) t.request_stop();
  return clean;
}

}  // namespace ferrum::reconciler
