#include "bmcd_app.hpp"

namespace ferrum::bmcd {

BmcdApp::BmcdApp(const Settings& settings, kube::Client& kube, Clock& clock, DaemonRuntime& runtime,
                 std::string api_source)
    : ipmi_(&runtime.registry()
                 .gauge("bmcd_ipmi_sessions_open", "IPMI sessions open (in use or idle)")
                 .get()),
      sessions_(settings.session_idle, static_cast<std::size_t>(settings.max_idle_sessions), clock),
      executor_(static_cast<std::size_t>(settings.max_concurrent_bmcs),
                static_cast<std::size_t>(settings.max_pending_calls)),
      service_(settings, kube, ipmi_, sessions_, executor_, runtime.registry(),
               runtime.logger("bmcd").child("power")),
      // Stop taking calls, let running BMC operations end within the shutdown timeout
      // (backoff waits end at once), answer whatever still waits with UNAVAILABLE.
      grpc_({{settings.listen, "--listen", 64 * 1024},  // requests are a name and two enums
             &service_,
             &executor_,
             std::move(api_source),
             [this] { service_.begin_shutdown(); },
             {}},
            runtime.logger("bmcd")) {
  runtime.registry().gauge_callback("bmcd_pending_calls", "Calls waiting for their BMC",
                                    [this] { return static_cast<double>(executor_.pending()); });
}

void BmcdApp::add_parts(RunnableGroup& parts) { parts.add("grpc", grpc_); }

}  // namespace ferrum::bmcd
