#include "power_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "api_driver.hpp"
#include "ferrum/grpc_code.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"
#include "ipmi_driver.hpp"

namespace ferrum::bmcd {

PowerService::PowerService(const Settings& settings, kube::Reader& kube, Ipmi& ipmi,
                           SessionPool& sessions, WorkerPool& executor, metrics::Registry& registry,
                           log::Logger log)
    : settings_(settings),
      kube_(kube),
      ipmi_(ipmi),
      sessions_(sessions),
      executor_(executor),
      registry_(registry),
      ops_(registry.counter("bmcd_operations_total",
                            "Power service calls by backend, operation and result",
                            {"backend", "op", "result"})),
      latency_(registry.histogram(
          "bmcd_operation_duration_seconds",
          "Power service call latency (queueing included) by backend and operation",
          metrics::exponential_buckets(0.005, 2, 14), {"backend", "op"})),
      log_(std::move(log)) {}

namespace {

const char* kNoName = "server_name: must not be empty";

BootDevice to_device(pb::BootDevice d) {
  return d == pb::BOOT_DEVICE_DISK ? BootDevice::kDisk : BootDevice::kPxe;
}
BootMode to_mode(pb::BootMode m) {
  return m == pb::BOOT_MODE_UEFI ? BootMode::kUefi : BootMode::kBios;
}

grpc::ServerUnaryReactor* reject(grpc::CallbackServerContext* ctx, std::string msg) {
  auto* r = ctx->DefaultReactor();
  r->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(msg)));
  return r;
}

}  // namespace

grpc::ServerUnaryReactor* PowerService::PowerOn(grpc::CallbackServerContext* ctx,
                                                const pb::PowerOnRequest* req,
                                                pb::PowerOnResponse*) {
  if (req->server_name().empty()) return reject(ctx, kNoName);
  return dispatch(ctx, req->server_name(), OpRequest{Op::kPowerOn}, [](const OpResult&) {});
}

grpc::ServerUnaryReactor* PowerService::PowerOff(grpc::CallbackServerContext* ctx,
                                                 const pb::PowerOffRequest* req,
                                                 pb::PowerOffResponse*) {
  if (req->server_name().empty()) return reject(ctx, kNoName);
  return dispatch(ctx, req->server_name(), OpRequest{Op::kPowerOff}, [](const OpResult&) {});
}

grpc::ServerUnaryReactor* PowerService::PowerCycle(grpc::CallbackServerContext* ctx,
                                                   const pb::PowerCycleRequest* req,
                                                   pb::PowerCycleResponse* resp) {
  if (req->server_name().empty()) return reject(ctx, kNoName);
  return dispatch(ctx, req->server_name(), OpRequest{Op::kPowerCycle}, [resp](const OpResult& r) {
    resp->set_powered_on_from_off(r.powered_on_from_off);
  });
}

grpc::ServerUnaryReactor* PowerService::PowerState(grpc::CallbackServerContext* ctx,
                                                   const pb::PowerStateRequest* req,
                                                   pb::PowerStateResponse* resp) {
  if (req->server_name().empty()) return reject(ctx, kNoName);
  return dispatch(ctx, req->server_name(), OpRequest{Op::kPowerState}, [resp](const OpResult& r) {
    resp->set_status(r.powered_on ? pb::POWER_STATUS_ON : pb::POWER_STATUS_OFF);
  });
}

grpc::ServerUnaryReactor* PowerService::SetBootDevice(grpc::CallbackServerContext* ctx,
                                                      const pb::SetBootDeviceRequest* req,
                                                      pb::SetBootDeviceResponse*) {
  if (req->server_name().empty()) return reject(ctx, kNoName);
  if (req->device() != pb::BOOT_DEVICE_PXE && req->device() != pb::BOOT_DEVICE_DISK) {
    return reject(ctx, "device: must be BOOT_DEVICE_PXE or BOOT_DEVICE_DISK");
  }
  if (req->mode() != pb::BOOT_MODE_BIOS && req->mode() != pb::BOOT_MODE_UEFI) {
    return reject(ctx, "mode: must be BOOT_MODE_BIOS or BOOT_MODE_UEFI");
  }
  return dispatch(ctx, req->server_name(),
                  OpRequest{Op::kSetBootDevice, to_device(req->device()), to_mode(req->mode())},
                  [](const OpResult&) {});
}

void PowerService::finish(grpc::ServerUnaryReactor* reactor, std::string_view backend, Op op,
                          std::chrono::steady_clock::time_point start, grpc::Status status) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string b(backend), o(op_name(op));
  ops_.with({b, o, std::string(grpc_code_name(static_cast<int>(status.error_code())))}).inc();
  latency_.with({b, o}).observe(secs);
  reactor->Finish(status);
}

grpc::ServerUnaryReactor* PowerService::dispatch(grpc::CallbackServerContext* ctx,
                                                 const std::string& server, OpRequest req,
                                                 Fill fill) {
  auto* reactor = ctx->DefaultReactor();
  Deadline deadline = ctx->deadline();
  auto start = std::chrono::steady_clock::now();
  bool queued = executor_.submit(
      "server " + server,
      [this, reactor, deadline, server, req, fill = std::move(fill), start](bool cancelled) {
        if (cancelled) {
          finish(reactor, "none", req.op, start,
                 grpc::Status(grpc::StatusCode::UNAVAILABLE, "ferrum-bmcd is stopping"));
          return;
        }
        if (std::chrono::system_clock::now() >= deadline) {
          finish(reactor, "none", req.op, start,
                 grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                              "deadline passed while waiting; nothing sent"));
          return;
        }
        auto target = resolve(server);
        if (!target) {
          finish(reactor, "none", req.op, start,
                 grpc::Status(target.error().code, target.error().message));
          return;
        }
        BmcTarget t = std::move(*target);
        std::string key = t.key();
        bool ok = executor_.submit(
            key, [this, reactor, deadline, server, t, req, fill, start](bool stop) {
              std::string_view backend = backend_name(t.backend);
              if (stop) {
                finish(reactor, backend, req.op, start,
                       grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                    "ferrum-bmcd is stopping; nothing sent"));
                return;
              }
              if (std::chrono::system_clock::now() >= deadline) {
                finish(reactor, backend, req.op, start,
                       grpc::Status(
                           grpc::StatusCode::DEADLINE_EXCEEDED,
                           "deadline passed while waiting for " + t.endpoint() + "; nothing sent"));
                return;
              }
              run(reactor, deadline, server, t, req, fill, start);
            });
        if (!ok) {
          finish(reactor, backend_name(t.backend), req.op, start,
                 grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              fmt::format("too many calls waiting (--max-pending-calls={})",
                                          settings_.max_pending_calls)));
        }
      });
  if (!queued) {
    finish(reactor, "none", req.op, start,
           grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        fmt::format("too many calls waiting (--max-pending-calls={})",
                                    settings_.max_pending_calls)));
  }
  return reactor;
}

Expected<BmcTarget, TargetError> PowerService::resolve(const std::string& server) {
  auto s = kube::get_as<model::Server>(kube_, model::kServer, "", server);
  if (!s) {
    if (kube::is_not_found(s.error())) {
      return unexpected(
          TargetError{grpc::StatusCode::NOT_FOUND, "server \"" + server + "\" not found"});
    }
    return unexpected(TargetError{grpc::StatusCode::UNAVAILABLE,
                                  "reading server \"" + server + "\": " + s.error().describe()});
  }
  SecretLookup secrets = [this](const SecretRef& ref) -> Expected<std::string, TargetError> {
    std::string name = ref.namespace_ + "/" + ref.name;
    auto sec = kube::get_as<model::Secret>(kube_, model::kSecret, ref.namespace_, ref.name);
    if (!sec) {
      if (kube::is_not_found(sec.error())) {
        return unexpected(
            TargetError{grpc::StatusCode::FAILED_PRECONDITION, "secret " + name + " not found"});
      }
      return unexpected(TargetError{grpc::StatusCode::UNAVAILABLE,
                                    "reading secret " + name + ": " + sec.error().describe()});
    }
    auto v = sec->value(ref.key);
    if (!v) {
      return unexpected(TargetError{grpc::StatusCode::FAILED_PRECONDITION,
                                    "secret " + name + " has no key \"" + ref.key + "\""});
    }
    return *v;
  };
  return resolve_target(*s, secrets);
}

void PowerService::run(grpc::ServerUnaryReactor* reactor, Deadline deadline,
                       const std::string& server, const BmcTarget& t, OpRequest req,
                       const Fill& fill, std::chrono::steady_clock::time_point start) {
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::system_clock::now());
  auto timeout = std::clamp(remaining, std::chrono::milliseconds(100), settings_.ipmi_timeout);
  std::unique_ptr<PowerDriver> driver;
  if (t.backend == Backend::kIpmi) {
    driver = std::make_unique<IpmiDriver>(
        ipmi_, sessions_, IpmiEndpoint{t.host, t.port, t.interface, t.user, t.pass}, timeout);
  } else {
    driver = std::make_unique<ApiDriver>(t.api_base, timeout);
  }
  RetryPolicy policy{static_cast<int>(settings_.ipmi_retries), settings_.retry_backoff,
                     settings_.retry_backoff * 8};
  Wait wait = [this, deadline](std::chrono::milliseconds d) {
    if (stopping_ || std::chrono::system_clock::now() + d >= deadline) return false;
    std::this_thread::sleep_for(d);
    return !stopping_;
  };
  auto result = run_op(req, *driver, policy, wait);
  driver.reset();  // returns the session to the pool before the caller hears back
  std::string_view backend = backend_name(t.backend);
  if (result) {
    fill(*result);
    if (req.op != Op::kPowerState) {
      log_.info("bmc operation done", {{"server", server},
                                       {"op", op_name(req.op)},
                                       {"endpoint", t.endpoint()},
                                       {"command_sent", result->command_sent}});
    }
    finish(reactor, backend, req.op, start, grpc::Status::OK);
    return;
  }
  const BmcError& e = result.error();
  grpc::StatusCode code = status_code_for(e.kind);
  if (code == grpc::StatusCode::UNAVAILABLE && std::chrono::system_clock::now() >= deadline) {
    code = grpc::StatusCode::DEADLINE_EXCEEDED;
  }
  log_.warn("bmc operation failed", {{"server", server},
                                     {"op", op_name(req.op)},
                                     {"endpoint", t.endpoint()},
                                     {"error_kind", kind_name(e.kind)},
                                     {"error", e.message}});
  finish(reactor, backend, req.op, start, grpc::Status(code, e.message));
}

}  // namespace ferrum::bmcd
