// What a watcher can pin: WatchStream's chunked draining and byte-bounded queue, and the
// ObjectStore's byte-bounded history, with an in-memory DurableStore (no disk, no sockets).
#include "watch_stream.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <sstream>

#include "object_store.hpp"

namespace ferrum::apiserver {
namespace {

using testing::HasSubstr;

class MemoryStore final : public DurableStore {
 public:
  std::vector<StoredRow> load() override { return {}; }
  std::uint64_t last_rv() override { return 0; }
  void commit(const std::vector<RowWrite>&, std::uint64_t) override {}
  std::string integrity_check() override { return "ok"; }
};

json object_named(const std::string& name, std::size_t payload) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", "1"}}},
          {"data", {{"blob", std::string(payload, 'x')}}}};
}

WatchStream::Options options() {
  WatchStream::Options o;
  o.present = [](const json& stored) -> Expected<json, ApiError> { return stored; };
  return o;
}

WatchEvent event(std::uint64_t rv, std::size_t payload) {
  auto obj = std::make_shared<const json>(object_named("cm-" + std::to_string(rv), payload));
  return WatchEvent{rv, "/configmaps", "ADDED", obj, nullptr, payload + 100};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The defect: the whole initial state was encoded into one string per watcher, which a
// client that does not read pins (1,000 watches of one collection: 70 MB -> 2.76 GB).
TEST(WatchStream, InitialStateIsEncodedOneChunkAtATime) {
  WatchStream ws(options());
  std::vector<ObjectPtr> snapshot;
  for (int i = 0; i < 200; ++i) {
    snapshot.push_back(std::make_shared<const json>(object_named("cm-" + std::to_string(i), 2000)));
  }
  ws.set_initial(snapshot);
  std::vector<std::string> names;
  int drains = 0;
  while (ws.pending()) {
    std::string out;
    ASSERT_TRUE(ws.drain(out));
    ++drains;
    auto lines = lines_of(out);
    ASSERT_FALSE(lines.empty());
    // At most one event past the budget.
    EXPECT_LT(out.size() - lines.back().size() - 1, WatchStream::kChunkBytes);
    for (const auto& l : lines) {
      auto ev = json::parse(l);
      EXPECT_EQ(ev["type"], "ADDED");
      names.push_back(ev["object"]["metadata"]["name"]);
    }
  }
  EXPECT_GT(drains, 5);  // 200 x ~2.1 KB in 64 KiB chunks
  ASSERT_EQ(names.size(), 200u);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(names[static_cast<std::size_t>(i)], "cm-" + std::to_string(i));
  // The stream released its pointers as it went: only the test holds the objects now.
  for (const auto& p : snapshot) EXPECT_EQ(p.use_count(), 1);
}

TEST(WatchStream, QueueIsBoundedInBytesAndAnOverflowFreesIt) {
  auto o = options();
  o.max_queue_bytes = 10'000;
  WatchStream ws(o);
  auto first = event(1, 3'000);
  EXPECT_TRUE(ws.offer(first));
  EXPECT_TRUE(ws.offer(event(2, 3'000)));
  EXPECT_TRUE(ws.offer(event(3, 3'000)));
  EXPECT_EQ(ws.queued_bytes(), 3u * 3'100);
  EXPECT_EQ(first.object.use_count(), 2);   // the test and the queue
  EXPECT_FALSE(ws.offer(event(4, 3'000)));  // 12,400 > 10,000: the watcher is dropped
  EXPECT_TRUE(ws.overflowed());
  EXPECT_EQ(ws.queued_bytes(), 0u);
  EXPECT_EQ(first.object.use_count(), 1);  // freed at once, not when the client leaves
  EXPECT_FALSE(ws.offer(event(5, 10)));
  std::string out;
  EXPECT_FALSE(ws.drain(out));
  EXPECT_TRUE(out.empty());
}

TEST(WatchStream, QueueIsBoundedInEventsToo) {
  auto o = options();
  o.max_queue = 3;
  WatchStream ws(o);
  for (std::uint64_t rv = 1; rv <= 3; ++rv) EXPECT_TRUE(ws.offer(event(rv, 10)));
  EXPECT_FALSE(ws.offer(event(4, 10)));
}

TEST(WatchStream, OneEventLargerThanTheBoundStillReachesAWatcherThatKeepsUp) {
  auto o = options();
  o.max_queue_bytes = 1'000;
  WatchStream ws(o);
  EXPECT_TRUE(ws.offer(event(1, 50'000)));
  std::string out;
  EXPECT_TRUE(ws.drain(out));
  EXPECT_THAT(out, HasSubstr("\"cm-1\""));
  EXPECT_EQ(ws.last_rv(), 1u);
  EXPECT_TRUE(ws.offer(event(2, 50'000)));  // drained, so the queue is empty again
}

// --- the store ---

Expected<MutationResult, ApiError> put(ObjectStore& store, const std::string& name,
                                       std::size_t payload) {
  std::promise<Expected<MutationResult, ApiError>> p;
  auto f = p.get_future();
  store.mutate(
      "/configmaps", "default", name,
      [&](const json*) -> Expected<Decision, ApiError> {
        return Decision::write(object_named(name, payload));
      },
      [&p](Expected<MutationResult, ApiError> r) { p.set_value(std::move(r)); });
  return f.get();
}

TEST(ObjectStoreWatch, HistoryIsBoundedInBytesAndOlderWatchesGetGone) {
  MemoryStore disk;
  ObjectStore store(disk, /*history_size=*/1'000, /*history_bytes=*/50'000);
  store.load();
  store.start();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(put(store, "cm-" + std::to_string(i), 5'000));
  // 30 events of ~5.2 KB: only the newest fit in 50,000 bytes.
  EXPECT_LE(store.history_bytes(), 50'000u);
  EXPECT_GT(store.history_bytes(), 40'000u);
  auto sink = std::make_shared<WatchStream>(options());
  auto old = store.watch("/configmaps", 1, sink);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, 410);
  auto recent = store.watch("/configmaps", store.current_rv() - 2, sink);
  ASSERT_TRUE(recent);
  std::string out;
  ASSERT_TRUE(sink->drain(out));
  EXPECT_EQ(lines_of(out).size(), 2u);
  store.stop();
}

TEST(ObjectStoreWatch, AWatcherThatCannotKeepUpIsDroppedAndCounted) {
  MemoryStore disk;
  ObjectStore store(disk, 1'000);
  store.load();
  store.start();
  auto o = options();
  o.max_queue_bytes = 20'000;
  auto slow = std::make_shared<WatchStream>(o);  // never drained
  ASSERT_TRUE(store.watch("/configmaps", store.current_rv(), slow));
  EXPECT_EQ(store.watcher_count(), 1u);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(put(store, "cm-" + std::to_string(i), 5'000));
  EXPECT_TRUE(slow->overflowed());
  EXPECT_EQ(store.watcher_count(), 0u);
  EXPECT_EQ(store.watchers_dropped(), 1u);
  // A replay larger than a watcher's buffer is answered like an evicted one: relist.
  auto late = std::make_shared<WatchStream>(o);
  auto r = store.watch("/configmaps", 0, late);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 410);
  store.stop();
}

}  // namespace
}  // namespace ferrum::apiserver
