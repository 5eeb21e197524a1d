#pragma once
// Which changes bring which keys back to a controller, declared by the controller next to its
// Reconcile in controller-runtime's builder style (sigs.k8s.io/controller-runtime
// pkg/builder/controller.go: For(obj) enqueues the object's own key, Watches(obj,
// handler.EnqueueRequestsFromMapFunc(fn)) the keys `fn` maps another kind's object to).
// ReconcilerApp only walks these declarations and turns each into one informer handler.
//
// Contract:
// - for_kind(kind): a change of an object of the controller's kind enqueues that object's key.
// - watches(kind, map): a change of an object of `kind` enqueues the keys `map` returns for
//   it; an update enqueues the keys of the old and of the new object, each once (as
//   pkg/handler/enqueue_mapped.go maps ObjectOld and ObjectNew).
// - Modifiers apply to the watch declared last: on(events) limits the event types, when(f)
//   drops updates f rejects (pkg/predicate's UpdateFunc), after(d) enqueues with a delay (the
//   work queue keeps a key once, so a burst of changes becomes one reconcile).
// - ensure(key): the key is reconciled once when the controller starts (objects that are kept
//   present; their deletes bring them back later through a watch).
// - Map functions and filters run on the informer's thread: quick, reading caches only.
// Ferrum has no Owns(): no kind a controller reconciles is found through ownerReferences; the
// Cluster API objects name each other in spec fields, which map functions read.

#include <functional>
#include <string>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {

using EventSet = unsigned;
inline constexpr EventSet kOnAdd = 1;
inline constexpr EventSet kOnUpdate = 2;
inline constexpr EventSet kOnDelete = 4;
inline constexpr EventSet kOnAll = kOnAdd | kOnUpdate | kOnDelete;

// Keys ("ns/name" or "name") of the controller's kind that a change of `obj` concerns.
using MapFunc = std::function<std::vector<std::string>(const kube::Json& obj)>;
using UpdateFilter = std::function<bool(const kube::Json& old_obj, const kube::Json& new_obj)>;

struct Watch {
  const model::ResourceKind* kind = nullptr;
  MapFunc map;  // null: the object's own key (for_kind)
  EventSet on = kOnAll;
  UpdateFilter when;  // null: every update
  Clock::Duration after{0};
};

class WatchSet {
 public:
  WatchSet& for_kind(const model::ResourceKind& kind);
  WatchSet& watches(const model::ResourceKind& kind, MapFunc map);
  WatchSet& on(EventSet events);
  WatchSet& when(UpdateFilter filter);
  WatchSet& after(Clock::Duration delay);
  WatchSet& ensure(std::string key);

  const std::vector<Watch>& list() const { return watches_; }
  const std::vector<std::string>& start_keys() const { return start_keys_; }

 private:
  Watch& last();

  std::vector<Watch> watches_;
  std::vector<std::string> start_keys_;
};

// The object's own key, for another kind whose objects share names with the controller's
// (a Server and its ServerBinding).
std::vector<std::string> same_key(const kube::Json& obj);

// Adds a key to the controller's queue, after a delay when it is not zero.
using Enqueue = std::function<void(const std::string& key, Clock::Duration after)>;

// The informer handlers that carry out `watch`, adding keys through `enqueue`.
kube::EventHandlers handlers_for(const Watch& watch, Enqueue enqueue);

}  // namespace ferrum::reconciler
