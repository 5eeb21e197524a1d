#include <gtest/gtest.h>

#include "ferrum/model/conditions.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server.hpp"

namespace ferrum::model {
namespace {

using namespace std::chrono;

const Timestamp kT0 = sys_days{2024y / May / 1} + 12h;
const Timestamp kT1 = kT0 + 5min;
const Timestamp kT2 = kT0 + 10min;

TEST(ModelConditions, NewConditionGetsNowAsTransitionTime) {
  json list = json::array();
  Condition c{"PowerCycle", "False", "Info", "InProgress", "wiping", kT2};
  EXPECT_TRUE(set_condition(list, c, kT0));
  EXPECT_EQ(list, json::parse(R"([{"type": "PowerCycle", "status": "False", "severity": "Info",
    "reason": "InProgress", "message": "wiping", "lastTransitionTime": "2024-05-01T12:00:00Z"}])"))
      << "the caller's lastTransitionTime is ignored";
  auto got = find_condition(list, "PowerCycle");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->last_transition_time, kT0);
  EXPECT_EQ(got->reason, "InProgress");
  EXPECT_FALSE(is_condition_true(list, "PowerCycle"));
}

TEST(ModelConditions, SameStatusKeepsTransitionTimeButUpdatesText) {
  json list = json::array();
  set_condition(list, {"Ready", "False", "Warning", "A", "first", {}}, kT0);
  EXPECT_TRUE(set_condition(list, {"Ready", "False", "Error", "B", "second", {}}, kT1));
  auto got = find_condition(list, "Ready");
  EXPECT_EQ(got->last_transition_time, kT0);
  EXPECT_EQ(got->severity, "Error");
  EXPECT_EQ(got->reason, "B");
  EXPECT_EQ(got->message, "second");
  EXPECT_FALSE(set_condition(list, {"Ready", "False", "Error", "B", "second", {}}, kT2))
      << "identical condition: nothing changes";
}

TEST(ModelConditions, StatusChangeStampsNow) {
  json list = json::array();
  set_condition(list, {"Ready", "False", "Warning", "A", "m", {}}, kT0);
  EXPECT_TRUE(set_condition(list, {"Ready", "True", "", "", "", {}}, kT1));
  auto got = find_condition(list, "Ready");
  EXPECT_EQ(got->last_transition_time, kT1);
  EXPECT_TRUE(got->is_true());
  EXPECT_EQ(list[0], json::parse(R"({"type": "Ready", "status": "True",
    "lastTransitionTime": "2024-05-01T12:05:00Z"})"))
      << "empty severity/reason/message are omitted";
  EXPECT_TRUE(set_condition(list, {"Ready", "Unknown", "", "", "", {}}, kT2));
  EXPECT_EQ(find_condition(list, "Ready")->last_transition_time, kT2);
}

TEST(ModelConditions, OneEntryPerTypeAndUnknownKeysKept) {
  json list = json::parse(R"([
    {"type": "A", "status": "True", "lastTransitionTime": "2023-01-01T00:00:00Z",
     "observedGeneration": 7},
    {"type": "B", "status": "False", "lastTransitionTime": "2023-01-01T00:00:00Z"}])");
  set_condition(list, {"A", "True", "", "R", "", {}}, kT0);
  set_condition(list, {"C", "True", "", "", "", {}}, kT0);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["observedGeneration"], 7);
  EXPECT_EQ(list[0]["reason"], "R");
  EXPECT_EQ(list[0]["lastTransitionTime"], "2023-01-01T00:00:00Z");
  EXPECT_EQ(list[2]["type"], "C");

  EXPECT_TRUE(remove_condition(list, "B"));
  EXPECT_FALSE(remove_condition(list, "B"));
  EXPECT_EQ(list.size(), 2u);
  EXPECT_FALSE(find_condition(list, "B"));
}

TEST(ModelConditions, MissingTransitionTimeIsFilledIn) {
  json list = json::parse(R"([{"type": "A", "status": "True"}])");
  EXPECT_TRUE(set_condition(list, {"A", "True", "", "", "", {}}, kT0));
  EXPECT_EQ(list[0]["lastTransitionTime"], "2024-05-01T12:00:00Z");
}

TEST(ModelConditions, NonArrayCountsAsEmpty) {
  json notalist = "x";
  EXPECT_FALSE(find_condition(notalist, "A"));
  EXPECT_FALSE(remove_condition(notalist, "A"));
  EXPECT_TRUE(set_condition(notalist, {"A", "True", "", "", "", {}}, kT0));
  EXPECT_TRUE(notalist.is_array());
}

TEST(ModelConditions, ConditionedObjectWritesStatusConditions) {
  Server s = Server::make("u");
  EXPECT_TRUE(s.conditions().empty());
  EXPECT_FALSE(s.condition(kConditionPXEBooted));
  EXPECT_FALSE(s.remove_condition(kConditionPXEBooted));
  EXPECT_TRUE(s.set_condition({"PXEBooted", "True", "", "", "", {}}, kT0));
  EXPECT_TRUE(s.is_condition_true("PXEBooted"));
  EXPECT_EQ(s.raw()["status"]["conditions"].size(), 1u);
  EXPECT_EQ(s.condition("PXEBooted")->last_transition_time, kT0);
  EXPECT_TRUE(s.remove_condition("PXEBooted"));
  EXPECT_FALSE(s.raw()["status"].contains("conditions"));
}

}  // namespace
}  // namespace ferrum::model
