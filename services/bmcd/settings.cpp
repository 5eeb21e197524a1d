#include "settings.hpp"

#include "ferrum/contract.hpp"
#include "ferrum/net.hpp"

namespace ferrum::bmcd {

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_string("listen", &s.listen, "0.0.0.0:" + std::to_string(contract::kBmcdPort),
               "gRPC listen address (host:port) of the Power service and grpc.health.v1.Health");
  f.add_string("kubeconfig", &s.kubeconfig, "",
               "kubeconfig of the API server holding Servers and Secrets (empty: in-cluster, "
               "then $KUBECONFIG)");
  f.add_duration("ipmi-timeout", &s.ipmi_timeout, std::chrono::milliseconds(5000),
                 "time one BMC request may take (IPMI session set-up or command, or one HTTP "
                 "request of the api method) before it counts as timed out");
  f.add_int("ipmi-retries", &s.ipmi_retries, 2,
            "how often a timed-out BMC request is retried (with exponential backoff); other "
            "errors are never retried",
            0, 10);
  f.add_duration("retry-backoff", &s.retry_backoff, std::chrono::milliseconds(250),
                 "pause before the first retry; doubles per retry up to 8x");
  f.add_int("max-concurrent-bmcs", &s.max_concurrent_bmcs, 64,
            "BMCs talked to at the same time (calls to one BMC are always serialized)", 1, 4096);
  f.add_int("max-pending-calls", &s.max_pending_calls, 4096,
            "calls waiting for their BMC; beyond this calls fail with RESOURCE_EXHAUSTED", 1,
            1 << 20);
  f.add_duration("ipmi-session-idle", &s.session_idle, std::chrono::milliseconds(20000),
                 "how long an idle IPMI session is kept for reuse (keep below the BMCs' own "
                 "session inactivity timeout, commonly 60s)");
  f.add_int("max-idle-sessions", &s.max_idle_sessions, 1024,
            "idle IPMI sessions kept open for reuse (least recently used closed first)", 0,
            1 << 16);
  f.add_duration("kube-timeout", &s.kube_timeout, std::chrono::milliseconds(10000),
                 "time one API server request (reading a Server or Secret) may take");
}

std::string validate(const Settings& s) {
  if (!net::parse_host_port(s.listen)) {
    return "--listen: \"" + s.listen + "\" is not host:port";
  }
  using std::chrono::milliseconds;
  if (s.ipmi_timeout < milliseconds(100) || s.ipmi_timeout > milliseconds(600000)) {
    return "--ipmi-timeout: must be between 100ms and 10m";
  }
  if (s.retry_backoff < milliseconds(0) || s.retry_backoff > milliseconds(60000)) {
    return "--retry-backoff: must be between 0s and 1m";
  }
  if (s.session_idle < milliseconds(0)) return "--ipmi-session-idle: must not be negative";
  if (s.kube_timeout < milliseconds(100)) return "--kube-timeout: must be at least 100ms";
  return {};
}

}  // namespace ferrum::bmcd
