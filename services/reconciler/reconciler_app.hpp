#pragma once
// ferrum-reconciler assembled: informers for every kind the controllers read, the controllers,
// the informer handlers their watch declarations ask for (each controller's watches(), see
// watches.hpp: the app only walks them), and leader election around them.
//
// Contract: run(stop) starts the informers at once (a standby keeps warm caches so a
// takeover starts from them), then — leading, or with leader election off — waits for every
// cache to sync and runs all controllers until `stop` or until leadership is lost. It returns
// true after a clean stop and false when leadership was lost (the daemon then exits, as
// client-go's leader election expects, and is restarted).

#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "controllers.hpp"

namespace ferrum::reconciler {

class ReconcilerApp {
 public:
  ReconcilerApp(const Settings& settings, kube::Client& client, PowerControl& power,
                kube::EventRecorder& events, Clock& clock, metrics::Registry& registry,
                log::Logger logger, std::string identity, std::string lease_namespace);
  ~ReconcilerApp();

  bool run(std::stop_token stop);
  // Every cache has listed once.
  bool synced() const;
  bool leading() const;

 private:
  // One controller: its work queue and workers, and the handlers of its declared watches.
  template <typename C>
  void add_controller(const std::string& name, C& target);
  kube::Informer& informer(const model::ResourceKind& kind);
  void run_controllers(std::stop_token stop);
  kube::Reconciler instrument(const std::string& name,
                              std::function<Outcome(const std::string&, std::stop_token)> fn);

  const Settings& settings_;
  kube::Client& client_;
  PowerControl& power_;
  kube::EventRecorder& events_;
  Clock& clock_;
  metrics::Registry& registry_;
  log::Logger log_;
  std::string identity_;
  std::string lease_namespace_;

  std::vector<std::unique_ptr<kube::Informer>> informers_;
  std::map<std::string_view, kube::Informer*> by_plural_;
  Caches caches_;
  std::unique_ptr<ServerSnapshot> snapshot_;
  std::unique_ptr<WorkloadNodes> nodes_;
  std::unique_ptr<ServerController> server_;
  std::unique_ptr<ServerClassController> server_class_;
  std::unique_ptr<EnvironmentController> environment_;
  std::unique_ptr<MetalClusterController> metal_cluster_;
  std::unique_ptr<ServerBindingController> binding_;
  std::unique_ptr<MetalMachineController> metal_machine_;
  std::vector<std::unique_ptr<kube::Controller>> controllers_;
  // Per controller (same order): the keys reconciled once at start.
  std::vector<std::vector<std::string>> start_keys_;
  std::atomic<bool> leading_{false};
  metrics::Gauge* leader_gauge_ = nullptr;
  metrics::Family<metrics::Histogram>* durations_ = nullptr;
};

}  // namespace ferrum::reconciler
