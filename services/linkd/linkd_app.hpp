#pragma once
// ferrum-linkd assembled, as parts started in this order (and stopped in reverse):
//   link       the installation Secret (read or created) -> address plan, the log sink, the
//              WireGuard device (stop: wireguard-go stops and removes its interface);
//   peers      PeerSync applying desired peers to the device;
//   bindings, metalmachines
//              informers feeding PeerSync and NodeDirectory;
//   grpc       Provision on --api-listen and the event sink on the tunnel address, over one
//              worker pool (stop: refuse new calls, running ones finish by the deadline,
//              waiting ones get UNAVAILABLE);
//   kmsg       the kernel log receiver on the tunnel address.
// A part that fails (a port taken, the Secret unreadable) stops the ones before it, so a
// failed start leaves no interface, thread or listener behind. main() (through daemon_main)
// builds the API server client and the clock; tests pass their own.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <thread>

#include "ferrum/call_dispatcher.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/grpc_server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/worker_pool.hpp"
#include "installation.hpp"
#include "kmsg_receiver.hpp"
#include "link_services.hpp"
#include "node_directory.hpp"
#include "peer_sync.hpp"
#include "settings.hpp"
#include "wg_device.hpp"

namespace ferrum::linkd {

class LinkdApp final : public DaemonApp {
 public:
  LinkdApp(const Settings& settings, kube::Client& kube, Clock& clock, DaemonRuntime& runtime);
  ~LinkdApp() override;
  void add_parts(RunnableGroup& parts) override;

  // After start: the Provision port, the kernel log port, the tunnel server address.
  int api_port() const { return api_server_ ? api_server_->port() : 0; }
  std::uint16_t log_port() const { return log_port_; }
  std::string server_address() const;

 private:
  std::string start_link();
  void stop_link();
  std::string start_grpc();
  void stop_grpc(Runnable::Deadline deadline);
  std::string start_kmsg();
  void stop_kmsg();

  const Settings& s_;
  kube::Client& kube_;
  Clock& clock_;
  DaemonRuntime& runtime_;
  log::Logger log_;
  kube::Informer bindings_;
  kube::Informer metal_machines_;
  WorkerPool pool_;
  CallDispatcher api_calls_;
  CallDispatcher event_calls_;

  // Made by the "link" part (they need the installation).
  std::optional<Installation> installation_;
  siderolink::Ipv6Bytes network_{};
  siderolink::Ipv6Bytes server_addr_{};
  std::unique_ptr<LineSink> sink_;
  std::unique_ptr<WgDevice> device_;
  std::unique_ptr<PeerSync> peers_;
  std::atomic<PeerSync*> peers_ready_{nullptr};  // peers_ once made, for the readiness check
  std::unique_ptr<NodeDirectory> nodes_;
  std::unique_ptr<ProvisionServiceImpl> provision_;
  std::unique_ptr<EventSinkServiceImpl> event_sink_;
  std::string endpoint_;

  std::optional<GrpcServer> api_server_;
  std::optional<GrpcServer> event_server_;

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<KmsgReceiver> kmsg_;
  std::thread io_thread_;
  std::uint16_t log_port_ = 0;
};

}  // namespace ferrum::linkd
