#include "reconciler_app.hpp"

#include <thread>

#include "ferrum/kube/leader_election.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {

namespace {

const kube::Json& field(const kube::Json& j, std::initializer_list<const char*> path) {
  static const kube::Json kNull;
  const kube::Json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(p);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

}  // namespace

bool membership_inputs_changed(const kube::Json& a, const kube::Json& b) {
  return field(a, {"metadata", "labels"}) != field(b, {"metadata", "labels"}) ||
         field(a, {"spec", "accepted"}) != field(b, {"spec", "accepted"}) ||
         field(a, {"spec", "cordoned"}) != field(b, {"spec", "cordoned"}) ||
         field(a, {"spec", "hardware"}) != field(b, {"spec", "hardware"}) ||
         field(a, {"status", "inUse"}) != field(b, {"status", "inUse"}) ||
         field(a, {"status", "isClean"}) != field(b, {"status", "isClean"}) ||
         field(a, {"metadata", "deletionTimestamp"}) != field(b, {"metadata", "deletionTimestamp"});
}

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
  wire();
}

ReconcilerApp::~ReconcilerApp() = default;

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

void ReconcilerApp::wire() {
  auto informer = [this](const model::ResourceKind& k) {
    kube::InformerSettings s;
    s.resource = kube::resource_of(k);
    s.resync_period = settings_.resync_period;
    informers_.push_back(std::make_unique<kube::Informer>(
        s, client_, clock_, log_.child("informer." + std::string(k.plural))));
    return informers_.back().get();
  };
  caches_.servers = informer(model::kServer);
  caches_.server_classes = informer(model::kServerClass);
  caches_.environments = informer(model::kEnvironment);
  caches_.bindings = informer(model::kServerBinding);
  caches_.metal_machines = informer(model::kMetalMachine);
  caches_.metal_clusters = informer(model::kMetalCluster);
  caches_.machines = informer(model::kMachine);
  caches_.clusters = informer(model::kCluster);
  caches_.bindings->add_index(kBindingByMachine, [](const kube::Json& obj) {
    const auto& ref = field(obj, {"spec", "metalMachineRef"});
    const auto& ns = field(ref, {"namespace"});
    const auto& name = field(ref, {"name"});
    if (!ns.is_string() || !name.is_string()) return std::vector<std::string>{};
    return std::vector<std::string>{
        kube::object_key(ns.get<std::string>(), name.get<std::string>())};
  });
  caches_.metal_machines->add_index("namespace", kube::namespace_index());

  snapshot_ = std::make_unique<ServerSnapshot>(caches_.servers->store());
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

  auto controller = [this](const std::string& name, auto* target) {
    kube::ControllerSettings cs{name, static_cast<int>(settings_.workers), &registry_};
    controllers_.push_back(std::make_unique<kube::Controller>(
        cs,
        instrument(name, [target](const std::string& key,
                                  std::stop_token stop) { return target->reconcile(key, stop); }),
        clock_, log_.child("controller"), kube::default_controller_rate_limiter(clock_)));
    return controllers_.back().get();
  };
  server_ctl_ = controller("server", server_.get());
  class_ctl_ = controller("serverclass", server_class_.get());
  env_ctl_ = controller("environment", environment_.get());
  mc_ctl_ = controller("metalcluster", metal_cluster_.get());
  binding_ctl_ = controller("serverbinding", binding_.get());
  mm_ctl_ = controller("metalmachine", metal_machine_.get());

  auto key_of = [](const kube::Json& o) { return kube::object_key(o); };
  // Class lists follow Server changes a moment later: a burst of Server changes becomes one
  // reconcile per class (the `any` class lists every Server, so its status is a big write
  // that must not ride along with every single change).
  auto later = [this](const std::string& key) {
    class_ctl_->queue().add_after(key, std::chrono::milliseconds(500));
  };
  // Only the classes the Server belonged or belongs to can change (plus `any`): with 100
  // classes that is ~2 reconciles per change instead of 100.
  auto classes_matching = [this, later](const kube::Json& a, const kube::Json& b) {
    model::Server before(slim_server(a)), after(slim_server(b));
    for (const auto& o : caches_.server_classes->store().list()) {
      auto m = matchers_.get(*o);
      if (!m || m->matches(before) || m->matches(after)) later(kube::object_key(*o));
    }
    later(std::string(model::kServerClassAny));
  };
  auto all_classes = [this, later] {
    for (const auto& k : caches_.server_classes->store().keys()) later(k);
    later(std::string(model::kServerClassAny));
  };
  // MetalMachines without a binding are the ones a Server or class change can unblock.
  auto waiting_machines = [this] {
    for (const auto& o : caches_.metal_machines->store().list()) {
      if (!field(*o, {"status", "ready"}).is_boolean() ||
          !field(*o, {"status", "ready"}).get<bool>()) {
        mm_ctl_->enqueue(kube::object_key(*o));
      }
    }
  };

  caches_.servers->add_handlers({[=, this](const kube::Json& o) {
                                   snapshot_->invalidate();
                                   server_ctl_->enqueue(key_of(o));
                                   binding_ctl_->enqueue(key_of(o));
                                   all_classes();
                                   waiting_machines();
                                 },
                                 [=, this](const kube::Json& a, const kube::Json& b) {
                                   server_ctl_->enqueue(key_of(b));
                                   // Status-only writes (power, conditions) keep the
                                   // snapshot: rebuilding it per write cost a copy of every
                                   // Server per class reconcile.
                                   if (membership_inputs_changed(a, b)) {
                                     snapshot_->invalidate();
                                     classes_matching(a, b);
                                     waiting_machines();
                                   }
                                 },
                                 [=, this](const kube::Json& o) {
                                   snapshot_->invalidate();
                                   server_ctl_->enqueue(key_of(o));
                                   binding_ctl_->enqueue(key_of(o));
                                   all_classes();
                                 }});
  auto binding_changed = [=, this](const kube::Json& o) {
    server_ctl_->enqueue(key_of(o));
    binding_ctl_->enqueue(key_of(o));
    const auto& ref = field(o, {"spec", "metalMachineRef"});
    if (field(ref, {"namespace"}).is_string() && field(ref, {"name"}).is_string()) {
      mm_ctl_->enqueue(kube::object_key(field(ref, {"namespace"}).get<std::string>(),
                                        field(ref, {"name"}).get<std::string>()));
    }
  };
  caches_.bindings->add_handlers(
      {binding_changed, [=](const kube::Json&, const kube::Json& b) { binding_changed(b); },
       binding_changed});
  auto mm_changed = [=, this](const kube::Json& o) {
    mm_ctl_->enqueue(key_of(o));
    for (const auto& k : caches_.bindings->store().keys_by_index(kBindingByMachine, key_of(o))) {
      binding_ctl_->enqueue(k);
    }
  };
  caches_.metal_machines->add_handlers(
      {mm_changed, [=](const kube::Json&, const kube::Json& b) { mm_changed(b); }, mm_changed});
  caches_.server_classes->add_handlers(
      {[=, this](const kube::Json& o) {
         class_ctl_->enqueue(key_of(o));
         waiting_machines();
       },
       [=, this](const kube::Json& a, const kube::Json& b) {
         if (field(a, {"spec"}) != field(b, {"spec"}) ||
             field(a, {"status"}) != field(b, {"status"}) || field(b, {"status"}).is_null()) {
           class_ctl_->enqueue(key_of(b));
         }
         if (field(a, {"spec"}) != field(b, {"spec"})) waiting_machines();
       },
       [=, this](const kube::Json& o) { class_ctl_->enqueue(key_of(o)); }});
  caches_.environments->add_handlers(
      {nullptr, nullptr, [=, this](const kube::Json& o) { env_ctl_->enqueue(key_of(o)); }});
  // A Machine names its MetalMachine in spec.infrastructureRef; a Cluster change may unblock
  // every MetalMachine of its namespace.
  auto machine_changed = [=, this](const kube::Json& o) {
    const auto& ref = field(o, {"spec", "infrastructureRef"});
    if (field(ref, {"kind"}) == "MetalMachine" && field(ref, {"name"}).is_string()) {
      mm_ctl_->enqueue(
          kube::object_key(kube::namespace_of(o), field(ref, {"name"}).get<std::string>()));
    }
  };
  caches_.machines->add_handlers(
      {machine_changed, [=](const kube::Json&, const kube::Json& b) { machine_changed(b); },
       nullptr});
  auto cluster_changed = [=, this](const kube::Json& o) {
    for (const auto& k :
         caches_.metal_machines->store().keys_by_index("namespace", kube::namespace_of(o))) {
      mm_ctl_->enqueue(k);
    }
    const auto& ref = field(o, {"spec", "infrastructureRef"});
    if (field(ref, {"kind"}) == "MetalCluster" && field(ref, {"name"}).is_string()) {
      mc_ctl_->enqueue(
          kube::object_key(kube::namespace_of(o), field(ref, {"name"}).get<std::string>()));
    }
  };
  caches_.clusters->add_handlers(
      {cluster_changed, [=](const kube::Json&, const kube::Json& b) { cluster_changed(b); },
       nullptr});
  auto mc_changed = [=, this](const kube::Json& o) { mc_ctl_->enqueue(key_of(o)); };
  caches_.metal_clusters->add_handlers(
      {mc_changed, [=](const kube::Json&, const kube::Json& b) { mc_changed(b); }, nullptr});
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
  class_ctl_->enqueue(std::string(model::kServerClassAny));
  env_ctl_->enqueue(std::string(model::kEnvironmentDefault));
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
