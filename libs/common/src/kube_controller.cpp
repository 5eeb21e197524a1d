#include <thread>
#include <vector>

#include "ferrum/kube/controller.hpp"

namespace ferrum::kube {

Controller::Controller(ControllerSettings settings, Reconciler reconciler, Clock& clock,
                       log::Logger logger, std::unique_ptr<RateLimiter> limiter)
    : settings_(std::move(settings)),
      reconciler_(std::move(reconciler)),
      log_(std::move(logger)),
      queue_(WorkQueueSettings{settings_.name, settings_.registry}, clock, std::move(limiter)) {
  if (settings_.registry != nullptr) {
    auto& f = settings_.registry->counter(
        "ferrum_reconcile_total", "Reconciles by controller and result.", {"controller", "result"});
    ok_ = &f.with({settings_.name, "success"});
    errors_ = &f.with({settings_.name, "error"});
  }
}

void Controller::run(std::stop_token stop) {
  std::vector<std::jthread> workers;
  const int n = std::max(settings_.workers, 1);
  for (int i = 0; i < n; ++i) workers.emplace_back([this, stop] { worker(stop); });
  {
    std::stop_callback on_stop(stop, [this] { queue_.shutdown(); });
    for (auto& w : workers) w.join();
  }
}

void Controller::worker(std::stop_token stop) {
  while (auto key = queue_.get()) {
    process(*key, stop);
    queue_.done(*key);
  }
}

void Controller::process(const std::string& key, std::stop_token stop) {
  Expected<ReconcileResult, ReconcileError> r = ReconcileResult{};
  try {
    r = reconciler_(key, stop);
  } catch (const std::exception& e) {
    r = unexpected(ReconcileError{std::string("exception: ") + e.what(), false});
  }
  if (!r) {
    if (errors_) errors_->inc();
    if (r.error().terminal) {
      log_.error("reconcile failed terminally",
                 {{"controller", settings_.name}, {"key", key}, {"error", r.error().message}});
      queue_.forget(key);
      return;
    }
    log_.warn("reconcile failed, will retry", {{"controller", settings_.name},
                                               {"key", key},
                                               {"error", r.error().message},
                                               {"retries", queue_.num_requeues(key)}});
    queue_.add_rate_limited(key);
    return;
  }
  if (ok_) ok_->inc();
  queue_.forget(key);
  if (r->requeue_after > Clock::Duration::zero()) queue_.add_after(key, r->requeue_after);
}

}  // namespace ferrum::kube
