#pragma once
// The reconciler's controllers (DESIGN.md 5), each a level-based Reconcile(key) over the
// informer caches (controller.hpp's contract), writing with optimistic concurrency: a 409 is
// a retriable error, and the retry reads the cache afresh.
//
// Shared rule: after a successful write the controller remembers the resourceVersion it
// wrote over (every one, when a reconcile writes several times); a reconcile that finds the
// cache still at one of them knows the cache is behind its own writes and does nothing (the
// watch event of the last write enqueues the key again). That is what keeps a stale cache
// from power cycling a machine twice.
//
// Each controller declares, next to its reconcile, which changes bring its keys back
// (watches(), see watches.hpp).

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/controller.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/model/metal_machine.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/server_class_match.hpp"
#include "power_control.hpp"
#include "server_plan.hpp"
#include "settings.hpp"
#include "watches.hpp"

namespace ferrum::reconciler {

using Outcome = Expected<kube::ReconcileResult, kube::ReconcileError>;

// Index of ServerBindings by their MetalMachine ("ns/name").
inline constexpr const char* kBindingByMachine = "metalMachine";
// The key of the MetalMachine a ServerBinding names in spec.metalMachineRef (none when it
// names none): that index, and the MetalMachine controller's watch of bindings.
std::vector<std::string> machine_of_binding(const kube::Json& binding);
// Index of MetalMachines by namespace.
inline constexpr const char* kMetalMachineByNamespace = "namespace";

// Retried with the queue's backoff (conflicts, unreachable peers).
inline kube::ReconcileError retriable(std::string message) {
  return kube::ReconcileError{std::move(message), false};
}
// Not retried until the key is added again (only an operator's change can help).
inline kube::ReconcileError terminal(std::string message) {
  return kube::ReconcileError{std::move(message), true};
}

// What the controllers read: the informers' caches (controller-runtime's cache Reader).
struct Caches {
  const kube::ObjectStore* servers = nullptr;
  const kube::ObjectStore* server_classes = nullptr;
  const kube::ObjectStore* environments = nullptr;
  const kube::ObjectStore* bindings = nullptr;
  const kube::ObjectStore* metal_machines = nullptr;
  const kube::ObjectStore* metal_clusters = nullptr;
  const kube::ObjectStore* machines = nullptr;
  const kube::ObjectStore* clusters = nullptr;
};

// The Servers of the cache as model views, rebuilt only when a field that membership or
// allocation reads changed since the last snapshot (adds, deletes and
// membership_inputs_changed call invalidate()): ServerClass membership and allocation read
// every Server, and one copy serves every class reconciled in between.
class ServerSnapshot {
 public:
  explicit ServerSnapshot(const kube::ObjectStore& store) : store_(store) {}
  void invalidate() { version_.fetch_add(1, std::memory_order_relaxed); }
  std::shared_ptr<const std::vector<model::Server>> get();

 private:
  const kube::ObjectStore& store_;
  std::atomic<std::uint64_t> version_{1};
  std::mutex mu_;
  std::uint64_t built_ = 0;
  std::shared_ptr<const std::vector<model::Server>> snapshot_;
};

// The fields of a Server that ServerClass matching and allocation read (name, labels,
// deletionTimestamp, accepted, cordoned, hardware, inUse, isClean), so snapshots of 10,000
// Servers do not copy their conditions, addresses and BMC settings.
kube::Json slim_server(const kube::Json& server);

// Compiled ServerClass matchers, recompiled when the class's resourceVersion moves.
class MatcherCache {
 public:
  // nullptr when the class's selector does not compile.
  std::shared_ptr<const model::ServerClassMatcher> get(const kube::Json& server_class);

 private:
  std::mutex mu_;
  std::unordered_map<std::string,
                     std::pair<std::string, std::shared_ptr<const model::ServerClassMatcher>>>
      by_name_;
};

// Remembers the resourceVersions this process wrote over (see the header comment), every
// one until the cache shows a version that is not among them: our last write, or a later
// one. Writes are optimistic (each names the version it replaces), so the versions a key
// passes through form one chain and the cache can only be at one we replaced, or past them.
// At most as many versions per key as one reconcile writes (the fence is cleared before the
// next reconcile writes).
class WriteFence {
 public:
  void wrote(const std::string& key, const std::string& old_rv);
  // True when the cached object is one we replaced.
  bool stale(const std::string& key, const std::string& cached_rv);
  void forget(const std::string& key);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<std::string>> over_;
};

// Emits an Event at most once per (key, reason) until clear() — for conditions that only an
// operator can change ("one Event, then wait for a change").
class OnceEvents {
 public:
  bool first(const std::string& key, const std::string& reason);
  void clear(const std::string& key, const std::string& reason);
  void clear_all(const std::string& key);

 private:
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>> seen_;
};

struct Deps {
  const Settings& settings;
  kube::Client& client;
  Caches caches;
  kube::EventRecorder& events;
  Clock& clock;
  metrics::Registry& registry;
  log::Logger log;
};

model::Timestamp now_seconds(const Clock& clock);

// Whether the value at `path` differs between two versions of an object (absent counts as a
// value of its own).
bool field_changed(const kube::Json& old_obj, const kube::Json& new_obj, model::FieldPath path);

// Whether a Server change can change any ServerClass's lists or any allocation decision.
bool membership_inputs_changed(const kube::Json& old_obj, const kube::Json& new_obj);

// The key of the object a spec reference names, when it is of `kind`, in the referring
// object's namespace `ns` (Cluster API refs never cross namespaces: cluster-api
// util/util.go MachineToInfrastructureMapFunc uses the Machine's); nothing otherwise.
std::vector<std::string> referenced(const std::optional<model::ObjectReference>& ref,
                                    std::string_view kind, const std::string& ns);

// The Server lifecycle (server_plan.hpp decides; this class gathers facts and carries the
// plan out).
class ServerController {
 public:
  ServerController(Deps deps, PowerControl& power);
  WatchSet watches();
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  struct PowerMemo {
    bool on = false;
    Clock::MonoTime checked{};
  };
  // The facts plan_server needs; nullopt when bmcd says the Server is gone.
  std::optional<ServerFacts> gather(const std::string& key, const model::Server& server);
  Outcome execute(const std::string& key, model::Server server, const ServerFacts& facts,
                  ServerPlan plan);
  // PXE boot (when the plan sets a boot mode), then the power action.
  Expected<Done, PowerError> act(const std::string& key, const ServerPlan& plan);
  void report(const std::string& key, const model::Server& server, const ServerPlan& plan);
  // What the BMC said within the last power check period.
  std::optional<bool> cached_power(const std::string& key);
  // nullopt: forget (unknown).
  void remember_power(const std::string& key, std::optional<bool> on);
  void count(PowerAction a, const char* result);

  Deps d_;
  PowerControl& power_;
  WriteFence fence_;
  OnceEvents once_;
  std::mutex mu_;
  std::unordered_map<std::string, PowerMemo> power_memo_;
  metrics::Family<metrics::Counter>* power_ops_ = nullptr;
};

class ServerClassController {
 public:
  ServerClassController(Deps deps, ServerSnapshot& snapshot);
  WatchSet watches();
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  // The classes a Server change can concern: those it matches, those whose selector does not
  // compile, and `any` (kept present).
  std::vector<std::string> classes_of(const kube::Json& server);

  Deps d_;
  ServerSnapshot& snapshot_;
  MatcherCache matchers_;
  WriteFence fence_;
  OnceEvents once_;  // InvalidSelector once per class version
};

class EnvironmentController {
 public:
  explicit EnvironmentController(Deps deps);
  WatchSet watches();
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  Deps d_;
};

class MetalClusterController {
 public:
  explicit MetalClusterController(Deps deps);
  WatchSet watches();
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  Deps d_;
};

class ServerBindingController {
 public:
  explicit ServerBindingController(Deps deps);
  WatchSet watches();
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  Deps d_;
  WriteFence fence_;
};

// Talks to workload clusters: sets spec.providerID on the Node labelled with the Server UUID.
class WorkloadNodes {
 public:
  WorkloadNodes(kube::Client& management, Clock& clock, std::chrono::milliseconds timeout);
  // OK: the Node carries the providerID now. Errors are {reason, message} for ProviderSet.
  Expected<Done, std::pair<std::string, std::string>> set_provider_id(
      const std::string& ns, const std::string& cluster, const std::string& uuid,
      const std::string& provider_id);

 private:
  std::shared_ptr<kube::Client> client_for(const std::string& ns, const std::string& cluster,
                                           std::pair<std::string, std::string>* err);

  kube::Client& management_;
  Clock& clock_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  // by "ns/cluster": the Secret's resourceVersion and the client made from it
  std::unordered_map<std::string, std::pair<std::string, std::shared_ptr<kube::Client>>> clients_;
};

class MetalMachineController {
 public:
  MetalMachineController(Deps deps, ServerSnapshot& snapshot, WorkloadNodes& nodes);
  WatchSet watches();
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  // MetalMachines without a Server yet (not ready): the ones a Server or class change can
  // unblock.
  std::vector<std::string> waiting_machines() const;
  Outcome allocate(model::MetalMachine& mm, const std::string& key);
  Outcome bound(model::MetalMachine mm, const model::ServerBinding& binding,
                const std::string& key);
  std::optional<model::ServerBinding> binding_of(const model::MetalMachine& mm) const;

  Deps d_;
  ServerSnapshot& snapshot_;
  WorkloadNodes& nodes_;
  WriteFence fence_;
  OnceEvents once_;
};

}  // namespace ferrum::reconciler
