// /dev/kmsg records to Talos' JSON lines (sources in kmsg_record.hpp).
#include "kmsg_record.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ferrum::talos_node {
namespace {

TEST(KmsgRecord, ParsesHeaderAndFirstLine) {
  auto r =
      parse_kmsg_record("6,339,5140900,-;NET: Registered protocol family 10\n SUBSYSTEM=net\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->facility, 0);
  EXPECT_EQ(r->priority, 6);
  EXPECT_EQ(r->seq, 339u);
  EXPECT_EQ(r->clock_us, 5140900u);
  EXPECT_EQ(r->message, "NET: Registered protocol family 10");
  EXPECT_FALSE(parse_kmsg_record("garbage"));
  EXPECT_FALSE(parse_kmsg_record("x,1,2,-;m"));
}

struct LevelCase {
  int pri;
  const char* facility;
  const char* priority;
  const char* level;
};

class KmsgJson : public ::testing::TestWithParam<LevelCase> {};

TEST_P(KmsgJson, FieldsAsTalos) {
  auto r = parse_kmsg_record(std::to_string(GetParam().pri) + ",7,1500000,-;hello");
  ASSERT_TRUE(r);
  // boot at 2024-01-02T03:04:05Z
  auto line = kmsg_json_line(*r, 1704164645LL * 1000000000);
  ASSERT_EQ(line.back(), '\n');
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "hello");
  EXPECT_EQ(j["talos-time"], "2024-01-02T03:04:06.5Z");
  EXPECT_EQ(j["talos-level"], GetParam().level);
  EXPECT_EQ(j["facility"], GetParam().facility);
  EXPECT_EQ(j["priority"], GetParam().priority);
  EXPECT_EQ(j["seq"], 7);
  EXPECT_EQ(j["clock"], 1500000);
  EXPECT_EQ(j.size(), 7u);
}

INSTANTIATE_TEST_SUITE_P(Levels, KmsgJson,
                         ::testing::Values(LevelCase{0, "kern", "emerg", "error"},
                                           LevelCase{3, "kern", "err", "error"},
                                           LevelCase{4, "kern", "warning", "warn"},
                                           LevelCase{5, "kern", "notice", "info"},
                                           LevelCase{14, "user", "info", "info"},
                                           LevelCase{31, "daemon", "debug", "debug"}));

}  // namespace
}  // namespace ferrum::talos_node
