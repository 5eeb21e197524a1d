// Informers against a real ferrum-apiserver: the cache equals a fresh list after 1,000
// random writes; a watch that fell behind the server's history gets 410 and the informer
// relists, delivering adds, updates and deletes for what changed in the gap.
#include "ferrum/kube/informer.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <future>
#include <random>

#include "apiserver_process.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using namespace kubeit;
using namespace std::chrono_literals;

namespace {

log::Logger quiet() { return log::discard("informer"); }

const ResourceId kCm = resources::config_maps();

InformerSettings settings() {
  InformerSettings s;
  s.resource = kCm;
  s.backoff.initial = 50ms;
  s.backoff.max = 200ms;
  return s;
}

// The real client, with a gate in front of watch calls: close() makes new watch calls wait
// and interrupt() breaks the open one (as a network partition would), so the test decides
// when the informer falls behind. Everything else goes straight to the server.
class GatedClient final : public Client {
 public:
  explicit GatedClient(Client& inner) : inner_(inner) {}
  void close() {
    std::lock_guard l(mu_);
    open_ = false;
  }
  void open() {
    std::lock_guard l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void interrupt() {
    std::lock_guard l(mu_);
    if (current_) current_->request_stop();
  }
  int waiting() {
    std::lock_guard l(mu_);
    return waiting_;
  }

  Result<Json> get(const ResourceId& r, std::string_view ns, std::string_view n) override {
    return inner_.get(r, ns, n);
  }
  Result<Json> list(const ResourceId& r, std::string_view ns, const ListOptions& o) override {
    return inner_.list(r, ns, o);
  }
  Result<Json> create(const ResourceId& r, const Json& o) override { return inner_.create(r, o); }
  Result<Json> update(const ResourceId& r, const Json& o) override { return inner_.update(r, o); }
  Result<Json> update_status(const ResourceId& r, const Json& o) override {
    return inner_.update_status(r, o);
  }
  Result<Json> patch(const ResourceId& r, std::string_view ns, std::string_view n, PatchType t,
                     const Json& p, std::string_view s) override {
    return inner_.patch(r, ns, n, t, p, s);
  }
  Result<Json> remove(const ResourceId& r, std::string_view ns, std::string_view n,
                      const DeleteOptions& o) override {
    return inner_.remove(r, ns, n, o);
  }
  Result<WatchEnd> watch(const ResourceId& r, std::string_view ns, const WatchOptions& o,
                         const WatchHandler& h, std::stop_token stop) override {
    std::stop_source mine;
    {
      std::unique_lock l(mu_);
      ++waiting_;
      cv_.wait(l, stop, [&] { return open_; });
      --waiting_;
      if (stop.stop_requested())
        return unexpected(Error{0, std::string(kReasonCancelled), "stopped"});
      current_ = &mine;
    }
    std::stop_callback forward(stop, [&] { mine.request_stop(); });
    auto res = inner_.watch(r, ns, o, h, mine.get_token());
    {
      std::lock_guard l(mu_);
      current_ = nullptr;
    }
    if (!res && is_cancelled(res.error()) && !stop.stop_requested())
      return unexpected(Error{0, std::string(kReasonTransport), "interrupted by the test"});
    return res;
  }

 private:
  Client& inner_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool open_ = true;
  int waiting_ = 0;
  std::stop_source* current_ = nullptr;
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

std::map<std::string, Json> fresh_list(Client& c) {
  std::map<std::string, Json> out;
  auto l = list_all(c, kCm, "");
  EXPECT_TRUE(l);
  if (l)
    for (auto& o : l->items) out[object_key(o)] = o;
  return out;
}

std::map<std::string, std::string> versions(const std::map<std::string, Json>& m) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : m)
    out[k] = resource_version_of(v) + " " + v.value("data", Json::object()).dump();
  return out;
}

std::map<std::string, std::string> cache_versions(const Informer& inf) {
  std::map<std::string, Json> m;
  for (auto& o : inf.store().list()) m[object_key(*o)] = *o;
  return versions(m);
}

}  // namespace

TEST(KubeInformer, CacheEqualsFreshListAfterThousandRandomWrites) {
  ApiServer server;
  server.start();
  RestClient client(server.config());
  for (const char* ns : {"team-a", "team-b"})
    ASSERT_TRUE(
        client.create(resources::namespaces(),
                      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}));
  Informer inf(settings(), client, real_clock(), quiet());
  std::atomic<int> adds{0}, updates{0}, deletes{0};
  inf.add_handlers({[&](const Json&) { ++adds; }, [&](const Json&, const Json&) { ++updates; },
                    [&](const Json&) { ++deletes; }});
  Running run(inf);
  std::stop_source never;
  ASSERT_TRUE(inf.wait_for_sync(never.get_token()));

  std::mt19937 rng(7);
  const char* namespaces[] = {"default", "team-a", "team-b"};
  int writes = 0;
  while (writes < 1000) {
    std::string ns = namespaces[rng() % 3];
    std::string name = "cm-" + std::to_string(rng() % 80);
    int op = static_cast<int>(rng() % 10);
    if (op < 5) {
      if (client.create(kCm, config_map(ns, name, std::to_string(writes)))) ++writes;
    } else if (op < 8) {
      auto cur = client.get(kCm, ns, name);
      if (!cur) continue;
      (*cur)["data"]["v"] = std::to_string(writes);
      if (client.update(kCm, *cur)) ++writes;
    } else {
      if (client.remove(kCm, ns, name)) ++writes;
    }
  }
  ASSERT_TRUE(client.create(kCm, config_map("default", "zz-marker", "end")));
  ASSERT_TRUE(eventually([&] { return inf.store().get("default/zz-marker") != nullptr; }));
  auto want = versions(fresh_list(client));
  EXPECT_EQ(cache_versions(inf), want);
  EXPECT_GT(adds.load(), 0);
  EXPECT_GT(updates.load(), 0);
  EXPECT_GT(deletes.load(), 0);
}

TEST(KubeInformer, RelistsAfterGoneAndDeliversTheGap) {
  ApiServer server({"--watch-history=100"});
  server.start();
  RestClient real(server.config());
  GatedClient client(real);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(real.create(kCm, config_map("default", "cm" + std::to_string(i), "0")));
  Informer inf(settings(), client, real_clock(), quiet());
  std::mutex mu;
  std::set<std::string> added, updated, deleted;
  inf.add_handlers({[&](const Json& o) {
                      std::lock_guard l(mu);
                      added.insert(name_of(o));
                    },
                    [&](const Json& o, const Json& n) {
                      std::lock_guard l(mu);
                      if (resource_version_of(o) != resource_version_of(n))
                        updated.insert(name_of(n));
                    },
                    [&](const Json& o) {
                      std::lock_guard l(mu);
                      deleted.insert(name_of(o));
                    }});
  Running run(inf);
  std::stop_source never;
  ASSERT_TRUE(inf.wait_for_sync(never.get_token()));
  {
    std::lock_guard l(mu);
    EXPECT_EQ(added.size(), 10u);
    added.clear();
  }

  client.close();
  client.interrupt();  // the informer's watch breaks and its next one waits at the gate
  ASSERT_TRUE(eventually([&] { return client.waiting() == 1; }));
  // The gap: more writes than the server keeps history for.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(real.remove(kCm, "default", "cm" + std::to_string(i)));
  auto cm5 = real.get(kCm, "default", "cm5");
  ASSERT_TRUE(cm5);
  (*cm5)["data"]["v"] = "changed";
  ASSERT_TRUE(real.update(kCm, *cm5));
  for (int i = 0; i < 120; ++i)
    ASSERT_TRUE(real.create(kCm, config_map("default", "new" + std::to_string(i), "x")));
  client.open();  // resumes from a resourceVersion the server no longer has: 410, relist

  ASSERT_TRUE(eventually([&] { return inf.lists_for_test() == 2 && inf.store().size() == 127; }));
  std::lock_guard l(mu);
  EXPECT_EQ(deleted, (std::set<std::string>{"cm0", "cm1", "cm2"}));
  EXPECT_EQ(updated, (std::set<std::string>{"cm5"}));
  EXPECT_EQ(added.size(), 120u);
  EXPECT_EQ(cache_versions(inf), versions(fresh_list(real)));
}
