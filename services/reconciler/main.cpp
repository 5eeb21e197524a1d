// ferrum-reconciler: wiring only (see reconciler_app.hpp and controllers.hpp).
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "counted_transport.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/kube/transport.hpp"
#include "power_control.hpp"
#include "reconciler_app.hpp"
#include "settings.hpp"

namespace {

std::string make_identity() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "unknown");
  std::random_device rd;
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%08x%08x", rd(), rd());
  return std::string(host) + "_" + suffix;
}

// What main() owns around ReconcilerApp: the counted API client, the Event recorder, the
// ferrum-bmcd client. Parts: "events" (stop: flush queued Events) and "controllers"
// (ReconcilerApp::run; leadership lost ends it and the process exits 1 to be restarted, as
// client-go's leader election expects).
class ReconcilerDaemon final : public ferrum::DaemonApp {
 public:
  ReconcilerDaemon(const ferrum::reconciler::Settings& settings, ferrum::Daemon& d)
      : log_(d.runtime().logger("reconciler")),
        config_(d.kube_config({settings.kubeconfig, settings.kube_timeout,
                               static_cast<double>(settings.kube_qps),
                               static_cast<int>(settings.kube_burst)})),
        kube_(std::make_shared<ferrum::reconciler::CountedTransport>(
                  std::make_shared<ferrum::kube::CurlTransport>(config_), d.runtime().registry()),
              config_, d.clock()),
        events_({"ferrum-reconciler", "", 4096, 8192, &d.runtime().registry()}, kube_, d.clock(),
                log_.child("events")),
        power_(ferrum::reconciler::make_bmcd_power(settings.bmcd_endpoint, settings.power_timeout)),
        identity_(make_identity()),
        lease_ns_(lease_namespace(settings, config_)),
        app_(settings, kube_, *power_, events_, d.clock(), d.runtime().registry(), log_, identity_,
             lease_ns_) {
    d.runtime().admin().add_readiness_check("caches", [this] {
      return app_.synced() ? std::string() : std::string("informer caches not synced yet");
    });
    log_.info("starting", {{"identity", identity_},
                           {"api", config_.source},
                           {"bmcd", settings.bmcd_endpoint},
                           {"leader_elect", settings.leader_elect},
                           {"lease", lease_ns_ + "/" + settings.leader_election_id}});
  }

  void add_parts(ferrum::RunnableGroup& parts) override {
    parts.add("events", {}, [this](ferrum::Runnable::Deadline) { events_.flush(); });
    parts.add_thread("controllers", [this, &parts](std::stop_token stop) {
      if (!app_.run(stop)) parts.request_exit(1, "leadership lost");
    });
  }

 private:
  static std::string lease_namespace(const ferrum::reconciler::Settings& s,
                                     const ferrum::kube::RestConfig& config) {
    if (!s.leader_election_namespace.empty()) return s.leader_election_namespace;
    if (!config.default_namespace.empty()) return config.default_namespace;
    return "default";
  }

  ferrum::log::Logger log_;
  ferrum::kube::RestConfig config_;
  ferrum::kube::RestClient kube_;
  ferrum::kube::EventRecorder events_;
  std::unique_ptr<ferrum::reconciler::PowerControl> power_;
  std::string identity_;
  std::string lease_ns_;
  ferrum::reconciler::ReconcilerApp app_;
};

}  // namespace

int main(int argc, char** argv) {
  // ~100 worker threads would each get a glibc malloc arena that keeps what it freed; two
  // arenas took the benchmark's peak RSS (3,000 Servers) from 113 to 65 MiB.
  mallopt(M_ARENA_MAX, 2);
  ferrum::reconciler::Settings s;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-reconciler", "reconciler",
       "Ferrum's controllers: the Server lifecycle (accept, wipe by PXE + power cycle through "
       "ferrum-bmcd, clean, power off, allocate), ServerClass membership, the default "
       "Environment and `any` ServerClass, and the Cluster API infrastructure provider "
       "(MetalMachine, MetalCluster, ServerBinding). One active replica (Lease leader election).",
       "0.0.0.0:9422", [&](auto& flags) { ferrum::reconciler::add_flags(flags, s); },
       [&] { return ferrum::reconciler::validate(s); },
       [&](ferrum::Daemon& d) { return std::make_unique<ReconcilerDaemon>(s, d); }});
}
