#pragma once
// The controller runner (controller-runtime's model): N workers take keys from a rate-limited
// work queue and call Reconcile(key).
//
// Contract:
// - Level-based: the reconciler gets the key ("ns/name" or "name"), never the event, and
//   reads the current state itself (usually from an informer's cache).
// - Reconcile returns Result{requeue_after} (0 = done), or a ReconcileError: a retriable one
//   requeues the key with the queue's per-key exponential backoff; a terminal one is logged
//   and not retried until the key is added again. A success forgets the key's backoff.
//   An exception escaping the reconciler counts as a retriable error.
// - A key is reconciled by one worker at a time (the queue guarantees it).
// - run(stop) blocks until `stop`, then shuts the queue down and waits for in-flight
//   reconciles to return (they get the same stop token, to cut long work short).

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/workqueue.hpp"
#include "ferrum/log.hpp"

namespace ferrum::kube {

struct ReconcileResult {
  Clock::Duration requeue_after{0};
};

struct ReconcileError {
  std::string message;
  bool terminal = false;
};

using Reconciler = std::function<Expected<ReconcileResult, ReconcileError>(const std::string& key,
                                                                           std::stop_token)>;

struct ControllerSettings {
  std::string name;
  int workers = 1;
  metrics::Registry* registry = nullptr;  // optional: queue metrics and reconcile counters
};

class Controller {
 public:
  Controller(ControllerSettings settings, Reconciler reconciler, Clock& clock, log::Logger logger,
             std::unique_ptr<RateLimiter> limiter = nullptr);

  // Informer handlers enqueue here.
  WorkQueue& queue() { return queue_; }
  void enqueue(const std::string& key) { queue_.add(key); }

  void run(std::stop_token stop);

 private:
  void worker(std::stop_token stop);
  void process(const std::string& key, std::stop_token stop);

  ControllerSettings settings_;
  Reconciler reconciler_;
  log::Logger log_;
  WorkQueue queue_;
  metrics::Counter* ok_ = nullptr;
  metrics::Counter* errors_ = nullptr;
};

}  // namespace ferrum::kube
