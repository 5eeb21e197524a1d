// Informer against the in-memory API double: initial list, watch events into cache and
// indexes, handlers, relist after 410 with deletes for objects gone in the gap, resync on a
// manual clock, list retries, and cache == fresh list after 1,000 random writes.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <future>
#include <random>
#include <thread>

#include "ferrum/kube/informer.hpp"
#include "kube_fake_api.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using kubetest::FakeApi;
using namespace std::chrono_literals;

namespace {

log::Logger quiet() { return log::discard("informer"); }

const ResourceId kCm = resources::config_maps();

InformerSettings settings() {
  InformerSettings s;
  s.resource = kCm;
  return s;
}

Json cm(const std::string& ns, const std::string& name, const std::string& team = "a",
        const std::string& v = "1") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"team", team}}}}},
          {"data", {{"v", v}}}};
}

// Handler calls as strings, with waiting.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> log;
  EventHandlers handlers() {
    return {[this](const Json& o) { push("add " + object_key(o)); },
            [this](const Json& o, const Json& n) {
              push((resource_version_of(o) == resource_version_of(n) ? "resync " : "update ") +
                   object_key(n));
            },
            [this](const Json& o) { push("delete " + object_key(o)); }};
  }
  void push(std::string s) {
    std::lock_guard l(mu);
    log.push_back(std::move(s));
    cv.notify_all();
  }
  void wait(std::size_t n) {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return log.size() >= n; });
  }
  std::vector<std::string> take() {
    std::lock_guard l(mu);
    auto out = std::move(log);
    log.clear();
    return out;
  }
};

struct Running {
  std::stop_source stop;
  std::future<void> done;
  explicit Running(Informer& inf) {
    done = std::async(std::launch::async, [&inf, t = stop.get_token()] { inf.run(t); });
  }
  ~Running() {
    stop.request_stop();
    done.get();
  }
};

// Moves a manual clock along whenever someone sleeps on it (backoff after dropped watches),
// so a long scripted run never stalls; time here is simulated, not waited for.
struct ClockPump {
  ManualClock& clock;
  std::jthread t;
  explicit ClockPump(ManualClock& c)
      : clock(c), t([this](std::stop_token st) {
          while (!st.stop_requested()) {
            if (clock.sleepers() > 0)
              clock.advance(100ms);
            else
              std::this_thread::yield();
          }
        }) {}
};

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST(ObjectStore, GenerationMovesWithEveryContentChange) {
  ObjectStore store;
  auto with_rv = [](Json obj, const std::string& rv) {
    obj["metadata"]["resourceVersion"] = rv;
    return std::make_shared<const Json>(std::move(obj));
  };
  std::uint64_t g = store.generation();
  store.upsert("ns/a", with_rv(cm("ns", "a"), "1"));
  EXPECT_GT(store.generation(), g);
  g = store.generation();
  store.upsert("ns/a", with_rv(cm("ns", "a", "b"), "2"));
  EXPECT_GT(store.generation(), g);
  g = store.generation();
  EXPECT_EQ(store.erase("ns/missing"), nullptr);
  EXPECT_EQ(store.generation(), g) << "erasing nothing changes nothing";
  store.erase("ns/a");
  EXPECT_GT(store.generation(), g);

  g = store.generation();
  store.replace({{"ns/a", with_rv(cm("ns", "a"), "3")}});
  EXPECT_GT(store.generation(), g);
  g = store.generation();
  store.replace({{"ns/a", with_rv(cm("ns", "a"), "3")}});
  EXPECT_EQ(store.generation(), g) << "a relist of the same resourceVersions changes nothing";
  store.replace({});
  EXPECT_GT(store.generation(), g);
}

TEST(Informer, ListThenWatchIntoCacheIndexesAndHandlers) {
  FakeApi api;
  api.put_direct(kCm, cm("ns1", "a", "red"));
  api.put_direct(kCm, cm("ns2", "b", "blue"));
  ManualClock clock;
  Informer inf(settings(), api, clock, quiet());
  inf.add_index("team", label_index("team"));
  inf.add_index("ns", namespace_index());
  Recorder rec;
  inf.add_handlers(rec.handlers());
  EXPECT_FALSE(inf.has_synced());
  Running run(inf);
  ASSERT_TRUE(inf.wait_for_sync({}));
  rec.wait(2);
  EXPECT_EQ(sorted(rec.take()), (std::vector<std::string>{"add ns1/a", "add ns2/b"}));
  EXPECT_EQ(inf.store().size(), 2u);
  ASSERT_EQ(inf.store().by_index("team", "red").size(), 1u);
  EXPECT_EQ(inf.store().keys_by_index("ns", "ns2"), std::vector<std::string>{"ns2/b"});

  api.wait_for_watchers(1);
  api.put_direct(kCm, cm("ns1", "a", "blue", "2"));  // label change moves it between index values
  api.put_direct(kCm, cm("ns1", "c", "red"));
  api.delete_direct(kCm, "ns2", "b");
  rec.wait(3);
  EXPECT_EQ(rec.take(), (std::vector<std::string>{"update ns1/a", "add ns1/c", "delete ns2/b"}));
  EXPECT_EQ(inf.store().get("ns1/a")->at("data").at("v"), "2");
  EXPECT_EQ(inf.store().get("ns2/b"), nullptr);
  EXPECT_EQ(inf.store().keys_by_index("team", "blue"), std::vector<std::string>{"ns1/a"});
  EXPECT_EQ(inf.store().keys_by_index("team", "red"), std::vector<std::string>{"ns1/c"});
  EXPECT_TRUE(inf.store().by_index("ns", "ns2").empty());
  EXPECT_TRUE(inf.store().by_index("no-such-index", "x").empty());
}

TEST(Informer, RelistAfterGoneDeliversTheGap) {
  FakeApi api;
  api.put_direct(kCm, cm("ns", "stays"));
  api.put_direct(kCm, cm("ns", "changes"));
  api.put_direct(kCm, cm("ns", "goes"));
  ManualClock clock;
  Informer inf(settings(), api, clock, quiet());
  Recorder rec;
  inf.add_handlers(rec.handlers());
  Running run(inf);
  rec.wait(3);
  rec.take();
  api.wait_for_watchers(1);

  api.hold_watches(true);  // the informer stops hearing anything
  api.put_direct(kCm, cm("ns", "changes", "a", "2"));
  api.delete_direct(kCm, "ns", "goes");
  api.put_direct(kCm, cm("ns", "new"));
  api.compact();  // its resourceVersion is now too old: 410 on resume, then a relist
  // The watch ended without events: the informer backs off before resuming.
  clock.wait_for_sleepers(1);
  clock.advance(1s);
  rec.wait(3);
  EXPECT_EQ(sorted(rec.take()),
            (std::vector<std::string>{"add ns/new", "delete ns/goes", "update ns/changes"}));
  EXPECT_EQ(inf.lists_for_test(), 2);
  EXPECT_EQ(sorted(inf.store().keys()),
            (std::vector<std::string>{"ns/changes", "ns/new", "ns/stays"}));
  EXPECT_EQ(inf.store().get("ns/changes")->at("data").at("v"), "2");
}

TEST(Informer, ResyncRedeliversEverythingOnTheClock) {
  FakeApi api;
  api.put_direct(kCm, cm("ns", "a"));
  api.put_direct(kCm, cm("ns", "b"));
  ManualClock clock;
  InformerSettings s = settings();
  s.resync_period = 30s;
  Informer inf(s, api, clock, quiet());
  Recorder rec;
  inf.add_handlers(rec.handlers());
  Running run(inf);
  rec.wait(2);
  rec.take();
  clock.wait_for_sleepers(1);  // the resync timer
  clock.advance(30s);
  rec.wait(2);
  EXPECT_EQ(sorted(rec.take()), (std::vector<std::string>{"resync ns/a", "resync ns/b"}));
}

TEST(Informer, FailedListIsRetriedWithBackoff) {
  FakeApi api;
  api.put_direct(kCm, cm("ns", "a"));
  api.fail_next("list", Error{503, "ServiceUnavailable", "starting"});
  ManualClock clock;
  Informer inf(settings(), api, clock, quiet());
  Running run(inf);
  clock.wait_for_sleepers(1);
  EXPECT_FALSE(inf.has_synced());
  clock.advance(800ms);
  ASSERT_TRUE(inf.wait_for_sync({}));
  EXPECT_EQ(inf.store().size(), 1u);
  EXPECT_EQ(api.calls("list"), 2);
}

TEST(Informer, StopBeforeSyncMakesWaitReturnFalse) {
  FakeApi api;
  api.fail_next("list", Error{503, "ServiceUnavailable", "down"});
  ManualClock clock;
  Informer inf(settings(), api, clock, quiet());
  std::stop_source stop;
  auto fut = std::async(std::launch::async, [&] { inf.run(stop.get_token()); });
  clock.wait_for_sleepers(1);
  stop.request_stop();
  fut.get();
  EXPECT_FALSE(inf.wait_for_sync(stop.get_token()));
}

TEST(Informer, CacheEqualsFreshListAfterThousandRandomWrites) {
  FakeApi api;
  ManualClock clock;
  Informer inf(settings(), api, clock, quiet());
  std::atomic<int> events{0};
  inf.add_handlers({[&](const Json&) { ++events; }, [&](const Json&, const Json&) { ++events; },
                    [&](const Json&) { ++events; }});
  ClockPump pump(clock);
  Running run(inf);
  ASSERT_TRUE(inf.wait_for_sync({}));
  std::mt19937 rng(42);
  for (int i = 0; i < 1000; ++i) {
    std::string name = "o" + std::to_string(rng() % 60);
    std::string ns = "ns" + std::to_string(rng() % 3);
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2:
        api.delete_direct(kCm, ns, name);
        break;
      case 3:
        if (i % 7 == 0)
          api.drop_watches();  // resume from the last resourceVersion
        else if (i % 11 == 0) {
          api.hold_watches(true);
          api.put_direct(kCm, cm(ns, name, "x", std::to_string(i)));
          api.compact();
        }
        break;
      default:
        api.put_direct(kCm, cm(ns, name, "t", std::to_string(i)));
    }
  }
  // Wait until the informer has caught up with the last write (a marker object).
  api.put_direct(kCm, cm("zz", "marker"));
  while (!inf.store().get("zz/marker")) std::this_thread::yield();
  auto fresh = list_all(api, kCm, "");
  ASSERT_TRUE(fresh);
  std::map<std::string, Json> want;
  for (auto& o : fresh->items) want[object_key(o)] = o;
  std::map<std::string, Json> got;
  for (auto& o : inf.store().list()) got[object_key(*o)] = *o;
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
  EXPECT_GT(inf.lists_for_test(), 1);  // compactions forced relists
}
