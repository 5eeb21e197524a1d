#include "ferrum/grpc_server.hpp"

#include <grpc/support/log.h>
#include <grpcpp/health_check_service_interface.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <mutex>
#include <optional>
#include <thread>

#include "ferrum/net.hpp"

namespace ferrum {

namespace {

std::mutex grpc_log_mu;
std::optional<log::Logger> grpc_log;  // set once per process by route_grpc_library_logs

void forward_grpc_log(gpr_log_func_args* args) {
  std::optional<log::Logger> logger;
  {
    std::lock_guard lock(grpc_log_mu);
    logger = grpc_log;
  }
  if (!logger) return;
  log::Level level = log::Level::kDebug;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = log::Level::kInfo;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = log::Level::kError;
  logger->log(level, args->message ? args->message : "",
              {{"file", args->file ? args->file : ""}, {"line", args->line}});
}

// gRPC does not say why a port could not be bound; binding it ourselves does ("Address
// already in use", "Cannot assign requested address").
std::string bind_failure_reason(const GrpcServerOptions& options) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io);
  auto probe = net::listen_tcp(acceptor, options.listen, options.flag);
  if (probe) return {};
  auto error = probe.error();
  auto colon = error.rfind(": ");
  return colon == std::string::npos ? error : error.substr(colon + 2);
}

}  // namespace

void route_grpc_library_logs(const log::Logger& logger) {
  {
    std::lock_guard lock(grpc_log_mu);
    grpc_log = logger;
  }
  gpr_set_log_function(&forward_grpc_log);
}

Expected<GrpcServer, std::string> GrpcServer::start(
    const GrpcServerOptions& options, std::initializer_list<grpc::Service*> services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &port);
  // gRPC sets SO_REUSEPORT by default: a second instance on the same port would then start
  // and silently take half the connections instead of failing with the flag named.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (auto* service : services) builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(options.max_receive_bytes);
  if (options.max_send_bytes >= 0) builder.SetMaxSendMessageSize(options.max_send_bytes);
  if (options.max_concurrent_streams >= 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    if (server) server->Shutdown(std::chrono::system_clock::now());
    auto reason = bind_failure_reason(options);
    return unexpected(options.flag + ": cannot listen on " + options.listen +
                      (reason.empty() ? "" : ": " + reason));
  }
  return GrpcServer(std::move(server), port);
}

void GrpcServer::stop(std::chrono::system_clock::time_point deadline,
                      const std::function<void()>& drain) {
  stop_grpc_servers({this}, deadline, drain);
}

void stop_grpc_servers(std::initializer_list<GrpcServer*> servers,
                       std::chrono::system_clock::time_point deadline,
                       const std::function<void()>& drain) {
  for (auto* s : servers) {
    if (auto* health = s->server().GetHealthCheckService()) health->Shutdown();
  }
  // Shutdown() blocks until the calls in flight end; they end when the pool answers them, so
  // the pool must drain at the same time.
  std::thread drainer(drain);
  for (auto* s : servers) s->server().Shutdown(deadline);
  drainer.join();
  for (auto* s : servers) s->server().Wait();
}

std::chrono::system_clock::time_point grpc_deadline(Runnable::Deadline deadline) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             deadline - std::chrono::steady_clock::now());
}

std::string GrpcDaemonPart::start() {
  route_grpc_library_logs(log_.child("grpc"));
  auto server = GrpcServer::start(daemon_.server, {daemon_.service});
  if (!server) {
    daemon_.pool->stop();
    return server.error();
  }
  server_.emplace(std::move(*server));
  log_.info(
      "grpc listening",
      {{"listen", daemon_.server.listen}, {"port", server_->port()}, {"api", daemon_.api_source}});
  return {};
}

void GrpcDaemonPart::stop(Deadline deadline) {
  WorkerPool& pool = *daemon_.pool;
  log_.info("stopping", {{"pending_calls", pool.pending()}});
  if (daemon_.begin_shutdown) daemon_.begin_shutdown();
  server_->stop(grpc_deadline(deadline), [&pool] { pool.stop(); });
  if (daemon_.after_drain) daemon_.after_drain();
}

}  // namespace ferrum
