#include "registry_app.hpp"

namespace ferrum::registry {

RegistryApp::RegistryApp(const Settings& settings, kube::Client& kube, Clock& clock,
                         DaemonRuntime& runtime, std::string api_source)
    : events_({"ferrum-registry", "", 1000, 4096, &runtime.registry()}, kube, clock,
              runtime.logger("registry").child("events")),
      pool_(static_cast<std::size_t>(settings.workers),
            static_cast<std::size_t>(settings.max_pending_calls)),
      servers_(settings, kube, events_, runtime.registry(), clock,
               runtime.logger("registry").child("servers")),
      service_(settings, servers_, pool_, runtime.registry()),
      // Refuse new calls, let running ones finish within the shutdown timeout, answer the
      // waiting ones UNAVAILABLE (nothing written for them), then flush queued Events.
      grpc_({{settings.listen, "--listen", static_cast<int>(settings.max_message_bytes),
              64 * 1024},  // answers are a few booleans
             &service_,
             &pool_,
             std::move(api_source),
             [this] { service_.begin_shutdown(); },
             [this] { events_.flush(); }},
            runtime.logger("registry")) {
  runtime.registry().gauge_callback("registry_pending_calls", "Calls waiting for a worker",
                                    [this] { return static_cast<double>(pool_.pending()); });
}

void RegistryApp::add_parts(RunnableGroup& parts) { parts.add("grpc", grpc_); }

}  // namespace ferrum::registry
