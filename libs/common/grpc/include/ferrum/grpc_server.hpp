#pragma once
// A gRPC listener as every Ferrum gRPC daemon runs it: plain credentials (TLS, where wanted,
// is the network's business: DESIGN.md), grpc.health.v1.Health beside the daemon's services,
// bounded message sizes, and a two-phase stop.
//
// start() fails with "<flag>: cannot listen on <listen>[: <reason>]" when the address does not
// parse or cannot be bound; port 0 in `listen` picks a free port, which port() reports (tests read
// it from the daemon's log line).
//
// stop(): health turns NOT_SERVING, `drain` runs on its own thread (it stops the worker pool:
// running calls finish, waiting ones are answered UNAVAILABLE) while the server waits for
// calls in flight until `deadline` and then cancels the rest.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "ferrum/daemon.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/runnable.hpp"
#include "ferrum/worker_pool.hpp"

namespace ferrum {

struct GrpcServerOptions {
  std::string listen;  // host:port
  std::string flag;    // the flag `listen` came from, named in the start error
  int max_receive_bytes = 64 * 1024;
  int max_send_bytes = -1;          // -1: gRPC's default
  int max_concurrent_streams = -1;  // per connection; -1: gRPC's default
};

class GrpcServer {
 public:
  static Expected<GrpcServer, std::string> start(const GrpcServerOptions& options,
                                                 std::initializer_list<grpc::Service*> services);

  int port() const { return port_; }
  grpc::Server& server() { return *server_; }

  void stop(std::chrono::system_clock::time_point deadline, const std::function<void()>& drain);

  GrpcServer(std::unique_ptr<grpc::Server> server, int port)
      : server_(std::move(server)), port_(port) {}

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

// Sends the gRPC library's own log lines (it prints plain text to stderr by default, e.g.
// "E1121 ... chttp2_server.cc ... Address already in use") through `logger` as JSON lines
// with "file" and "line" fields. Process-wide; the last call wins.
void route_grpc_library_logs(const log::Logger& logger);

// stop() for several servers sharing one drain (ferrum-linkd's API and event listeners).
void stop_grpc_servers(std::initializer_list<GrpcServer*> servers,
                       std::chrono::system_clock::time_point deadline,
                       const std::function<void()>& drain);

// A daemon whose service is one gRPC listener over a WorkerPool (ferrum-bmcd, ferrum-registry).
struct GrpcDaemon {
  GrpcServerOptions server;
  grpc::Service* service = nullptr;
  WorkerPool* pool = nullptr;
  std::string api_source;                // where the API server is, for the log
  std::function<void()> begin_shutdown;  // the service refuses new calls from here on
  std::function<void()> after_drain;     // e.g. flush queued Events; may be empty
};

// That listener as a daemon part (RunnableGroup). start() routes the gRPC library's log
// lines through `log`, listens (logged as "grpc listening" with "listen", "port" and "api";
// the error names the flag) and registers no readiness of its own (the group's covers it).
// stop(deadline): begin_shutdown, the two-phase stop (calls in flight may run until the
// deadline, waiting ones are answered UNAVAILABLE), after_drain. A failed start stops the
// pool, so nothing waits on it.
class GrpcDaemonPart final : public Runnable {
 public:
  GrpcDaemonPart(GrpcDaemon daemon, log::Logger log)
      : daemon_(std::move(daemon)), log_(std::move(log)) {}
  std::string start() override;
  void stop(Deadline deadline) override;
  // The bound port (after start).
  int port() const { return server_ ? server_->port() : 0; }

 private:
  GrpcDaemon daemon_;
  log::Logger log_;
  std::optional<GrpcServer> server_;
};

// A steady-clock deadline as the system-clock one gRPC's Shutdown takes.
std::chrono::system_clock::time_point grpc_deadline(Runnable::Deadline deadline);

}  // namespace ferrum
