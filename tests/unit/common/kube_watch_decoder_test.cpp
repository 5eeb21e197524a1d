// Watch stream decoding: events split at arbitrary byte boundaries, all event types, errors.
#include <gtest/gtest.h>

#include "ferrum/kube/watch.hpp"

using namespace ferrum::kube;

namespace {
std::vector<WatchEvent> decode_in_pieces(const std::string& stream, std::size_t piece,
                                         std::optional<Error>* err = nullptr) {
  WatchDecoder d;
  std::vector<WatchEvent> out;
  for (std::size_t i = 0; i < stream.size(); i += piece) {
    auto e = d.feed(std::string_view(stream).substr(i, piece), [&](WatchEvent&& ev) {
      out.push_back(std::move(ev));
      return true;
    });
    if (e) {
      if (err) *err = e;
      break;
    }
  }
  return out;
}

const std::string kStream =
    R"({"type":"ADDED","object":{"kind":"Secret","metadata":{"name":"a","namespace":"ns","resourceVersion":"10"}}})"
    "\n"
    R"({"type":"MODIFIED","object":{"kind":"Secret","metadata":{"name":"a","namespace":"ns","resourceVersion":"11"},"data":{"k":"dg=="}}})"
    "\n"
    R"({"type":"BOOKMARK","object":{"kind":"Secret","metadata":{"resourceVersion":"15"}}})"
    "\r\n"
    R"({"type":"DELETED","object":{"kind":"Secret","metadata":{"name":"a","namespace":"ns","resourceVersion":"16"}}})"
    "\n"
    R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})"
    "\n";
}  // namespace

TEST(WatchDecoder, SameEventsWhateverTheChunking) {
  for (std::size_t piece : {1ul, 2ul, 7ul, 64ul, 100000ul}) {
    auto evs = decode_in_pieces(kStream, piece);
    ASSERT_EQ(evs.size(), 5u) << piece;
    EXPECT_EQ(evs[0].type, EventType::kAdded);
    EXPECT_EQ(evs[1].type, EventType::kModified);
    EXPECT_EQ(evs[1].object["data"]["k"], "dg==");
    EXPECT_EQ(evs[2].type, EventType::kBookmark);
    EXPECT_EQ(resource_version_of(evs[2].object), "15");
    EXPECT_EQ(evs[3].type, EventType::kDeleted);
    EXPECT_EQ(evs[4].type, EventType::kError);
    EXPECT_EQ(evs[4].object["code"], 410);
  }
}

TEST(WatchDecoder, IncompleteLineIsHeldBack) {
  WatchDecoder d;
  int n = 0;
  auto count = [&](WatchEvent&&) { return ++n, true; };
  EXPECT_FALSE(d.feed(R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})", count));
  EXPECT_EQ(n, 0);
  EXPECT_GT(d.pending(), 0u);
  EXPECT_FALSE(d.feed("\n\n", count));
  EXPECT_EQ(n, 1);
  EXPECT_EQ(d.pending(), 0u);
}

TEST(WatchDecoder, HandlerCanStopTheStream) {
  WatchDecoder d;
  int n = 0;
  d.feed(kStream, [&](WatchEvent&&) { return ++n < 2; });
  EXPECT_EQ(n, 2);
  EXPECT_TRUE(d.stopped());
  d.feed(kStream, [&](WatchEvent&&) { return ++n, true; });
  EXPECT_EQ(n, 2);
}

TEST(WatchDecoder, MalformedLinesAreErrors) {
  struct Row {
    const char* line;
    const char* why;
  } rows[] = {
      {"not json\n", "not a JSON object"},
      {"[1,2]\n", "not a JSON object"},
      {R"({"object":{}})"
       "\n",
       "without a type"},
      {R"({"type":"ADDED"})"
       "\n",
       "without an object"},
      {R"({"type":"ADDED","object":"x"})"
       "\n",
       "without an object"},
      {R"({"type":"RENAMED","object":{}})"
       "\n",
       "unknown event type"},
  };
  for (const auto& r : rows) {
    std::optional<Error> err;
    auto evs = decode_in_pieces(r.line, 3, &err);
    EXPECT_TRUE(evs.empty()) << r.line;
    ASSERT_TRUE(err.has_value()) << r.line;
    EXPECT_EQ(err->reason, kReasonBadResponse);
    EXPECT_NE(err->message.find(r.why), std::string::npos) << err->message;
  }
}

TEST(WatchDecoder, OverlongLineIsAnError) {
  WatchDecoder d(100);
  auto err = d.feed(std::string(101, 'x'), [](WatchEvent&&) { return true; });
  ASSERT_TRUE(err);
  EXPECT_NE(err->message.find("longer than 100"), std::string::npos);
}

TEST(WatchQuery, CarriesEveryOption) {
  WatchOptions o;
  o.resource_version = "42";
  o.label_selector = "a=b,c in (d)";
  o.field_selector = "metadata.name=x";
  o.timeout = std::chrono::seconds(30);
  EXPECT_EQ(
      watch_query(o),
      "?watch=1&resourceVersion=42&allowWatchBookmarks=true&labelSelector=a%3Db%2Cc%20in%20%28d%29"
      "&fieldSelector=metadata.name%3Dx&timeoutSeconds=30");
  WatchOptions plain;
  plain.allow_bookmarks = false;
  plain.timeout = std::chrono::seconds(0);
  EXPECT_EQ(watch_query(plain), "?watch=1");
}
