#include "http_message.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

// Request parsing moved to Ferrum's HTTP server: tests/unit/common/http_server_test.cpp
// (HttpRequestRules) asserts what was asserted here.

TEST(HttpMessage, Ranges) {
  struct Case {
    const char* header;
    std::uint64_t size;
    RangeResult result;
    std::uint64_t first, length;
  } cases[] = {
      {"bytes=0-9", 100, RangeResult::kRange, 0, 10},
      {"bytes=90-", 100, RangeResult::kRange, 90, 10},
      {"bytes=90-200", 100, RangeResult::kRange, 90, 10},
      {"bytes=-10", 100, RangeResult::kRange, 90, 10},
      {"bytes=-1000", 100, RangeResult::kRange, 0, 100},
      {"bytes=100-", 100, RangeResult::kUnsatisfiable, 0, 0},
      {"bytes=-0", 100, RangeResult::kUnsatisfiable, 0, 0},
      {"bytes=0-1,5-6", 100, RangeResult::kNone, 0, 0},
      {"bytes=5-1", 100, RangeResult::kNone, 0, 0},
      {"items=0-1", 100, RangeResult::kNone, 0, 0},
      {"bytes=x-1", 100, RangeResult::kNone, 0, 0},
      {"bytes=0-0", 1, RangeResult::kRange, 0, 1},
  };
  for (const auto& c : cases) {
    ByteRange r;
    EXPECT_EQ(parse_range(c.header, c.size, r), c.result) << c.header;
    if (c.result == RangeResult::kRange) {
      EXPECT_EQ(r.first, c.first) << c.header;
      EXPECT_EQ(r.length, c.length) << c.header;
    }
  }
}

TEST(HttpMessage, Dates) {
  EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace ferrum::ipxe
