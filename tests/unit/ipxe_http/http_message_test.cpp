#include "http_message.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

TEST(HttpMessage, ParsesAGetWithHeaders) {
  auto r = parse_request_head(
      "GET /env/default/vmlinuz?x=1 HTTP/1.1\r\nHost: a\r\nRange:  bytes=0-9 \r\n\r\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/env/default/vmlinuz");
  EXPECT_EQ(r->query, "x=1");
  EXPECT_EQ(r->header("range"), "bytes=0-9");
  EXPECT_EQ(r->header("host"), "a");
  EXPECT_TRUE(r->keep_alive);
}

TEST(HttpMessage, KeepAliveRules) {
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.0\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")->keep_alive);
}

TEST(HttpMessage, PathDecodingKeepsPlus) {
  auto r = parse_request_head("GET /tftp/a+b%20c HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->path, "/tftp/a+b c");
}

TEST(HttpMessage, Rejections) {
  struct Case {
    const char* head;
    int status;
  } cases[] = {
      {"POST /ipxe HTTP/1.1\r\n\r\n", 405},
      {"GET /ipxe HTTP/2.0\r\n\r\n", 505},
      {"GET ipxe HTTP/1.1\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\n\r\n", 400},
      {"GET /%zz HTTP/1.1\r\n\r\n", 400},
      {"GET /%00 HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    auto r = parse_request_head(c.head);
    ASSERT_FALSE(r.has_value()) << c.head;
    EXPECT_EQ(r.error().status, c.status) << c.head;
    EXPECT_FALSE(r.error().message.empty());
  }
}

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
  EXPECT_EQ(status_text(412), "Precondition Failed");
}

}  // namespace
}  // namespace ferrum::ipxe
