#pragma once
// The reconciler's controllers (DESIGN.md 5), each a level-based Reconcile(key) over the
// informer caches (controller.hpp's contract), writing with optimistic concurrency: a 409 is
// a retriable error, and the retry reads the cache afresh.
//
// Shared rule: after a successful write the controller remembers the resourceVersion it
// wrote over; a reconcile that finds the cache still at that version knows the cache is
// behind its own write and does nothing (the watch event of the write enqueues the key
// again). That is what keeps a stale cache from power cycling a machine twice.

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

namespace ferrum::reconciler {

using Outcome = Expected<kube::ReconcileResult, kube::ReconcileError>;

// Index of ServerBindings by their MetalMachine ("ns/name").
inline constexpr const char* kBindingByMachine = "metalMachine";

struct Caches {
  kube::Informer* servers = nullptr;
  kube::Informer* server_classes = nullptr;
  kube::Informer* environments = nullptr;
  kube::Informer* bindings = nullptr;
  kube::Informer* metal_machines = nullptr;
  kube::Informer* metal_clusters = nullptr;
  kube::Informer* machines = nullptr;
  kube::Informer* clusters = nullptr;
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

// Remembers the resourceVersions this process wrote over (see the header comment).
class WriteFence {
 public:
  void wrote(const std::string& key, const std::string& old_rv);
  // True when the cached object is still the one we replaced.
  bool stale(const std::string& key, const std::string& cached_rv);
  void forget(const std::string& key);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::string> over_;
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

class ServerController {
 public:
  ServerController(Deps deps, PowerControl& power);
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  struct PowerMemo {
    bool on = false;
    Clock::MonoTime checked{};
  };
  std::optional<bool> cached_power(const std::string& key);
  void remember_power(const std::string& key, bool on);
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
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  Deps d_;
  ServerSnapshot& snapshot_;
  WriteFence fence_;
  OnceEvents once_;  // InvalidSelector once per class version
};

class EnvironmentController {
 public:
  explicit EnvironmentController(Deps deps);
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  Deps d_;
};

class MetalClusterController {
 public:
  explicit MetalClusterController(Deps deps);
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
  Deps d_;
};

class ServerBindingController {
 public:
  explicit ServerBindingController(Deps deps);
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
  Outcome reconcile(const std::string& key, std::stop_token stop);

 private:
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
