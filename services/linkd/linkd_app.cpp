#include "linkd_app.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "ferrum/call_dispatcher.hpp"
#include "ferrum/grpc_server.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/net.hpp"
#include "ferrum/worker_pool.hpp"
#include "installation.hpp"
#include "kmsg_receiver.hpp"
#include "link_services.hpp"
#include "node_directory.hpp"
#include "peer_sync.hpp"
#include "wg_device.hpp"

namespace ferrum::linkd {

namespace asio = boost::asio;

int run_linkd(const Settings& s, DaemonRuntime& runtime, kube::Client& kube,
              TerminationSignals& signals) {
  auto log = runtime.logger("linkd");
  route_grpc_library_logs(runtime.logger("grpc"));
  auto fail = [&log](const std::string& error) {
    log.error("start failed", {{"error", error}});
    return 1;
  };
  std::string secret_ns, secret_name;
  split_secret_name(s.link_secret, &secret_ns, &secret_name);
  auto inst = load_or_create_installation(kube, secret_ns, secret_name);
  if (!inst) return fail("--link-secret: " + inst.error());
  auto network = siderolink::network_prefix(inst->installation_id);
  auto server_addr = siderolink::server_address(inst->installation_id);
  auto server_pub = public_key_of(inst->private_key);
  log.info("installation", {{"secret", s.link_secret},
                            {"created", inst->created},
                            {"prefix", siderolink::network_prefix_text(inst->installation_id)},
                            {"server_address", siderolink::format_ipv6(server_addr)},
                            {"public_key", server_pub.base64()}});
  auto negative = parse_prefixes(s.negative_address_filter);
  auto sink = LineSink::open(s.log_output);
  if (!sink) return fail(sink.error());

  WgDeviceOptions wo;
  wo.backend = s.wireguard_backend;
  wo.interface_name = s.interface_name;
  wo.wireguard_go = s.wireguard_go;
  wo.listen_port = static_cast<std::uint16_t>(s.wireguard_port);
  wo.private_key = inst->private_key;
  wo.server_address = server_addr;
  auto device = open_wg_device(wo, log.child("wireguard"));
  if (!device) return fail("--wireguard-backend " + s.wireguard_backend + ": " + device.error());
  log.info("wireguard interface ready", {{"interface", s.interface_name},
                                         {"backend", (*device)->backend()},
                                         {"port", s.wireguard_port}});

  auto& registry = runtime.registry();
  PeerSync peers(**device, {s.peer_batch_delay, s.peer_check_period, s.stale_handshake_after},
                 registry, log.child("peers"));

  kube::InformerSettings bis;
  bis.resource = kube::resource_of(model::kServerBinding);
  kube::Informer bindings(bis, kube, real_clock(), log.child("bindings"));
  kube::InformerSettings mis;
  mis.resource = kube::resource_of(model::kMetalMachine);
  kube::Informer metal_machines(mis, kube, real_clock(), log.child("metalmachines"));
  NodeDirectory nodes(network, bindings.store(), &metal_machines.store());
  auto name_of = [](const kube::Json& o) {
    return o.value("/metadata/name"_json_pointer, std::string());
  };
  auto on_binding = [&, name_of](const kube::Json& o) {
    nodes.on_binding(o);
    peers.set_peer(name_of(o), desired_peer(o, network));
  };
  bindings.add_handlers({on_binding,
                         [on_binding](const kube::Json&, const kube::Json& n) { on_binding(n); },
                         [&, name_of](const kube::Json& o) {
                           nodes.on_binding_deleted(o);
                           peers.set_peer(name_of(o), std::nullopt);
                         }});
  metal_machines.add_handlers(
      {[&](const kube::Json&) { nodes.on_metal_machine(); },
       [&](const kube::Json&, const kube::Json&) { nodes.on_metal_machine(); },
       [&](const kube::Json&) { nodes.on_metal_machine(); }});

  std::jthread peer_thread([&peers](std::stop_token st) { peers.run(st); });
  std::jthread binding_thread([&bindings](std::stop_token st) { bindings.run(st); });
  std::jthread mm_thread([&metal_machines](std::stop_token st) { metal_machines.run(st); });

  WorkerPool pool(static_cast<std::size_t>(s.workers),
                  static_cast<std::size_t>(s.max_pending_calls));
  registry.gauge_callback("linkd_pending_calls", "Calls waiting for a worker",
                          [&pool] { return static_cast<double>(pool.pending()); });
  auto dispatcher_options = [&s](const char* prefix) {
    return CallDispatcherOptions{"ferrum-linkd", prefix,
                                 "gRPC",         metrics::exponential_buckets(0.0005, 2, 16),
                                 s.call_timeout, static_cast<std::size_t>(s.max_pending_calls)};
  };
  CallDispatcher api_calls(dispatcher_options("linkd_api"), pool, registry);
  CallDispatcher event_calls(dispatcher_options("linkd_events"), pool, registry);
  ProvisionSettings ps{
      net::format_host_port(s.wireguard_endpoint, static_cast<std::uint16_t>(s.wireguard_port)),
      s.join_token, server_pub, network, server_addr};
  ProvisionServiceImpl provision(ps, kube, peers, api_calls, registry, log.child("provision"));
  EventSinkServiceImpl event_sink(*negative, nodes, kube, event_calls, real_clock(),
                                  s.conflict_retries, registry, log.child("events"));

  auto stop_threads = [&] {
    peer_thread.request_stop();
    binding_thread.request_stop();
    mm_thread.request_stop();
    pool.stop();
  };

  auto grpc_options = [&s](std::string listen, std::string flag) {
    return GrpcServerOptions{std::move(listen), std::move(flag),
                             static_cast<int>(s.max_message_bytes), 64 * 1024, 100};
  };
  auto api_server = GrpcServer::start(grpc_options(s.api_listen, "--api-listen"), {&provision});
  if (!api_server) {
    stop_threads();
    return fail(api_server.error());
  }
  std::string server_text = siderolink::format_ipv6(server_addr);
  std::string event_listen =
      net::format_host_port(server_text, static_cast<std::uint16_t>(s.event_listen_port));
  auto event_server =
      GrpcServer::start(grpc_options(event_listen, "--event-listen-port"), {&event_sink});
  if (!event_server) {
    api_server->server().Shutdown();
    stop_threads();
    return fail(event_server.error());
  }

  asio::io_context io;
  KmsgReceiver kmsg(io,
                    {static_cast<std::size_t>(s.max_log_line_bytes),
                     static_cast<std::size_t>(s.max_log_connections), s.log_idle_timeout},
                    nodes, **sink, registry, log.child("kmsg"));
  auto kmsg_port = kmsg.start(asio::ip::tcp::endpoint(
      asio::ip::make_address(server_text), static_cast<std::uint16_t>(s.log_listen_port)));
  if (!kmsg_port) {
    api_server->server().Shutdown();
    event_server->server().Shutdown();
    stop_threads();
    return fail(kmsg_port.error());
  }
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&io] { io.run(); });

  log.info("listening", {{"api", s.api_listen},
                         {"api_port", api_server->port()},
                         {"logs", net::format_host_port(server_text, *kmsg_port)},
                         {"events", event_listen},
                         {"endpoint", ps.endpoint}});
  runtime.admin().add_readiness_check("informers", [&] {
    return bindings.has_synced() && metal_machines.has_synced()
               ? std::string()
               : std::string("informers not synced");
  });
  runtime.admin().add_readiness_check("wireguard", [&] {
    return peers.healthy() ? std::string() : std::string("WireGuard device not answering");
  });
  int rc = 0;
  if (auto admin = runtime.start_admin(); !admin) {
    log.error("start failed", {{"error", "--admin-listen: " + admin.error()}});
    rc = 1;
  } else {
    int sig = signals.wait();
    log.info("signal received", {{"signal", sig}});
  }
  // Refuse new calls, finish running ones within the shutdown timeout, then stop the rest.
  api_calls.begin_shutdown();
  event_calls.begin_shutdown();
  stop_grpc_servers({&*api_server, &*event_server},
                    std::chrono::system_clock::now() + runtime.common().shutdown_timeout,
                    [&pool] { pool.stop(); });
  asio::post(io, [&kmsg, &work] {
    kmsg.stop();
    work.reset();
  });
  io.stop();
  io_thread.join();
  stop_threads();
  peer_thread.join();
  binding_thread.join();
  mm_thread.join();
  device->reset();  // wireguard-go stops and removes its interface
  runtime.admin().stop();
  log.info("stopped", {});
  return rc;
}

}  // namespace ferrum::linkd
