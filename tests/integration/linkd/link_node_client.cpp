// The node side of the SideroLink integration test and benchmark: what a Talos node sends.
//   link_node_client provision ADDR UUID PUBKEY [JOIN_TOKEN]
//       prints the answer as JSON, or "ERROR <CODE>: <message>" and exits 1
//   link_node_client publish ADDR KIND ARGS...      (events.EventSinkService/Publish)
//       address HOSTNAME ADDR[,ADDR...] | phase NAME start|stop |
//       sequence NAME start|stop|noop [ERROR] | config-load ERROR | config-validation ERROR |
//       unknown
//   link_node_client provision-many ADDR COUNT      (benchmark: COUNT nodes with UUIDs
//       00000000-0000-0000-0000-<n>, keys from wg_key; prints p50/p99 latency in ms)
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "events.grpc.pb.h"
#include "ferrum/grpc_code.hpp"
#include "machine_events.pb.h"
#include "provision.grpc.pb.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: see the comment at the top of link_node_client.cpp\n");
  return 2;
}

std::shared_ptr<grpc::Channel> channel(const std::string& addr) {
  return grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
}

int fail(const grpc::Status& s) {
  std::printf("ERROR %s: %s\n",
              std::string(ferrum::grpc_code_name(static_cast<int>(s.error_code()))).c_str(),
              s.error_message().c_str());
  return 1;
}

int provision(const std::string& addr, const std::string& uuid, const std::string& key,
              const char* token) {
  auto stub = sidero::link::ProvisionService::NewStub(channel(addr));
  sidero::link::ProvisionRequest req;
  req.set_node_uuid(uuid);
  req.set_node_public_key(key);
  req.set_talos_version("v1.7.0");
  if (token != nullptr) req.set_join_token(token);
  sidero::link::ProvisionResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto s = stub->Provision(&ctx, req, &resp);
  if (!s.ok()) return fail(s);
  std::string endpoints;
  for (const auto& e : resp.server_endpoint())
    endpoints += (endpoints.empty() ? "\"" : ",\"") + e + "\"";
  std::printf(
      "{\"server_endpoint\":[%s],\"server_public_key\":\"%s\",\"node_address_prefix\":\"%s\","
      "\"server_address\":\"%s\"}\n",
      endpoints.c_str(), resp.server_public_key().c_str(), resp.node_address_prefix().c_str(),
      resp.server_address().c_str());
  return 0;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    if (c > pos) out.push_back(s.substr(pos, c - pos));
    pos = c + 1;
  }
  return out;
}

int publish(const std::string& addr, const std::string& kind, int argc, char** argv) {
  google::protobuf::Any any;
  auto pack = [&any](const google::protobuf::Message& m) {
    any.set_type_url("type.googleapis.com/" + m.GetDescriptor()->full_name());
    any.set_value(m.SerializeAsString());
  };
  if (kind == "address" && argc == 2) {
    machine::AddressEvent ev;
    ev.set_hostname(argv[0]);
    for (const auto& a : split(argv[1])) ev.add_addresses(a);
    pack(ev);
  } else if (kind == "phase" && argc == 2) {
    machine::PhaseEvent ev;
    ev.set_phase(argv[0]);
    ev.set_action(std::string(argv[1]) == "stop" ? machine::PhaseEvent::STOP
                                                 : machine::PhaseEvent::START);
    pack(ev);
  } else if (kind == "sequence" && (argc == 2 || argc == 3)) {
    machine::SequenceEvent ev;
    ev.set_sequence(argv[0]);
    std::string a = argv[1];
    ev.set_action(a == "start"  ? machine::SequenceEvent::START
                  : a == "stop" ? machine::SequenceEvent::STOP
                                : machine::SequenceEvent::NOOP);
    if (argc == 3) {
      ev.mutable_error()->set_code(common::FATAL);
      ev.mutable_error()->set_message(argv[2]);
    }
    pack(ev);
  } else if (kind == "config-load" && argc == 1) {
    machine::ConfigLoadErrorEvent ev;
    ev.set_error(argv[0]);
    pack(ev);
  } else if (kind == "config-validation" && argc == 1) {
    machine::ConfigValidationErrorEvent ev;
    ev.set_error(argv[0]);
    pack(ev);
  } else if (kind == "unknown" && argc == 0) {
    any.set_type_url("type.googleapis.com/machine.SomethingNew");
    any.set_value("\x0a\x01x");
  } else {
    return usage();
  }
  auto stub = events::EventSinkService::NewStub(channel(addr));
  events::EventRequest req;
  *req.mutable_data() = any;
  req.set_id("cn2ptest0000000000" + kind);
  req.set_actor_id("");
  events::EventResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto s = stub->Publish(&ctx, req, &resp);
  if (!s.ok()) return fail(s);
  std::printf("OK\n");
  return 0;
}

// Keys for the benchmark: any 32 bytes are a valid WireGuard public key.
std::string fake_key(int n) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s(43, 'A');
  int v = n + 1;
  for (int i = 0; i < 6; ++i) {
    s[static_cast<std::size_t>(i)] = kB64[v & 63];
    v >>= 6;
  }
  s[42] = 'E';  // the last char before '=' carries 2 unused bits: keep them zero
  return s + "=";
}

int provision_many(const std::string& addr, int count, int parallel) {
  auto ch = channel(addr);
  std::vector<double> ms(static_cast<std::size_t>(count));
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < parallel; ++t) {
    threads.emplace_back([&] {
      auto stub = sidero::link::ProvisionService::NewStub(ch);
      for (int i = next++; i < count; i = next++) {
        sidero::link::ProvisionRequest req;
        char uuid[64];
        std::snprintf(uuid, sizeof uuid, "00000000-0000-0000-0000-%012d", i);
        req.set_node_uuid(uuid);
        req.set_node_public_key(fake_key(i));
        sidero::link::ProvisionResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        auto t0 = std::chrono::steady_clock::now();
        auto s = stub->Provision(&ctx, req, &resp);
        ms[static_cast<std::size_t>(i)] =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        if (!s.ok()) {
          if (errors++ == 0) fail(s);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[static_cast<std::size_t>(p * (ms.size() - 1))]; };
  std::printf(
      "{\"count\":%d,\"errors\":%d,\"seconds\":%.3f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
      "\"max_ms\":%.2f}\n",
      count, errors.load(), total, pct(0.5), pct(0.99), ms.back());
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::string cmd = argv[1];
  if (cmd == "provision" && (argc == 5 || argc == 6)) {
    return provision(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : nullptr);
  }
  if (cmd == "publish" && argc >= 4) return publish(argv[2], argv[3], argc - 4, argv + 4);
  if (cmd == "provision-many" && (argc == 4 || argc == 5)) {
    return provision_many(argv[2], std::stoi(argv[3]), argc == 5 ? std::stoi(argv[4]) : 8);
  }
  if (cmd == "fake-key" && argc == 3) {
    std::printf("%s\n", fake_key(std::stoi(argv[2])).c_str());
    return 0;
  }
  return usage();
}
