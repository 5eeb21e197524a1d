// A leader-election candidate process for the integration test: campaigns for a Lease on the
// API server of a kubeconfig and writes "leading <id>" / "stopped <id>" lines.
// Usage: kube_lease_candidate <kubeconfig> <identity> <lease-name> <lease-ms> <renew-ms> <retry-ms>
#include <signal.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "ferrum/kube/leader_election.hpp"
#include "ferrum/signals.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s kubeconfig identity lease lease-ms renew-ms retry-ms\n",
                 argv[0]);
    return 2;
  }
  auto cfg = ferrum::kube::load_kubeconfig(argv[1]);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", cfg.error().c_str());
    return 1;
  }
  cfg->timeout = std::chrono::milliseconds(std::atoi(argv[5]) /
                                           2);  // each call well inside the renew deadline
  ferrum::kube::RestClient client(*cfg);
  ferrum::kube::LeaderElectionSettings s;
  s.lease_namespace = "default";
  s.lease_name = argv[3];
  s.identity = argv[2];
  s.lease_duration = std::chrono::milliseconds(std::atoi(argv[4]));
  s.renew_deadline = std::chrono::milliseconds(std::atoi(argv[5]));
  s.retry_period = std::chrono::milliseconds(std::atoi(argv[6]));
  s.release_on_cancel = true;
  if (auto err = ferrum::kube::validate(s)) {
    std::fprintf(stderr, "%s\n", err->c_str());
    return 2;
  }
  auto out = std::make_shared<const ferrum::log::Output>(ferrum::log::Format::kText,
                                                         ferrum::log::Level::kWarn);
  std::string id = s.identity;
  ferrum::kube::LeaderElector elector(s, client, ferrum::real_clock(),
                                      ferrum::log::Logger(out, "leader"),
                                      {[id](std::stop_token) {
                                         std::printf("leading %s\n", id.c_str());
                                         std::fflush(stdout);
                                       },
                                       [id] {
                                         std::printf("stopped %s\n", id.c_str());
                                         std::fflush(stdout);
                                       },
                                       {}});
  std::stop_source stop;
  std::thread waiter([&] {
    signals.wait();
    stop.request_stop();
  });
  elector.run(stop.get_token());
  if (!stop.stop_requested()) {
    // Leadership lost: exit like a daemon would, and let the signal waiter go.
    kill(getpid(), SIGTERM);
  }
  waiter.join();
  return 0;
}
