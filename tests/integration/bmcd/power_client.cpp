// A small Power client for the integration tests and the benchmark.
//   power_client ADDR health
//   power_client ADDR on|off|cycle|state|boot SERVER... [--device pxe|disk] [--mode bios|uefi]
//                [--deadline-ms N]
// Calls for several servers go out in parallel (one thread each). One line per server:
//   "<server> OK [on|off|from_off]" or "<server> <CODE> <message>"; exit 0 when all were OK.
// Prints "elapsed_ms <n>" last (wall time of all calls), for the benchmark.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ferrum/grpc_code.hpp"
#include "power.grpc.pb.h"

namespace pb = ferrum::power::v1;

namespace {

// Names are string literals, so data() is NUL-terminated.
const char* code_name(grpc::StatusCode c) {
  return ferrum::grpc_code_name(static_cast<int>(c)).data();
}

int health(const std::shared_ptr<grpc::Channel>& ch) {
  grpc::GenericStub stub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer req, resp;
  grpc::Slice empty("");
  req = grpc::ByteBuffer(&empty, 1);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status st;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &req, &resp,
                 [&](grpc::Status s) {
                   std::lock_guard l(mu);
                   st = s;
                   done = true;
                   cv.notify_one();
                 });
  std::unique_lock l(mu);
  cv.wait(l, [&] { return done; });
  if (!st.ok()) {
    std::printf("health %s %s\n", code_name(st.error_code()), st.error_message().c_str());
    return 1;
  }
  std::vector<grpc::Slice> slices;
  (void)resp.Dump(&slices);
  std::string bytes;
  for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  bool serving = bytes == std::string("\x08\x01", 2);  // HealthCheckResponse{status: SERVING}
  std::printf("health %s\n", serving ? "SERVING" : "NOT_SERVING");
  return serving ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: power_client ADDR health | OP SERVER... [--device D] [--mode M] "
                 "[--deadline-ms N]\n");
    return 2;
  }
  auto ch = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  std::string op = argv[2];
  if (op == "health") return health(ch);
  std::vector<std::string> servers;
  pb::BootDevice device = pb::BOOT_DEVICE_PXE;
  pb::BootMode mode = pb::BOOT_MODE_BIOS;
  long deadline_ms = 30000;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) {
      std::string v = argv[++i];
      device = v == "pxe"    ? pb::BOOT_DEVICE_PXE
               : v == "disk" ? pb::BOOT_DEVICE_DISK
                             : pb::BOOT_DEVICE_UNSPECIFIED;
    } else if (a == "--mode" && i + 1 < argc) {
      std::string v = argv[++i];
      mode = v == "bios"   ? pb::BOOT_MODE_BIOS
             : v == "uefi" ? pb::BOOT_MODE_UEFI
                           : pb::BOOT_MODE_UNSPECIFIED;
    } else if (a == "--deadline-ms" && i + 1 < argc) {
      deadline_ms = std::stol(argv[++i]);
    } else {
      servers.push_back(a == "''" ? std::string() : a);
    }
  }
  auto stub = pb::Power::NewStub(ch);
  std::mutex out_mu;
  bool all_ok = true;
  auto start = std::chrono::steady_clock::now();
  auto call = [&](const std::string& server) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms));
    grpc::Status st;
    std::string extra;
    if (op == "on") {
      pb::PowerOnRequest req;
      pb::PowerOnResponse resp;
      req.set_server_name(server);
      st = stub->PowerOn(&ctx, req, &resp);
    } else if (op == "off") {
      pb::PowerOffRequest req;
      pb::PowerOffResponse resp;
      req.set_server_name(server);
      st = stub->PowerOff(&ctx, req, &resp);
    } else if (op == "cycle") {
      pb::PowerCycleRequest req;
      pb::PowerCycleResponse resp;
      req.set_server_name(server);
      st = stub->PowerCycle(&ctx, req, &resp);
      if (st.ok() && resp.powered_on_from_off()) extra = " from_off";
    } else if (op == "state") {
      pb::PowerStateRequest req;
      pb::PowerStateResponse resp;
      req.set_server_name(server);
      st = stub->PowerState(&ctx, req, &resp);
      if (st.ok()) {
        extra = resp.status() == pb::POWER_STATUS_ON    ? " on"
                : resp.status() == pb::POWER_STATUS_OFF ? " off"
                                                        : " ?";
      }
    } else if (op == "boot") {
      pb::SetBootDeviceRequest req;
      pb::SetBootDeviceResponse resp;
      req.set_server_name(server);
      req.set_device(device);
      req.set_mode(mode);
      st = stub->SetBootDevice(&ctx, req, &resp);
    } else {
      st = grpc::Status(grpc::INVALID_ARGUMENT, "client: unknown op " + op);
    }
    std::lock_guard l(out_mu);
    if (st.ok()) {
      std::printf("%s OK%s\n", server.c_str(), extra.c_str());
    } else {
      all_ok = false;
      std::printf("%s %s %s\n", server.c_str(), code_name(st.error_code()),
                  st.error_message().c_str());
    }
  };
  std::vector<std::thread> threads;
  for (const auto& s : servers) threads.emplace_back(call, s);
  for (auto& t : threads) t.join();
  auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("elapsed_ms %.1f\n", ms);
  return all_ok ? 0 : 1;
}
