// PowerControl over ferrum-bmcd's gRPC Power service.
#include <grpcpp/grpcpp.h>

#include "ferrum/grpc_code.hpp"
#include "power.grpc.pb.h"
#include "power_control.hpp"

namespace ferrum::reconciler {

namespace {

namespace pb = ferrum::power::v1;

PowerError to_error(const grpc::Status& st) {
  PowerError e;
  e.message =
      std::string(grpc_code_name(static_cast<int>(st.error_code()))) + ": " + st.error_message();
  switch (st.error_code()) {
    case grpc::StatusCode::FAILED_PRECONDITION:
      e.kind = PowerError::Kind::kNoBmc;
      break;
    case grpc::StatusCode::NOT_FOUND:
      e.kind = PowerError::Kind::kGone;
      break;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      e.kind = PowerError::Kind::kUnavailable;
      break;
    default:
      e.kind = PowerError::Kind::kFailed;
  }
  return e;
}

class BmcdPower final : public PowerControl {
 public:
  BmcdPower(const std::string& endpoint, std::chrono::milliseconds deadline)
      : stub_(
            pb::Power::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()))),
        deadline_(deadline) {}

  Expected<bool, PowerError> power_state(const std::string& server) override {
    pb::PowerStateRequest req;
    req.set_server_name(server);
    pb::PowerStateResponse resp;
    grpc::ClientContext ctx;
    prepare(ctx);
    auto st = stub_->PowerState(&ctx, req, &resp);
    if (!st.ok()) return unexpected(to_error(st));
    if (resp.status() == pb::POWER_STATUS_ON) return true;
    if (resp.status() == pb::POWER_STATUS_OFF) return false;
    return unexpected(PowerError{PowerError::Kind::kFailed, "bmcd answered no power status"});
  }

  Expected<Done, PowerError> power_on(const std::string& server) override {
    return simple_call<pb::PowerOnRequest, pb::PowerOnResponse>(server, &pb::Power::Stub::PowerOn);
  }

  Expected<Done, PowerError> power_off(const std::string& server) override {
    return simple_call<pb::PowerOffRequest, pb::PowerOffResponse>(server,
                                                                  &pb::Power::Stub::PowerOff);
  }

  Expected<Done, PowerError> power_cycle(const std::string& server) override {
    return simple_call<pb::PowerCycleRequest, pb::PowerCycleResponse>(server,
                                                                      &pb::Power::Stub::PowerCycle);
  }

  Expected<Done, PowerError> set_pxe_boot(const std::string& server,
                                          const std::string& mode) override {
    pb::SetBootDeviceRequest req;
    req.set_server_name(server);
    req.set_device(pb::BOOT_DEVICE_PXE);
    req.set_mode(mode == "bios" ? pb::BOOT_MODE_BIOS : pb::BOOT_MODE_UEFI);
    pb::SetBootDeviceResponse resp;
    grpc::ClientContext ctx;
    prepare(ctx);
    return result(stub_->SetBootDevice(&ctx, req, &resp));
  }

 private:
  void prepare(grpc::ClientContext& ctx) const {
    ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
    // bmcd restarting should delay a call up to its deadline, not fail it at once.
    ctx.set_wait_for_ready(true);
  }
  // The power calls that carry nothing but the Server's name and answer nothing but a status.
  template <typename Request, typename Response>
  Expected<Done, PowerError> simple_call(
      const std::string& server,
      grpc::Status (pb::Power::Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
    Request req;
    req.set_server_name(server);
    Response resp;
    grpc::ClientContext ctx;
    prepare(ctx);
    return result((stub_.get()->*method)(&ctx, req, &resp));
  }
  static Expected<Done, PowerError> result(const grpc::Status& st) {
    if (!st.ok()) return unexpected(to_error(st));
    return Done{};
  }

  std::unique_ptr<pb::Power::Stub> stub_;
  std::chrono::milliseconds deadline_;
};

}  // namespace

std::unique_ptr<PowerControl> make_bmcd_power(const std::string& endpoint,
                                              std::chrono::milliseconds deadline) {
  return std::make_unique<BmcdPower>(endpoint, deadline);
}

}  // namespace ferrum::reconciler
