// Watches against a real ferrum-apiserver: resume from the last resourceVersion after the
// server is killed and restarted; 410 Gone for a resourceVersion older than its history.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "apiserver_process.hpp"
#include "ferrum/kube/client.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using namespace kubeit;
using namespace std::chrono_literals;

TEST(KubeWatch, ResumesFromLastResourceVersionAfterServerRestart) {
  ApiServer server;
  server.start();
  RestClient client(server.config());
  const auto cm = resources::config_maps();
  ASSERT_TRUE(client.create(cm, config_map("default", "before", "0")));
  auto listed = list_all(client, cm, "default");
  ASSERT_TRUE(listed);

  std::mutex mu;
  std::vector<std::string> seen;
  std::vector<std::string> retries;
  std::stop_source stop;
  auto fut = std::async(std::launch::async, [&] {
    WatchOptions o;
    o.resource_version = listed->resource_version;
    o.timeout = 60s;
    WatchBackoff b;
    b.initial = 100ms;
    b.max = 500ms;
    return watch_resuming(
        client, real_clock(), cm, "default", o,
        [&](WatchEvent&& ev) {
          if (ev.type == EventType::kBookmark) return true;
          std::lock_guard l(mu);
          seen.push_back(std::string(event_type_name(ev.type)) + " " + name_of(ev.object));
          return true;
        },
        stop.get_token(), b,
        [&](const Error& e) {
          std::lock_guard l(mu);
          retries.push_back(e.describe());
        });
  });
  auto seen_has = [&](const std::string& s) {
    std::lock_guard l(mu);
    return std::find(seen.begin(), seen.end(), s) != seen.end();
  };
  ASSERT_TRUE(client.create(cm, config_map("default", "one", "1")));
  ASSERT_TRUE(eventually([&] { return seen_has("ADDED one"); }));

  const auto port = server.port();
  server.kill(SIGKILL);
  server.start(port);  // same address, same data directory
  RestClient after(server.config());
  ASSERT_TRUE(after.create(cm, config_map("default", "two", "2")));
  auto one = after.get(cm, "default", "one");
  ASSERT_TRUE(one);
  (*one)["data"]["v"] = "1b";
  ASSERT_TRUE(after.update(cm, *one));
  ASSERT_TRUE(eventually([&] { return seen_has("MODIFIED one"); }))
      << "retries: " << retries.size();
  stop.request_stop();
  auto end = fut.get();
  ASSERT_TRUE(end) << end.error().describe();  // resumed, never Gone
  std::lock_guard l(mu);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED one", "ADDED two", "MODIFIED one"}));
  EXPECT_FALSE(retries.empty());  // the restart was noticed and retried
}

TEST(KubeWatch, ResourceVersionOlderThanHistoryIsGone) {
  ApiServer server({"--watch-history=100"});
  server.start();
  RestClient client(server.config());
  const auto cm = resources::config_maps();
  ASSERT_TRUE(client.create(cm, config_map("default", "first", "0")));
  auto listed = list_all(client, cm, "default");
  ASSERT_TRUE(listed);
  for (int i = 0; i < 150; ++i)
    ASSERT_TRUE(client.create(cm, config_map("default", "cm" + std::to_string(i), "x")));

  WatchOptions o;
  o.resource_version = listed->resource_version;
  o.timeout = 30s;
  auto w = client.watch(cm, "default", o, [](WatchEvent&&) { return true; }, {});
  ASSERT_FALSE(w);
  EXPECT_TRUE(is_gone(w.error())) << w.error().describe();

  auto r =
      watch_resuming(client, real_clock(), cm, "default", o, [](WatchEvent&&) { return true; }, {});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is_gone(r.error()));
}

TEST(KubeWatch, BookmarksCarryTheResourceVersion) {
  ApiServer server({"--bookmark-interval=200ms"});
  server.start();
  RestClient client(server.config());
  const auto cm = resources::config_maps();
  ASSERT_TRUE(client.create(cm, config_map("default", "a", "0")));
  auto listed = list_all(client, cm, "default");
  ASSERT_TRUE(listed);
  std::string bookmark_rv;
  WatchOptions o;
  o.resource_version = listed->resource_version;
  o.timeout = 30s;
  auto w = client.watch(cm, "default", o,
                        [&](WatchEvent&& ev) {
                          if (ev.type != EventType::kBookmark) return true;
                          bookmark_rv = resource_version_of(ev.object);
                          return false;  // one is enough
                        },
                        {});
  ASSERT_TRUE(w) << w.error().describe();
  EXPECT_FALSE(bookmark_rv.empty());
  EXPECT_GE(std::stoll(bookmark_rv), std::stoll(listed->resource_version));
}
