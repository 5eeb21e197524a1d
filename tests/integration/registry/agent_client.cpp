// A small api.Agent client for the registry's integration tests and benchmark; it speaks
// the same protocol as ferrum-agent (and Sidero's agent).
//   agent_client ADDR health
//   agent_client ADDR register UUID [--hostname H] [--mem-mb N] [--disk-bytes N] [--mac M]
//                                   [--manufacturer M] [--deadline-ms N]
//                                   [--disks N] [--nics N] [--string-bytes N]
//   agent_client ADDR wiped|heartbeat UUID
//   agent_client ADDR addresses UUID TYPE=ADDRESS...
//   agent_client ADDR bmc UUID IP PORT [USER PASS]
//   agent_client ADDR bench AGENTS SECONDS
// Output: "OK" (register: "OK wipe=0|1 insecure_wipe=0|1 setup_bmc=0|1 reboot_timeout=N")
// or "<CODE> <message>"; exit 0 only for OK.
// bench: AGENTS threads register distinct machines back to back for SECONDS and print
// "registrations N errors E per_second R p50_ms P p99_ms Q".
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent.grpc.pb.h"
#include "ferrum/grpc_code.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Names are string literals, so data() is NUL-terminated.
const char* code_name(grpc::StatusCode c) {
  return ferrum::grpc_code_name(static_cast<int>(c)).data();
}

int report(const grpc::Status& st, const std::string& ok_text = "OK") {
  if (st.ok()) {
    std::printf("%s\n", ok_text.c_str());
    return 0;
  }
  std::printf("%s %s\n", code_name(st.error_code()), st.error_message().c_str());
  return 1;
}

struct Opts {
  std::map<std::string, std::string> kv;
  std::vector<std::string> pos;
  std::string get(const std::string& k, const std::string& def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
};

Opts parse(int argc, char** argv, int from) {
  Opts o;
  for (int i = from; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && i + 1 < argc) {
      o.kv[a.substr(2)] = argv[++i];
    } else {
      o.pos.push_back(a);
    }
  }
  return o;
}

void set_deadline(grpc::ClientContext& ctx, const Opts& o) {
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(std::stoll(o.get("deadline-ms", "10000"))));
}

api::CreateServerRequest registration(const std::string& uuid, const Opts& o) {
  api::CreateServerRequest req;
  auto* hw = req.mutable_hardware();
  auto* s = hw->mutable_system();
  s->set_uuid(uuid);
  s->set_manufacturer(o.get("manufacturer", "QEMU"));
  // --string-bytes: a manufacturer of that many bytes (a command line argument cannot be
  // longer than 128 KiB).
  if (auto n = std::stoul(o.get("string-bytes", "0")); n > 0)
    s->set_manufacturer(std::string(n, 'x'));
  s->set_product_name("Standard PC (Q35 + ICH9, 2009)");
  s->set_serial_number("SN-" + uuid.substr(0, 8));
  auto* c = hw->mutable_compute();
  c->set_total_core_count(2);
  c->set_total_thread_count(2);
  c->set_processor_count(1);
  auto* p = c->add_processors();
  p->set_manufacturer("QEMU");
  p->set_core_count(2);
  p->set_thread_count(2);
  auto* m = hw->mutable_memory();
  m->set_total_size(static_cast<std::uint32_t>(std::stoul(o.get("mem-mb", "2048"))));
  m->set_module_count(1);
  m->add_modules()->set_size(m->total_size());
  auto disk = std::stoull(o.get("disk-bytes", "68719476736"));
  auto* st = hw->mutable_storage();
  st->set_total_size(disk);
  auto disks = std::stoul(o.get("disks", "1"));
  st->set_device_count(static_cast<std::uint32_t>(disks));
  for (unsigned long k = 0; k < disks; ++k) {
    auto* d = st->add_devices();
    d->set_type(api::HDD);
    d->set_size(disk);
    d->set_name(k == 0 ? "vda" : "vd" + std::to_string(k));
    d->set_device_name("/dev/" + d->name());
  }
  auto nics = std::stoul(o.get("nics", "1"));
  auto* n = hw->mutable_network();
  n->set_interface_count(static_cast<std::uint32_t>(nics));
  for (unsigned long k = 0; k < nics; ++k) {
    auto* i = n->add_interfaces();
    i->set_index(static_cast<std::uint32_t>(k + 2));
    i->set_name("eth" + std::to_string(k));
    i->set_mtu(1500);
    i->set_mac(o.get("mac", "52:54:00:00:00:01"));
  }
  req.set_hostname(o.get("hostname", ""));
  return req;
}

int bench(const std::shared_ptr<grpc::Channel>& ch, int agents, int seconds) {
  auto stub = api::Agent::NewStub(ch);
  std::atomic<long> ok{0}, errors{0};
  std::mutex mu;
  std::vector<double> lat;
  auto end = Clock::now() + std::chrono::seconds(seconds);
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  std::srand(static_cast<unsigned>(std::time(nullptr)));
  unsigned run = static_cast<unsigned>(std::rand()) & 0xffff;
  for (int a = 0; a < agents; ++a) {
    threads.emplace_back([&, a] {
      std::vector<double> mine;
      Opts o;
      for (long n = 0; Clock::now() < end; ++n) {
        char uuid[40];
        std::snprintf(uuid, sizeof uuid, "%08x-%04x-4000-8000-%012lx", 0xbe000000u + run,
                      static_cast<unsigned>(a), n + 1);
        auto req = registration(uuid, o);
        api::CreateServerResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        auto s = Clock::now();
        auto st = stub->CreateServer(&ctx, req, &resp);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        (st.ok() ? ok : errors)++;
        if (!st.ok() && errors < 5) {
          std::fprintf(stderr, "%s %s\n", code_name(st.error_code()), st.error_message().c_str());
        }
      }
      std::lock_guard lock(mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0.0
                       : lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * lat.size()))];
  };
  std::printf("registrations %ld errors %ld per_second %.0f p50_ms %.1f p99_ms %.1f\n", ok.load(),
              errors.load(), static_cast<double>(ok) / secs, pct(0.5), pct(0.99));
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(
        stderr,
        "usage: agent_client ADDR health|register|wiped|heartbeat|addresses|bmc|bench ...\n");
    return 2;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(1 << 20);
  auto ch = grpc::CreateCustomChannel(argv[1], grpc::InsecureChannelCredentials(), args);
  std::string cmd = argv[2];
  Opts o = parse(argc, argv, 3);
  auto stub = api::Agent::NewStub(ch);
  grpc::ClientContext ctx;
  set_deadline(ctx, o);
  auto need = [&](std::size_t n) {
    if (o.pos.size() < n) {
      std::fprintf(stderr, "agent_client %s: needs %zu arguments\n", cmd.c_str(), n);
      std::exit(2);
    }
  };
  if (cmd == "health") {
    // grpc.health.v1.Health/Check for the whole server (empty request), as a generic call:
    // the answer HealthCheckResponse{status: SERVING} is the two bytes 08 01.
    grpc::GenericStub generic(ch);
    grpc::Slice empty("");
    grpc::ByteBuffer req(&empty, 1), resp;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &req, &resp,
                      [&done](grpc::Status s) { done.set_value(std::move(s)); });
    auto st = done.get_future().get();
    if (!st.ok()) return report(st);
    std::string bytes;
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    bool serving = bytes == std::string("\x08\x01", 2);
    std::printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
    return serving ? 0 : 1;
  }
  if (cmd == "register") {
    need(1);
    api::CreateServerResponse resp;
    auto st = stub->CreateServer(&ctx, registration(o.pos[0], o), &resp);
    char buf[160];
    std::snprintf(buf, sizeof buf, "OK wipe=%d insecure_wipe=%d setup_bmc=%d reboot_timeout=%.0f",
                  resp.wipe(), resp.insecure_wipe(), resp.setup_bmc(), resp.reboot_timeout());
    return report(st, buf);
  }
  if (cmd == "wiped") {
    need(1);
    api::MarkServerAsWipedRequest req;
    req.set_uuid(o.pos[0]);
    api::MarkServerAsWipedResponse resp;
    return report(stub->MarkServerAsWiped(&ctx, req, &resp));
  }
  if (cmd == "heartbeat") {
    need(1);
    api::HeartbeatRequest req;
    req.set_uuid(o.pos[0]);
    api::HeartbeatResponse resp;
    return report(stub->Heartbeat(&ctx, req, &resp));
  }
  if (cmd == "addresses") {
    need(1);
    api::ReconcileServerAddressesRequest req;
    req.set_uuid(o.pos[0]);
    for (std::size_t i = 1; i < o.pos.size(); ++i) {
      auto eq = o.pos[i].find('=');
      auto* a = req.add_address();
      a->set_type(o.pos[i].substr(0, eq));
      if (eq != std::string::npos) a->set_address(o.pos[i].substr(eq + 1));
    }
    api::ReconcileServerAddressesResponse resp;
    return report(stub->ReconcileServerAddresses(&ctx, req, &resp));
  }
  if (cmd == "bmc") {
    need(3);
    api::UpdateBMCInfoRequest req;
    req.set_uuid(o.pos[0]);
    auto* b = req.mutable_bmc_info();
    b->set_ip(o.pos[1]);
    b->set_port(static_cast<std::uint32_t>(std::stoul(o.pos[2])));
    if (o.pos.size() >= 5) {
      b->set_user(o.pos[3]);
      b->set_pass(o.pos[4]);
    }
    api::UpdateBMCInfoResponse resp;
    return report(stub->UpdateBMCInfo(&ctx, req, &resp));
  }
  if (cmd == "bench") {
    need(2);
    return bench(ch, std::stoi(o.pos[0]), std::stoi(o.pos[1]));
  }
  std::fprintf(stderr, "agent_client: unknown command %s\n", cmd.c_str());
  return 2;
}
