// Event recorder against the in-memory API double: the Event's fields, aggregation of
// repeats by count, re-creation after expiry, a full queue dropping (never blocking).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <latch>

#include "ferrum/kube/event_recorder.hpp"
#include "kube_fake_api.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using kubetest::FakeApi;
using namespace std::chrono_literals;

namespace {

log::Logger quiet() { return log::discard("events"); }

const Json kServer = {
    {"apiVersion", "metal.sidero.dev/v1alpha2"},
    {"kind", "Server"},
    {"metadata", {{"name", "4c4c4544-0042"}, {"uid", "u-1"}, {"resourceVersion", "7"}}},
    {"spec", {{"accepted", true}}}};

std::vector<Json> events(FakeApi& api) {
  auto l = list_all(api, resources::events(), "");
  return l ? l->items : std::vector<Json>{};
}

EventRecorderSettings settings() {
  EventRecorderSettings s;
  s.component = "ferrum-reconciler";
  s.host = "node-1";
  return s;
}

}  // namespace

TEST(EventRecorder, WritesACoreV1Event) {
  FakeApi api;
  ManualClock clock;
  EventRecorder rec(settings(), api, clock, quiet());
  rec.warning(kServer, "PowerFailed", "IPMI timeout");
  rec.flush();
  auto evs = events(api);
  ASSERT_EQ(evs.size(), 1u);
  const Json& e = evs[0];
  EXPECT_EQ(e["metadata"]["namespace"], "default");  // cluster-scoped object
  EXPECT_EQ(e["metadata"]["name"].get<std::string>().rfind("4c4c4544-0042.", 0), 0u);
  EXPECT_EQ(e["involvedObject"], (Json{{"apiVersion", "metal.sidero.dev/v1alpha2"},
                                       {"kind", "Server"},
                                       {"name", "4c4c4544-0042"},
                                       {"uid", "u-1"},
                                       {"resourceVersion", "7"}}));
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "PowerFailed");
  EXPECT_EQ(e["message"], "IPMI timeout");
  EXPECT_EQ(e["source"], (Json{{"component", "ferrum-reconciler"}, {"host", "node-1"}}));
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["firstTimestamp"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(e["lastTimestamp"], "2030-01-01T00:00:00Z");
}

TEST(EventRecorder, RepeatsBumpCountAndLastTimestamp) {
  FakeApi api;
  ManualClock clock;
  EventRecorder rec(settings(), api, clock, quiet());
  Json machine = {{"apiVersion", "infrastructure.cluster.x-k8s.io/v1alpha3"},
                  {"kind", "MetalMachine"},
                  {"metadata", {{"name", "m1"}, {"namespace", "team"}}}};
  rec.normal(machine, "ServerAllocated", "server s1");
  rec.flush();
  clock.advance(5s);
  rec.normal(machine, "ServerAllocated", "server s1");
  rec.flush();
  clock.advance(5s);
  rec.normal(machine, "ServerAllocated", "server s1");
  rec.normal(machine, "ServerAllocated", "server s2");  // another message: another Event
  rec.flush();
  auto evs = events(api);
  ASSERT_EQ(evs.size(), 2u);
  std::map<std::string, Json> by_msg;
  for (auto& e : evs) by_msg[e["message"]] = e;
  EXPECT_EQ(by_msg["server s1"]["count"], 3);
  EXPECT_EQ(by_msg["server s1"]["firstTimestamp"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(by_msg["server s1"]["lastTimestamp"], "2030-01-01T00:00:10Z");
  EXPECT_EQ(by_msg["server s1"]["metadata"]["namespace"], "team");
  EXPECT_EQ(by_msg["server s2"]["count"], 1);
  EXPECT_EQ(api.calls("patch"), 2);
}

TEST(EventRecorder, ExpiredEventIsCreatedAgain) {
  FakeApi api;
  ManualClock clock;
  EventRecorder rec(settings(), api, clock, quiet());
  rec.normal(kServer, "Accepted", "accepted");
  rec.flush();
  auto first = events(api);
  ASSERT_EQ(first.size(), 1u);
  api.delete_direct(resources::events(), "default", name_of(first[0]));  // TTL expiry
  clock.advance(1s);
  rec.normal(kServer, "Accepted", "accepted");
  rec.flush();
  auto evs = events(api);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0]["count"], 1);
  EXPECT_NE(name_of(evs[0]), name_of(first[0]));
}

namespace {
// A writer whose create blocks until released, to fill the recorder's queue.
class GateWriter final : public Writer {
 public:
  explicit GateWriter(Writer& inner) : inner_(inner) {}
  std::latch entered{1};
  std::latch release{1};
  Result<Json> create(const ResourceId& r, const Json& obj) override {
    if (!first_done_.exchange(true)) {
      entered.count_down();
      release.wait();
    }
    return inner_.create(r, obj);
  }
  Result<Json> update(const ResourceId& r, const Json& o) override { return inner_.update(r, o); }
  Result<Json> update_status(const ResourceId& r, const Json& o) override {
    return inner_.update_status(r, o);
  }
  Result<Json> patch(const ResourceId& r, std::string_view ns, std::string_view n, PatchType t,
                     const Json& p, std::string_view sub) override {
    return inner_.patch(r, ns, n, t, p, sub);
  }
  Result<Json> remove(const ResourceId& r, std::string_view ns, std::string_view n,
                      const DeleteOptions& o) override {
    return inner_.remove(r, ns, n, o);
  }

 private:
  Writer& inner_;
  std::atomic<bool> first_done_{false};
};
}  // namespace

TEST(EventRecorder, FullQueueDropsInsteadOfBlocking) {
  FakeApi api;
  GateWriter gate(api);
  ManualClock clock;
  metrics::Registry reg;
  auto s = settings();
  s.queue_limit = 3;
  s.registry = &reg;
  EventRecorder rec(s, gate, clock, quiet());
  rec.normal(kServer, "R", "m0");
  gate.entered.wait();  // the writer is stuck on m0; the queue is empty
  for (int i = 1; i <= 5; ++i)
    rec.normal(kServer, "R", "m" + std::to_string(i));  // returns at once
  EXPECT_EQ(rec.dropped(), 2u);
  EXPECT_NE(reg.expose().find("ferrum_events_dropped_total 2"), std::string::npos);
  gate.release.count_down();
  rec.flush();
  EXPECT_EQ(events(api).size(), 4u);  // m0..m3
}

TEST(EventRecorder, WriteFailuresAreCountedNotThrown) {
  FakeApi api;
  ManualClock clock;
  EventRecorder rec(settings(), api, clock, quiet());
  api.fail_next("create", Error{403, "Forbidden", "events is forbidden"});
  rec.normal(kServer, "R", "m");
  rec.flush();
  EXPECT_EQ(rec.failed(), 1u);
  EXPECT_TRUE(events(api).empty());
}
