#include "linkd_app.hpp"

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/net.hpp"

namespace ferrum::linkd {

namespace asio = boost::asio;

namespace {

kube::InformerSettings watch_of(const model::ResourceKind& kind) {
  kube::InformerSettings s;
  s.resource = kube::resource_of(kind);
  return s;
}

CallDispatcherOptions dispatcher_options(const Settings& s, const char* prefix) {
  return CallDispatcherOptions{"ferrum-linkd", prefix,
                               "gRPC",         metrics::exponential_buckets(0.0005, 2, 16),
                               s.call_timeout, static_cast<std::size_t>(s.max_pending_calls)};
}

GrpcServerOptions grpc_options(const Settings& s, std::string listen, std::string flag) {
  return GrpcServerOptions{std::move(listen), std::move(flag),
                           static_cast<int>(s.max_message_bytes), 64 * 1024, 100};
}

}  // namespace

LinkdApp::LinkdApp(const Settings& settings, kube::Client& kube, Clock& clock,
                   DaemonRuntime& runtime)
    : s_(settings),
      kube_(kube),
      clock_(clock),
      runtime_(runtime),
      log_(runtime.logger("linkd")),
      bindings_(watch_of(model::kServerBinding), kube, clock, log_.child("bindings")),
      metal_machines_(watch_of(model::kMetalMachine), kube, clock, log_.child("metalmachines")),
      pool_(static_cast<std::size_t>(settings.workers),
            static_cast<std::size_t>(settings.max_pending_calls)),
      api_calls_(dispatcher_options(settings, "linkd_api"), pool_, runtime.registry()),
      event_calls_(dispatcher_options(settings, "linkd_events"), pool_, runtime.registry()) {
  route_grpc_library_logs(runtime.logger("grpc"));
  runtime.registry().gauge_callback("linkd_pending_calls", "Calls waiting for a worker",
                                    [this] { return static_cast<double>(pool_.pending()); });
  runtime.admin().add_readiness_check("informers", [this] {
    return bindings_.has_synced() && metal_machines_.has_synced()
               ? std::string()
               : std::string("informers not synced");
  });
  runtime.admin().add_readiness_check("wireguard", [this] {
    // The admin server answers from its own thread while the "link" part makes PeerSync.
    auto* peers = peers_ready_.load();
    return peers != nullptr && peers->healthy() ? std::string()
                                                : std::string("WireGuard device not answering");
  });
}

LinkdApp::~LinkdApp() = default;

std::string LinkdApp::server_address() const { return siderolink::format_ipv6(server_addr_); }

void LinkdApp::add_parts(RunnableGroup& parts) {
  parts.add(
      "link", [this] { return start_link(); }, [this](Runnable::Deadline) { stop_link(); });
  parts.add_thread("peers", [this](std::stop_token st) { peers_->run(st); });
  parts.add_thread("bindings", [this](std::stop_token st) { bindings_.run(st); });
  parts.add_thread("metalmachines", [this](std::stop_token st) { metal_machines_.run(st); });
  parts.add(
      "kmsg", [this] { return start_kmsg(); }, [this](Runnable::Deadline) { stop_kmsg(); });
  parts.add(
      "grpc", [this] { return start_grpc(); },
      [this](Runnable::Deadline deadline) { stop_grpc(deadline); });
}

std::string LinkdApp::start_link() {
  std::string secret_ns, secret_name;
  split_secret_name(s_.link_secret, &secret_ns, &secret_name);  // validate() checked it
  auto inst = load_or_create_installation(kube_, secret_ns, secret_name);
  if (!inst) return "--link-secret: " + inst.error();
  installation_ = std::move(*inst);
  network_ = siderolink::network_prefix(installation_->installation_id);
  server_addr_ = siderolink::server_address(installation_->installation_id);
  auto server_pub = public_key_of(installation_->private_key);
  log_.info("installation",
            {{"secret", s_.link_secret},
             {"created", installation_->created},
             {"prefix", siderolink::network_prefix_text(installation_->installation_id)},
             {"server_address", siderolink::format_ipv6(server_addr_)},
             {"public_key", server_pub.base64()}});
  auto negative = parse_prefixes(s_.negative_address_filter);
  if (!negative) return "--negative-address-filter: " + negative.error();
  auto sink = LineSink::open(s_.log_output);
  if (!sink) return sink.error();
  sink_ = std::move(*sink);

  WgDeviceOptions wo;
  wo.backend = s_.wireguard_backend;
  wo.interface_name = s_.interface_name;
  wo.wireguard_go = s_.wireguard_go;
  wo.listen_port = static_cast<std::uint16_t>(s_.wireguard_port);
  wo.private_key = installation_->private_key;
  wo.server_address = server_addr_;
  auto device = open_wg_device(wo, log_.child("wireguard"));
  if (!device) return "--wireguard-backend " + s_.wireguard_backend + ": " + device.error();
  device_ = std::move(*device);
  log_.info("wireguard interface ready", {{"interface", s_.interface_name},
                                          {"backend", device_->backend()},
                                          {"port", s_.wireguard_port}});

  auto& registry = runtime_.registry();
  peers_ = std::make_unique<PeerSync>(
      *device_,
      PeerSyncSettings{s_.peer_batch_delay, s_.peer_check_period, s_.stale_handshake_after},
      registry, log_.child("peers"));
  peers_ready_ = peers_.get();
  nodes_ = std::make_unique<NodeDirectory>(network_, bindings_.store(), &metal_machines_.store());
  auto name_of = [](const kube::Json& o) {
    return o.value("/metadata/name"_json_pointer, std::string());
  };
  auto on_binding = [this, name_of](const kube::Json& o) {
    nodes_->on_binding(o);
    peers_->set_peer(name_of(o), desired_peer(o, network_));
  };
  bindings_.add_handlers({on_binding,
                          [on_binding](const kube::Json&, const kube::Json& n) { on_binding(n); },
                          [this, name_of](const kube::Json& o) {
                            nodes_->on_binding_deleted(o);
                            peers_->set_peer(name_of(o), std::nullopt);
                          }});
  metal_machines_.add_handlers(
      {[this](const kube::Json&) { nodes_->on_metal_machine(); },
       [this](const kube::Json&, const kube::Json&) { nodes_->on_metal_machine(); },
       [this](const kube::Json&) { nodes_->on_metal_machine(); }});

  endpoint_ =
      net::format_host_port(s_.wireguard_endpoint, static_cast<std::uint16_t>(s_.wireguard_port));
  provision_ = std::make_unique<ProvisionServiceImpl>(
      ProvisionSettings{endpoint_, s_.join_token, server_pub, network_, server_addr_}, kube_,
      *peers_, api_calls_, registry, log_.child("provision"));
  event_sink_ =
      std::make_unique<EventSinkServiceImpl>(*negative, *nodes_, kube_, event_calls_, clock_,
                                             s_.conflict_retries, registry, log_.child("events"));
  return {};
}

void LinkdApp::stop_link() {
  peers_ready_ = nullptr;
  device_.reset();  // wireguard-go stops and removes its interface
}

std::string LinkdApp::start_grpc() {
  auto api = GrpcServer::start(grpc_options(s_, s_.api_listen, "--api-listen"), {provision_.get()});
  if (!api) {
    pool_.stop();
    return api.error();
  }
  api_server_.emplace(std::move(*api));
  std::string event_listen =
      net::format_host_port(server_address(), static_cast<std::uint16_t>(s_.event_listen_port));
  auto events =
      GrpcServer::start(grpc_options(s_, event_listen, "--event-listen-port"), {event_sink_.get()});
  if (!events) {
    // The two listeners share one pool and stop together, so they are one part.
    stop_grpc_servers({&*api_server_}, std::chrono::system_clock::now(), [this] { pool_.stop(); });
    api_server_.reset();
    return events.error();
  }
  event_server_.emplace(std::move(*events));
  log_.info("listening", {{"api", s_.api_listen},
                          {"api_port", api_server_->port()},
                          {"logs", net::format_host_port(server_address(), log_port_)},
                          {"events", event_listen},
                          {"endpoint", endpoint_}});
  return {};
}

void LinkdApp::stop_grpc(Runnable::Deadline deadline) {
  // Refuse new calls, finish running ones by the deadline, then answer the waiting ones.
  api_calls_.begin_shutdown();
  event_calls_.begin_shutdown();
  stop_grpc_servers({&*api_server_, &*event_server_}, grpc_deadline(deadline),
                    [this] { pool_.stop(); });
}

std::string LinkdApp::start_kmsg() {
  kmsg_ = std::make_unique<KmsgReceiver>(
      io_,
      KmsgSettings{static_cast<std::size_t>(s_.max_log_line_bytes),
                   static_cast<std::size_t>(s_.max_log_connections), s_.log_idle_timeout},
      *nodes_, *sink_, runtime_.registry(), log_.child("kmsg"));
  std::string server_text = server_address();
  auto port = kmsg_->start(asio::ip::tcp::endpoint(asio::ip::make_address(server_text),
                                                   static_cast<std::uint16_t>(s_.log_listen_port)));
  if (!port) return port.error();
  log_port_ = *port;
  work_.emplace(asio::make_work_guard(io_));
  io_thread_ = std::thread([this] { io_.run(); });
  return {};
}

void LinkdApp::stop_kmsg() {
  asio::post(io_, [this] {
    kmsg_->stop();
    work_.reset();
  });
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
}

}  // namespace ferrum::linkd
